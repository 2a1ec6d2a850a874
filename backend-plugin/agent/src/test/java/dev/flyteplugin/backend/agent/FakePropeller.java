package dev.flyteplugin.backend.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.flyteplugin.proto.example.ExamplePlugin;
import dev.flyteplugin.proto.example.v1.DriverSpec;
import dev.flyteplugin.proto.example.v1.ExecutorSpec;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;
import flyteidl.admin.AgentOuterClass.CreateTaskRequest;
import flyteidl.admin.AgentOuterClass.DeleteTaskRequest;
import flyteidl.admin.AgentOuterClass.GetTaskRequest;
import flyteidl.admin.AgentOuterClass.Resource;
import flyteidl.admin.AgentOuterClass.TaskCategory;
import flyteidl.admin.AgentOuterClass.TaskExecutionMetadata;
import flyteidl.core.Execution.TaskExecution;
import flyteidl.core.IdentifierOuterClass.Identifier;
import flyteidl.core.IdentifierOuterClass.NodeExecutionIdentifier;
import flyteidl.core.IdentifierOuterClass.ResourceType;
import flyteidl.core.IdentifierOuterClass.TaskExecutionIdentifier;
import flyteidl.core.IdentifierOuterClass.WorkflowExecutionIdentifier;
import flyteidl.core.Literals.LiteralMap;
import flyteidl.core.Tasks.Container;
import flyteidl.core.Tasks.TaskTemplate;
import flyteidl.service.AgentMetadataServiceGrpc;
import flyteidl.service.AsyncAgentServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The calls propeller's connector-service plugin makes, over a real gRPC channel: it uploads
 * inputs.pb to a fresh output prefix, renders the container args as propeller does, and sends
 * CreateTask / GetTask / DeleteTask with the same fields ({@code Plugin.Create/Get/Delete} and
 * {@code buildTaskExecutionMetadata} in {@code flyteplugins/go/tasks/plugins/webapi/connector/
 * plugin.go}, v1.16.8).
 *
 * <p>{@link #pollUntilTerminal} polls as propeller's web-API machinery does, and FAILS the test
 * where propeller would have given up on the task: the auto-refresh cache polls at once after
 * create ({@code WithSyncOnCreate}, flytestdlib {@code cache/in_memory_auto_refresh.go}) and then
 * every resync period; {@code ResourceCache.SyncResource} ({@code
 * pluginmachinery/internal/webapi/cache.go}) counts every GetTask error, never resets the count,
 * and once it exceeds {@code MaxSystemFailures} (5, connector {@code config.go}) marks the task a
 * system failure without polling again. A phase the release's {@code Plugin.Status} does not know
 * (RETRYABLE_FAILED before 1.16) fails the test too.
 */
final class FakePropeller implements AutoCloseable {
  /** {@code webapi.CachingConfig.MaxSystemFailures} of the connector plugin's default config. */
  static final int MAX_SYSTEM_FAILURES = 5;

  static final TaskCategory EXAMPLE_PLUGIN =
      TaskCategory.newBuilder()
          .setName(ExamplePlugin.TASK_TYPE)
          .setVersion(ExamplePlugin.TASK_TYPE_VERSION)
          .build();

  private final ManagedChannel channel;
  private final AsyncAgentServiceGrpc.AsyncAgentServiceBlockingStub agent;
  private final AgentMetadataServiceGrpc.AgentMetadataServiceBlockingStub metadata;
  private final FlyteRelease release;
  private final Duration pollInterval;
  private final List<String> getTaskErrors = new CopyOnWriteArrayList<>();

  /** Propeller 1.16.8 (connector-service), polling every 20 ms (30 s in a deployment). */
  FakePropeller(int port) {
    this(port, new FlyteRelease(1, 16, 8), Duration.ofMillis(20));
  }

  FakePropeller(int port, FlyteRelease release, Duration pollInterval) {
    this.channel = ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
    this.agent = AsyncAgentServiceGrpc.newBlockingStub(channel);
    this.metadata = AgentMetadataServiceGrpc.newBlockingStub(channel);
    this.release = release;
    this.pollInterval = pollInterval;
  }

  /** Every GetTask error {@link #pollUntilTerminal} has seen (propeller's failure count). */
  List<String> getTaskErrors() {
    return List.copyOf(getTaskErrors);
  }

  /** The agent stub with propeller's default 10 s deadline for this call. */
  AsyncAgentServiceGrpc.AsyncAgentServiceBlockingStub agent() {
    return agent.withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  AgentMetadataServiceGrpc.AgentMetadataServiceBlockingStub metadata() {
    return metadata.withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  ManagedChannel channel() {
    return channel;
  }

  /**
   * A CreateTaskRequest for a task named {@code taskName}: inputs.pb written under {@code
   * outputPrefix} (a local directory, file:// storage), args rendered.
   */
  static CreateTaskRequest createRequest(
      String taskName, LiteralMap inputs, Path outputPrefix, int attempt) throws Exception {
    return createRequest(taskName, inputs, outputPrefix, attempt, Map.of());
  }

  /**
   * @param executionEnv the execution's environment variables ({@code pyflyte run --env}, the
   *     launch plan's envs): all propeller sends as {@code environment_variables}. It sends no
   *     {@code FLYTE_INTERNAL_*} variable (those are set in pods propeller builds itself).
   */
  static CreateTaskRequest createRequest(
      String taskName,
      LiteralMap inputs,
      Path outputPrefix,
      int attempt,
      Map<String, String> executionEnv)
      throws Exception {
    Files.createDirectories(outputPrefix);
    Path inputsPb = outputPrefix.resolve("inputs.pb");
    Files.write(inputsPb, inputs.toByteArray());
    SparkApplicationConfig config =
        SparkApplicationConfig.newBuilder()
            .setApplicationType(SparkApplicationConfig.ApplicationType.JAVA)
            .setSparkVersion("3.5.3")
            .setMainClass("org.flyte.jflyte.Main")
            .setMainApplicationFile("local:///opt/app/jflyte.jar")
            .setDriver(DriverSpec.newBuilder().setCores(1).setMemory("1g"))
            .setExecutor(ExecutorSpec.newBuilder().setInstances(1).setCores(1).setMemory("1g"))
            .build();
    TaskTemplate template =
        TaskTemplate.newBuilder()
            .setId(
                Identifier.newBuilder()
                    .setResourceType(ResourceType.TASK)
                    .setProject("flytesnacks")
                    .setDomain("development")
                    .setName(taskName)
                    .setVersion("v1"))
            .setType(ExamplePlugin.TASK_TYPE)
            .setTaskTypeVersion(ExamplePlugin.TASK_TYPE_VERSION)
            .setCustom(ExamplePlugin.encode(config))
            .setContainer(
                Container.newBuilder()
                    .setImage("example/app:v1")
                    .addAllArgs(
                        List.of(
                            "jflyte",
                            "execute",
                            "--task",
                            taskName,
                            "--inputs",
                            inputsPb.toUri().toString(),
                            "--outputPrefix",
                            outputPrefix.toUri().toString(),
                            "--taskTemplatePath",
                            outputPrefix.resolve("task.pb").toUri().toString())))
            .build();
    TaskExecutionIdentifier id =
        TaskExecutionIdentifier.newBuilder()
            .setTaskId(template.getId())
            .setNodeExecutionId(
                NodeExecutionIdentifier.newBuilder()
                    .setNodeId("n0")
                    .setExecutionId(
                        WorkflowExecutionIdentifier.newBuilder()
                            .setProject("flytesnacks")
                            .setDomain("development")
                            .setName("f" + Long.toHexString(System.nanoTime()))))
            .setRetryAttempt(attempt)
            .build();
    return CreateTaskRequest.newBuilder()
        .setInputs(inputs)
        .setTemplate(template)
        .setOutputPrefix(outputPrefix.toUri().toString())
        .setTaskExecutionMetadata(
            TaskExecutionMetadata.newBuilder()
                .setTaskExecutionId(id)
                .setNamespace("flytesnacks-development")
                .putLabels("team", "data")
                // GetExecutionConfig().EnvironmentVariables in propeller's taskExecutionMetadata
                .putAllEnvironmentVariables(executionEnv)
                .setK8SServiceAccount("default"))
        .build();
  }

  /**
   * The category propeller sends with each call for a task: the task template's type and version
   * (connector/agent-service plugin: {@code admin.TaskCategory{Name: taskTemplate.Type, Version:
   * taskTemplate.TaskTypeVersion}}), remembered per task as propeller keeps the template.
   */
  private final java.util.Map<ByteString, TaskCategory> categories =
      new java.util.concurrent.ConcurrentHashMap<>();

  ByteString create(CreateTaskRequest request) {
    ByteString meta = agent().createTask(request).getResourceMeta();
    categories.put(
        meta,
        TaskCategory.newBuilder()
            .setName(request.getTemplate().getType())
            .setVersion(request.getTemplate().getTaskTypeVersion())
            .build());
    return meta;
  }

  private TaskCategory category(ByteString meta) {
    return categories.getOrDefault(meta, EXAMPLE_PLUGIN);
  }

  /** One GetTask as propeller sends it (errors are thrown: see {@link #pollUntilTerminal}). */
  Resource get(ByteString meta) {
    return get(meta, "");
  }

  Resource get(ByteString meta, String outputPrefix) {
    GetTaskRequest.Builder request =
        GetTaskRequest.newBuilder()
            .setTaskType(category(meta).getName())
            .setTaskCategory(category(meta))
            .setResourceMeta(meta);
    if (release.compareTo(FlyteRelease.CONNECTOR_SERVICE) >= 0) {
      request.setOutputPrefix(outputPrefix); // the connector plugin sends it, agent-service not
    }
    return agent().getTask(request.build()).getResource();
  }

  void delete(ByteString meta) {
    agent()
        .deleteTask(
            DeleteTaskRequest.newBuilder()
                .setTaskType(category(meta).getName())
                .setTaskCategory(category(meta))
                .setResourceMeta(meta)
                .build());
  }

  /**
   * Polls GetTask as propeller does until a terminal phase: at once, then every poll interval.
   * Fails the test when propeller would have stopped polling (more than {@value
   * #MAX_SYSTEM_FAILURES} GetTask errors over the task's life) or could not read the phase.
   */
  Resource pollUntilTerminal(ByteString meta, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int failures = 0;
    while (true) {
      Resource resource = null;
      try {
        resource = get(meta);
      } catch (StatusRuntimeException e) {
        failures++;
        getTaskErrors.add(e.getStatus().toString());
        if (failures > MAX_SYSTEM_FAILURES) {
          throw new AssertionError(
              "propeller would have stopped polling this task (SyncFailureCount "
                  + failures
                  + " > MaxSystemFailures "
                  + MAX_SYSTEM_FAILURES
                  + ", never reset) and marked it a system failure; GetTask errors: "
                  + getTaskErrors);
        }
      }
      if (resource != null) {
        checkPropellerKnows(resource);
        if (isTerminal(resource.getPhase())) {
          return resource;
        }
      }
      assertThat(System.nanoTime())
          .as("task still %s", resource == null ? "unknown" : resource.getPhase())
          .isLessThan(deadline);
      Thread.sleep(pollInterval.toMillis());
    }
  }

  /** {@code Plugin.Status} of the release: an unknown phase is a system error every round. */
  private void checkPropellerKnows(Resource resource) {
    TaskExecution.Phase phase = resource.getPhase();
    if (phase == TaskExecution.Phase.RETRYABLE_FAILED && !release.understandsRetryableFailed()) {
      throw new AssertionError(
          "propeller "
              + release
              + " does not know RETRYABLE_FAILED (its Plugin.Status has no case for it before"
              + " 1.16.0): 'unknown execution phase', a system error every round; message: "
              + resource.getMessage());
    }
    if (phase == TaskExecution.Phase.UNDEFINED || phase == TaskExecution.Phase.UNRECOGNIZED) {
      throw new AssertionError("propeller cannot map phase " + phase + " (State is unset too)");
    }
  }

  static boolean isTerminal(TaskExecution.Phase phase) {
    return phase == TaskExecution.Phase.SUCCEEDED
        || phase == TaskExecution.Phase.FAILED
        || phase == TaskExecution.Phase.RETRYABLE_FAILED
        || phase == TaskExecution.Phase.ABORTED;
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
