package dev.flyteplugin.backend.agent;

import com.google.protobuf.ByteString;
import com.google.protobuf.Struct;
import dev.flyteplugin.backend.runtime.Deadline;
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
import flyteidl.admin.AgentOuterClass.GetTaskLogsResponseHeader;
import flyteidl.admin.AgentOuterClass.GetTaskMetricsRequest;
import flyteidl.admin.AgentOuterClass.GetTaskMetricsResponse;
import flyteidl.admin.AgentOuterClass.GetTaskRequest;
import flyteidl.admin.AgentOuterClass.GetTaskResponse;
import flyteidl.admin.AgentOuterClass.Resource;
import flyteidl.core.Execution.ExecutionError;
import flyteidl.core.Execution.TaskExecution;
import flyteidl.service.AsyncAgentServiceGrpc;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code flyteidl.service.AsyncAgentService} on top of a {@link TaskRuntime}. Stateless: everything
 * needed to answer for a task is in its signed {@code resource_meta} and in the cluster.
 */
public final class AsyncAgentService extends AsyncAgentServiceGrpc.AsyncAgentServiceImplBase {

  static final String LOGS_UNIMPLEMENTED =
      "GetTaskLogs is not enabled on this agent (no pod log reader): read the task's pod log"
          + " through the task's log links (kubectl logs <pod> -n <namespace>)";
  static final String METRICS_UNIMPLEMENTED =
      "GetTaskMetrics is not implemented by this agent: the operators' own UIs (Spark UI and"
          + " history server, Flink UI) linked in the task's custom info serve the metrics";

  private final TaskRuntime runtime;
  private final ResourceMetaCodec codec;
  private final AgentMetrics metrics;
  private final Executor blocking;
  private final Optional<PodLogs> podLogs;
  private final FlyteRelease minFlyteRelease;
  private final long maxLogBytes;
  private final Clock clock = Clock.systemUTC();

  /**
   * @param blocking where CreateTask and DeleteTask run (they call the API server and may block),
   *     and GetTask when the informer cache cannot answer alone
   */
  public AsyncAgentService(
      TaskRuntime runtime, ResourceMetaCodec codec, AgentMetrics metrics, Executor blocking) {
    this(runtime, codec, metrics, blocking, Optional.empty(), FlyteRelease.CONNECTOR_SERVICE);
  }

  /**
   * @param podLogs reads the driver pod's log for GetTaskLogs; empty answers UNIMPLEMENTED
   * @param minFlyteRelease the oldest Flyte release whose propeller calls this agent: decides
   *     whether a retryable failure may be answered as {@code RETRYABLE_FAILED}
   */
  public AsyncAgentService(
      TaskRuntime runtime,
      ResourceMetaCodec codec,
      AgentMetrics metrics,
      Executor blocking,
      Optional<PodLogs> podLogs,
      FlyteRelease minFlyteRelease) {
    this(
        runtime,
        codec,
        metrics,
        blocking,
        podLogs,
        minFlyteRelease,
        AgentServer.Settings.DEFAULT_MAX_LOG_BYTES);
  }

  /**
   * @param maxLogBytes the most bytes of a pod log one GetTaskLogs call returns
   */
  public AsyncAgentService(
      TaskRuntime runtime,
      ResourceMetaCodec codec,
      AgentMetrics metrics,
      Executor blocking,
      Optional<PodLogs> podLogs,
      FlyteRelease minFlyteRelease,
      long maxLogBytes) {
    this.maxLogBytes = maxLogBytes;
    this.runtime = runtime;
    this.codec = codec;
    this.metrics = metrics;
    this.blocking = blocking;
    this.podLogs = podLogs;
    this.minFlyteRelease = minFlyteRelease;
  }

  @Override
  public void createTask(CreateTaskRequest request, StreamObserver<CreateTaskResponse> response) {
    long start = System.nanoTime();
    String taskType = request.getTemplate().getType();
    Deadline deadline = callerDeadline(); // on the gRPC thread: the call's Context is current here
    offload(
        response,
        taskType,
        "create",
        start,
        () -> {
          if (!callerGone(deadline, response, taskType, "create", start)) {
            create(request, response, start, deadline);
          }
        });
  }

  @Override
  public void deleteTask(DeleteTaskRequest request, StreamObserver<DeleteTaskResponse> response) {
    long start = System.nanoTime();
    String taskType = requestedType(request.getTaskCategory(), request.getTaskType());
    Deadline deadline = callerDeadline();
    offload(
        response,
        taskType,
        "delete",
        start,
        () -> {
          if (!callerGone(deadline, response, taskType, "delete", start)) {
            delete(request, response, start, deadline);
          }
        });
  }

  /**
   * The deadline and cancellation of the current gRPC call, as the runtime's {@link Deadline}.
   * Propeller sets the configured CreateTask/DeleteTask timeout on each call ({@code
   * getFinalContext} in {@code flyteplugins/go/tasks/plugins/webapi/connector/client.go}); a routed
   * connector entry without timeouts has none. Must run on the thread that received the call.
   */
  static Deadline callerDeadline() {
    Context call = Context.current();
    io.grpc.Deadline deadline = call.getDeadline();
    if (deadline == null) {
      return new Deadline(Optional.empty(), call::isCancelled);
    }
    return Deadline.at(
        Instant.now().plusNanos(deadline.timeRemaining(TimeUnit.NANOSECONDS)), call::isCancelled);
  }

