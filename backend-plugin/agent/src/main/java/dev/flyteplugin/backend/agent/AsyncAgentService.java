package dev.flyteplugin.backend.agent;

import com.google.protobuf.ByteString;
import com.google.protobuf.Struct;
import dev.flyteplugin.backend.runtime.TaskCategory;
import dev.flyteplugin.backend.runtime.TaskCreationException;
import dev.flyteplugin.backend.runtime.TaskHandle;
import dev.flyteplugin.backend.runtime.TaskRequest;
import dev.flyteplugin.backend.runtime.TaskRuntime;
import dev.flyteplugin.backend.runtime.TaskStatus;
import dev.flyteplugin.backend.runtime.UnknownTaskTypeException;
import flyteidl.admin.AgentOuterClass.AgentError;
import flyteidl.admin.AgentOuterClass.CreateTaskRequest;
import flyteidl.admin.AgentOuterClass.CreateTaskResponse;
import flyteidl.admin.AgentOuterClass.DeleteTaskRequest;
import flyteidl.admin.AgentOuterClass.DeleteTaskResponse;
import flyteidl.admin.AgentOuterClass.GetTaskLogsRequest;
import flyteidl.admin.AgentOuterClass.GetTaskLogsResponse;
import flyteidl.admin.AgentOuterClass.GetTaskLogsResponseBody;
import flyteidl.admin.AgentOuterClass.GetTaskLogsResponseHeader;
import flyteidl.admin.AgentOuterClass.GetTaskMetricsRequest;
import flyteidl.admin.AgentOuterClass.GetTaskMetricsResponse;
import flyteidl.admin.AgentOuterClass.GetTaskRequest;
import flyteidl.admin.AgentOuterClass.GetTaskResponse;
import flyteidl.admin.AgentOuterClass.LogLine;
import flyteidl.admin.AgentOuterClass.LogLineOriginator;
import flyteidl.admin.AgentOuterClass.Resource;
import flyteidl.core.Execution.ExecutionError;
import flyteidl.core.Execution.TaskExecution;
import flyteidl.service.AsyncAgentServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * {@code flyteidl.service.AsyncAgentService} on top of a {@link TaskRuntime}. Stateless: everything
 * needed to answer for a task is in its signed {@code resource_meta} and in the cluster.
 */
public final class AsyncAgentService extends AsyncAgentServiceGrpc.AsyncAgentServiceImplBase {
  static final int LOG_LINES_PER_BODY = 500;

  static final String LOGS_UNIMPLEMENTED =
      "GetTaskLogs is not enabled on this agent (no pod log reader): read the driver pod's log"
          + " through the task's log links (kubectl logs <app>-driver -n <namespace>)";
  static final String METRICS_UNIMPLEMENTED =
      "GetTaskMetrics is not implemented by this agent: Spark metrics are served by the Spark UI"
          + " and history server linked in the task's custom info";

  private final TaskRuntime runtime;
  private final ResourceMetaCodec codec;
  private final AgentMetrics metrics;
  private final Executor blocking;
  private final Optional<PodLogs> podLogs;

  /**
   * @param blocking where CreateTask and DeleteTask run: they call the API server and may block.
   *     GetTask reads the informer cache and answers on the calling thread.
   */
  public AsyncAgentService(
      TaskRuntime runtime, ResourceMetaCodec codec, AgentMetrics metrics, Executor blocking) {
    this(runtime, codec, metrics, blocking, Optional.empty());
  }

  /**
   * @param podLogs reads the driver pod's log for GetTaskLogs; empty answers UNIMPLEMENTED
   */
  public AsyncAgentService(
      TaskRuntime runtime,
      ResourceMetaCodec codec,
      AgentMetrics metrics,
      Executor blocking,
      Optional<PodLogs> podLogs) {
    this.runtime = runtime;
    this.codec = codec;
    this.metrics = metrics;
    this.blocking = blocking;
    this.podLogs = podLogs;
  }

  @Override
  public void createTask(CreateTaskRequest request, StreamObserver<CreateTaskResponse> response) {
    long start = System.nanoTime();
    offload(
        response,
        request.getTemplate().getType(),
        "create",
        start,
        () -> create(request, response, start));
  }

  @Override
  public void deleteTask(DeleteTaskRequest request, StreamObserver<DeleteTaskResponse> response) {
    long start = System.nanoTime();
    offload(
        response,
        requestedType(request.getTaskCategory(), request.getTaskType()),
        "delete",
        start,
        () -> delete(request, response, start));
  }

  private void offload(
      StreamObserver<?> response, String taskType, String operation, long start, Runnable call) {
    try {
      blocking.execute(call);
    } catch (RejectedExecutionException e) {
      fail(
          response,
          taskType,
          operation,
          start,
          new StatusException(
              Status.UNAVAILABLE.withDescription(
                  "the agent is overloaded or shutting down: too many CreateTask/DeleteTask calls"
                      + " in progress; retry later")));
    }
  }

  private void create(
      CreateTaskRequest request, StreamObserver<CreateTaskResponse> response, long start) {
    String taskType = request.getTemplate().getType();
    try {
      TaskCategory category = validate(request);
      byte[] meta;
      try {
        TaskHandle handle =
            runtime.create(
                new TaskRequest(
                    request.getTemplate(),
                    request.getInputs(),
                    request.getOutputPrefix(),
                    request.getTaskExecutionMetadata()));
        if (!handle.category().equals(category)) {
          throw new IllegalStateException(
              "the runtime created a "
                  + handle.category()
                  + " resource for a "
                  + category
                  + " task");
        }
        meta = codec.encode(handle);
      } catch (TaskCreationException e) {
        if (e.kind() != TaskCreationException.Kind.INVALID_TASK) {
          throw e;
        }
        // A task that can never run: accept it, and let GetTask report a permanent failure.
        // Propeller would turn an error here into a retryable failure and spend the retries.
        meta = codec.encodeRejected(category, e.getMessage());
      }
      CreateTaskResponse answer =
          CreateTaskResponse.newBuilder().setResourceMeta(ByteString.copyFrom(meta)).build();
      metrics.succeeded(taskType, "create", start);
      response.onNext(answer);
      response.onCompleted();
    } catch (Exception e) {
      fail(response, taskType, "create", start, e);
    }
  }

  @Override
  public void getTask(GetTaskRequest request, StreamObserver<GetTaskResponse> response) {
    long start = System.nanoTime();
    String taskType = requestedType(request.getTaskCategory(), request.getTaskType());
    if (runtime.hasSynced()) {
      get(request, response, taskType, start); // a cache read: answer on this thread
    } else {
      // Until the informers have synced the runtime reads the API server directly: not on the
      // transport thread.
      offload(response, taskType, "get", start, () -> get(request, response, taskType, start));
    }
  }

  private void get(
      GetTaskRequest request,
      StreamObserver<GetTaskResponse> response,
      String taskType,
      long start) {
    try {
      ResourceMeta meta =
          verifiedMeta(request.getResourceMeta(), request.getTaskCategory(), request.getTaskType());
      TaskStatus status =
          meta instanceof ResourceMeta.Rejected rejected
              ? rejectedStatus(rejected)
              : runtime.status(((ResourceMeta.Created) meta).handle());
      GetTaskResponse answer = GetTaskResponse.newBuilder().setResource(toResource(status)).build();
      metrics.succeeded(taskType, "get", start);
      response.onNext(answer);
      response.onCompleted();
    } catch (Exception e) {
      fail(response, taskType, "get", start, e);
    }
  }

  private void delete(
      DeleteTaskRequest request, StreamObserver<DeleteTaskResponse> response, long start) {
    String taskType = requestedType(request.getTaskCategory(), request.getTaskType());
    try {
      ResourceMeta meta =
          verifiedMeta(request.getResourceMeta(), request.getTaskCategory(), request.getTaskType());
      if (meta instanceof ResourceMeta.Created created) {
        runtime.abort(created.handle());
      } // a rejected task has no resource: nothing to delete
      metrics.succeeded(taskType, "delete", start);
      response.onNext(DeleteTaskResponse.getDefaultInstance());
      response.onCompleted();
    } catch (Exception e) {
      fail(response, taskType, "delete", start, e);
    }
  }

  @Override
  public void getTaskMetrics(
      GetTaskMetricsRequest request, StreamObserver<GetTaskMetricsResponse> response) {
    response.onError(Status.UNIMPLEMENTED.withDescription(METRICS_UNIMPLEMENTED).asException());
  }

  /**
   * Streams the driver pod's log ({@code <resource name>-driver}, the Spark operator's naming): a
   * header, then the lines in bodies of at most {@value #LOG_LINES_PER_BODY}. The meta is verified
   * first, so a forged meta cannot read another pod's log.
   */
  @Override
  public void getTaskLogs(
      GetTaskLogsRequest request, StreamObserver<GetTaskLogsResponse> response) {
    if (podLogs.isEmpty()) {
      response.onError(Status.UNIMPLEMENTED.withDescription(LOGS_UNIMPLEMENTED).asException());
      return;
    }
    long start = System.nanoTime();
    String taskType = requestedType(request.getTaskCategory(), request.getTaskType());
    offload(
        response,
        taskType,
        "logs",
        start,
        () -> {
          try {
            TaskHandle handle =
                verifiedHandle(
                    request.getResourceMeta(), request.getTaskCategory(), request.getTaskType());
            int lines = (int) Math.min(request.getLines(), Integer.MAX_VALUE);
            List<String> log =
                podLogs.get().tail(handle.namespace(), handle.name() + "-driver", lines);
            response.onNext(
                GetTaskLogsResponse.newBuilder()
                    .setHeader(GetTaskLogsResponseHeader.getDefaultInstance())
                    .build());
            for (int from = 0; from < log.size(); from += LOG_LINES_PER_BODY) {
              GetTaskLogsResponseBody.Builder body = GetTaskLogsResponseBody.newBuilder();
              for (String line :
                  log.subList(from, Math.min(log.size(), from + LOG_LINES_PER_BODY))) {
                body.addResults(line)
                    .addStructuredLines(
                        LogLine.newBuilder()
                            .setMessage(line)
                            .setOriginator(LogLineOriginator.USER));
              }
              response.onNext(GetTaskLogsResponse.newBuilder().setBody(body).build());
            }
            metrics.succeeded(taskType, "logs", start);
            response.onCompleted();
          } catch (Exception e) {
            fail(response, taskType, "logs", start, e);
          }
        });
  }