  /**
   * True (and the call answered) when the caller has cancelled or its deadline passed while the
   * request waited in the executor's queue: nothing is started for a caller that is gone. Propeller
   * has already turned that attempt into a retryable failure ({@code launch} in {@code
   * pluginmachinery/internal/webapi/launcher.go}) and will create a new attempt; a resource made
   * now would be tracked by nobody.
   */
  private boolean callerGone(
      Deadline deadline,
      StreamObserver<?> response,
      String taskType,
      String operation,
      long start) {
    if (!deadline.isOver(clock)) {
      return false;
    }
    boolean expired =
        deadline.remaining(clock).map(d -> d.isNegative() || d.isZero()).orElse(false);
    Status status = expired ? Status.DEADLINE_EXCEEDED : Status.CANCELLED;
    fail(
        response,
        taskType,
        operation,
        start,
        status
            .withDescription(
                "the caller's deadline passed or it cancelled while the request waited for a"
                    + " worker; nothing was done")
            .asException());
    return true;
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
      CreateTaskRequest request,
      StreamObserver<CreateTaskResponse> response,
      long start,
      Deadline deadline) {
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
                    request.getTaskExecutionMetadata()),
                deadline);
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
      metrics.succeeded(label(taskType), "create", start);
      response.onNext(answer);
      response.onCompleted();
    } catch (Exception e) {
      fail(response, taskType, "create", start, e);
    }
  }

  /**
   * Answers from the informer cache on the transport thread when it can ({@link
   * TaskRuntime#cachedStatus}), otherwise runs {@link TaskRuntime#status} (which may read the API
   * server) on the executor. GetTask fails only for a bad request: propeller counts every GetTask
   * error against the task, never resets the count and stops polling it after {@code
   * MaxSystemFailures} (5) of them ({@code ResourceCache.SyncResource} in {@code
   * pluginmachinery/internal/webapi/cache.go}), leaving the task stuck until its timeout.
   */
  @Override
  public void getTask(GetTaskRequest request, StreamObserver<GetTaskResponse> response) {
    long start = System.nanoTime();
    String taskType = requestedType(request.getTaskCategory(), request.getTaskType());
    // Set before returning (grpc-java allows it only during the initial call): once a terminal
    // status has been sent and the call closed cleanly, the runtime may clean the resource up.
    AtomicReference<TaskHandle> terminalSent = new AtomicReference<>();
    boolean closeHook = response instanceof ServerCallStreamObserver<?>;
    if (closeHook) {
      ((ServerCallStreamObserver<?>) response)
          .setOnCloseHandler(
              () -> {
                TaskHandle handle = terminalSent.get();
                if (handle != null) {
                  runtime.markReported(handle);
                }
              });
    }
    TaskHandle handle;
    try {
      ResourceMeta meta =
          verifiedMeta(request.getResourceMeta(), request.getTaskCategory(), request.getTaskType());
      if (meta instanceof ResourceMeta.Rejected rejected) {
        answer(response, taskType, start, rejectedStatus(rejected), null, null, closeHook);
        return;
      }
      handle = ((ResourceMeta.Created) meta).handle();
      Optional<TaskStatus> cached = runtime.cachedStatus(handle);
      if (cached.isPresent()) {
        answer(response, taskType, start, cached.get(), handle, terminalSent, closeHook);
        return;
      }
    } catch (Exception e) {
      fail(response, taskType, "get", start, e);
      return;
    }
    Runnable read =
        () -> {
          try {
            answer(
                response, taskType, start, runtime.status(handle), handle, terminalSent, closeHook);
          } catch (Exception e) {
            fail(response, taskType, "get", start, e);
          }
        };
    try {
      blocking.execute(read);
    } catch (RejectedExecutionException e) {
      // Executor full or shutting down: answer on this thread rather than spend one of the
      // task's five GetTask errors.
      read.run();
    }
  }

  private void answer(
      StreamObserver<GetTaskResponse> response,
      String taskType,
      long start,
      TaskStatus status,
      TaskHandle handle,
      AtomicReference<TaskHandle> terminalSent,
      boolean closeHook) {
    Resource resource = toResource(status, minFlyteRelease);
    boolean terminal = isTerminal(resource.getPhase());
    if (terminal && handle != null) {
      terminalSent.set(handle);
    }
    metrics.succeeded(label(taskType), "get", start);
    response.onNext(GetTaskResponse.newBuilder().setResource(resource).build());
    response.onCompleted();
    if (terminal && handle != null && !closeHook) {
      runtime.markReported(handle); // no transport to tell when the answer left: now
    }
  }

  private void delete(
      DeleteTaskRequest request,
      StreamObserver<DeleteTaskResponse> response,
      long start,
      Deadline deadline) {
    String taskType = requestedType(request.getTaskCategory(), request.getTaskType());
    try {
      ResourceMeta meta =
          verifiedMeta(request.getResourceMeta(), request.getTaskCategory(), request.getTaskType());
      if (meta instanceof ResourceMeta.Created created) {
        runtime.abort(created.handle(), deadline);
      } // a rejected task has no resource: nothing to delete
      metrics.succeeded(label(taskType), "delete", start);
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
   * Streams the log of the pod the task's plugin names ({@code OperatorPlugin.logSource}: Spark's
   * driver, Flink's JobManager): a header, then the lines in bodies (at most {@value
   * LogStreamer#BODY_LINES} lines or {@value LogStreamer#BODY_BYTES} bytes each), at most {@code
   * maxLogBytes} of the log, sent only as fast as the caller reads ({@link LogStreamer}). The meta
   * is verified and its namespace checked first, so a forged meta cannot read another pod's log.
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
    if (!(response instanceof ServerCallStreamObserver<GetTaskLogsResponse> call)) {
      response.onError(
          Status.INTERNAL.withDescription("GetTaskLogs needs a gRPC server call").asException());
      return;
    }
    LogStreamer streamer = new LogStreamer();
    call.setOnReadyHandler(streamer::onReady); // only allowed before this method returns
    call.setOnCancelHandler(streamer::onReady);
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
            runtime.checkNamespace(handle);
            int lines = (int) Math.min(request.getLines(), Integer.MAX_VALUE);
            int limit = (int) Math.min(maxLogBytes + 1, Integer.MAX_VALUE);
            java.util.Optional<dev.flyteplugin.backend.api.LogSource> source =
                runtime.logSource(handle);
            if (source.isEmpty()) {
              throw Status.UNIMPLEMENTED
                  .withDescription(
                      "the plugin of task type "
                          + taskType
                          + " names no pod whose log GetTaskLogs could stream; use the task's log"
                          + " links")
                  .asException();
            }
            try (java.io.InputStream log =
                podLogs.get().open(source.get(), handle.namespace(), lines, limit)) {
              response.onNext(
                  GetTaskLogsResponse.newBuilder()
                      .setHeader(GetTaskLogsResponseHeader.getDefaultInstance())
                      .build());
              streamer.stream(log, call, maxLogBytes);
            }
            metrics.succeeded(label(taskType), "logs", start);
            response.onCompleted();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(response, taskType, "logs", start, e);
          } catch (Exception e) {
            if (call.isCancelled()) {
              metrics.failed(label(taskType), "logs", Status.Code.CANCELLED, start);
              return;
            }
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

  /**
   * What propeller is told. Every failure's {@code message} starts with {@code [reason]}: the Get
   * path of propeller's plugin copies {@code phase}, {@code message}, log links and custom info,
   * but not {@code agent_error} ({@code Plugin.Get} in {@code
   * flyteplugins/go/tasks/plugins/webapi/connector/plugin.go}, v1.16.8), so the message is the only
   * place the reason reaches the user ({@code "failed to run the job: <message>"} in {@code
   * Plugin.Status}). Before Flyte 1.16 {@code RETRYABLE_FAILED} is an unknown phase there (a system
   * error every round), so a retryable failure is answered {@code FAILED} and says it was
   * retryable.
   */
  static Resource toResource(TaskStatus status, FlyteRelease minFlyteRelease) {
    TaskExecution.Phase phase = status.phase();
    String message = status.message();
    if (isFailure(phase)) {
      String reason = status.reason().isBlank() ? "TaskFailed" : status.reason();
      String prefix = "[" + reason + "] ";
      if (phase == TaskExecution.Phase.RETRYABLE_FAILED
          && !minFlyteRelease.understandsRetryableFailed()) {
        phase = TaskExecution.Phase.FAILED;
        prefix +=
            "retryable failure, reported as permanent (FAILED) because Flyte releases before "
                + FlyteRelease.RETRYABLE_FAILED_PHASE
                + " cannot retry on an agent's RETRYABLE_FAILED: ";
      } else if (phase == TaskExecution.Phase.RETRYABLE_FAILED) {
        prefix += "retryable failure: ";
      } else if (phase == TaskExecution.Phase.FAILED) {
        prefix += "permanent failure: ";
      }
      message = message.startsWith(prefix) ? message : prefix + message;
    }
    Resource.Builder resource =
        Resource.newBuilder()
            .setPhase(phase)
            .setMessage(message)
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

  private static boolean isTerminal(TaskExecution.Phase phase) {
    return phase == TaskExecution.Phase.SUCCEEDED || isFailure(phase);
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
    metrics.failed(label(taskType), operation, status.getStatus().getCode(), start);
    response.onError(status);
  }

  /**
   * The task_type metric label: a served task type, else "unknown". The type comes from the caller;
   * used as is, every new string would add time series to the registry without bound.
   */
  private String label(String taskType) {
    for (TaskCategory served : runtime.taskCategories()) {
      if (served.name().equals(taskType)) {
        return taskType;
      }
    }
    return "unknown";
  }

  private static StatusException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asException();
  }
}