  /** Checks the request's fields and that a plugin serves its task type. */
  private TaskCategory validate(CreateTaskRequest request) throws StatusException {
    if (!request.hasTemplate()) {
      throw invalid("template is missing: CreateTaskRequest.template must hold the task template");
    }
    if (request.getTemplate().getType().isBlank()) {
      throw invalid("template.type is empty: it names the task type, e.g. example_plugin");
    }
    if (request.getOutputPrefix().isBlank()) {
      throw invalid(
          "output_prefix is empty: it says where the task writes outputs.pb, e.g."
              + " s3://bucket/metadata/.../0");
    }
    if (!request.hasTaskExecutionMetadata()) {
      throw invalid(
          "task_execution_metadata is missing: the agent needs its namespace and task execution id");
    }
    TaskCategory category =
        new TaskCategory(
            request.getTemplate().getType(), request.getTemplate().getTaskTypeVersion());
    List<TaskCategory> served = runtime.taskCategories();
    if (!served.contains(category)) {
      throw new UnknownTaskTypeException(
          category,
          "no plugin of this agent serves task type "
              + category
              + "; it serves "
              + served
              + " (check the task's type and task_type_version, and propeller's"
              + " connectorForTaskTypes)");
    }
    return category;
  }

  /** Decodes and verifies the meta, then checks it belongs to the category the request names. */
  private TaskHandle verifiedHandle(
      ByteString meta, flyteidl.admin.AgentOuterClass.TaskCategory requested, String taskType)
      throws ResourceMetaException {
    return ResourceMetaCodec.handleOf(verifiedMeta(meta, requested, taskType));
  }

  private ResourceMeta verifiedMeta(
      ByteString meta, flyteidl.admin.AgentOuterClass.TaskCategory requested, String taskType)
      throws ResourceMetaException {
    ResourceMeta decoded = codec.decodeMeta(meta.toByteArray());
    String requestedName = requested.getName().isEmpty() ? taskType : requested.getName();
    if (requestedName.isEmpty()) {
      return decoded;
    }
    boolean sameName = decoded.category().name().equals(requestedName);
    boolean sameVersion =
        requested.getName().isEmpty() || decoded.category().version() == requested.getVersion();
    if (!sameName || !sameVersion) {
      throw new ResourceMetaException(
          "resource_meta belongs to task category "
              + decoded.category()
              + " but the request's task_category is "
              + (requested.getName().isEmpty()
                  ? requestedName
                  : new TaskCategory(requested.getName(), requested.getVersion())));
    }
    return decoded;
  }

  /** A permanent user failure: the task's own definition is what is wrong. */
  static TaskStatus rejectedStatus(ResourceMeta.Rejected rejected) {
    return new TaskStatus(
        TaskExecution.Phase.FAILED,
        "InvalidTask",
        rejected.message(),
        List.of(),
        Struct.getDefaultInstance(),
        Optional.of(
            ExecutionError.newBuilder()
                .setCode("InvalidTask")
                .setMessage(rejected.message())
                .setKind(ExecutionError.ErrorKind.USER)
                .build()));
  }

  static Resource toResource(TaskStatus status) {
    Resource.Builder resource =
        Resource.newBuilder()
            .setPhase(status.phase())
            .setMessage(status.message())
            .addAllLogLinks(status.logLinks())
            .setCustomInfo(status.customInfo());
    if (isFailure(status.phase())) {
      AgentError.Builder error =
          AgentError.newBuilder()
              .setCode(status.reason())
              .setKind(
                  status.phase() == TaskExecution.Phase.RETRYABLE_FAILED
                      ? AgentError.Kind.RECOVERABLE
                      : AgentError.Kind.NON_RECOVERABLE);
      status.error().ifPresent(e -> error.setOrigin(e.getKind()));
      if (status.error().isEmpty()) {
        error.setOrigin(ExecutionError.ErrorKind.SYSTEM);
      }
      resource.setAgentError(error);
    }
    return resource.build();
  }

  private static boolean isFailure(TaskExecution.Phase phase) {
    return phase == TaskExecution.Phase.FAILED
        || phase == TaskExecution.Phase.RETRYABLE_FAILED
        || phase == TaskExecution.Phase.ABORTED;
  }

  private static String requestedType(
      flyteidl.admin.AgentOuterClass.TaskCategory category, String taskType) {
    String name = category.getName().isEmpty() ? taskType : category.getName();
    return name.isEmpty() ? "unknown" : name;
  }

  private void fail(
      StreamObserver<?> response, String taskType, String operation, long start, Exception e) {
    StatusException status = GrpcErrors.toStatus(e);
    metrics.failed(
        taskType.isEmpty() ? "unknown" : taskType, operation, status.getStatus().getCode(), start);
    response.onError(status);
  }

  private static StatusException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asException();
  }
}
