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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The calls propeller's connector-service plugin makes, over a real gRPC channel: it uploads
 * inputs.pb to a fresh output prefix, renders the container args as propeller does, and sends
 * CreateTask / GetTask / DeleteTask with the same fields.
 */
final class FakePropeller implements AutoCloseable {
  static final TaskCategory EXAMPLE_PLUGIN =
      TaskCategory.newBuilder()
          .setName(ExamplePlugin.TASK_TYPE)
          .setVersion(ExamplePlugin.TASK_TYPE_VERSION)
          .build();

  private final ManagedChannel channel;
  private final AsyncAgentServiceGrpc.AsyncAgentServiceBlockingStub agent;
  private final AgentMetadataServiceGrpc.AgentMetadataServiceBlockingStub metadata;

  FakePropeller(int port) {
    this.channel = ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
    this.agent = AsyncAgentServiceGrpc.newBlockingStub(channel);
    this.metadata = AgentMetadataServiceGrpc.newBlockingStub(channel);
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
                // What propeller puts into every task container's environment.
                .putEnvironmentVariables("FLYTE_INTERNAL_EXECUTION_PROJECT", "flytesnacks")
                .putEnvironmentVariables("FLYTE_INTERNAL_EXECUTION_DOMAIN", "development")
                .putEnvironmentVariables("FLYTE_INTERNAL_TASK_PROJECT", "flytesnacks")
                .putEnvironmentVariables("FLYTE_INTERNAL_TASK_DOMAIN", "development")
                .putEnvironmentVariables("FLYTE_INTERNAL_TASK_NAME", taskName)
                .putEnvironmentVariables("FLYTE_INTERNAL_TASK_VERSION", "v1")
                .putEnvironmentVariables("FLYTE_INTERNAL_PROJECT", "flytesnacks")
                .putEnvironmentVariables("FLYTE_INTERNAL_DOMAIN", "development")
                .putEnvironmentVariables("FLYTE_INTERNAL_VERSION", "v1")
                .setK8SServiceAccount("default"))
        .build();
  }

  ByteString create(CreateTaskRequest request) {
    return agent().createTask(request).getResourceMeta();
  }

  Resource get(ByteString meta) {
    return agent()
        .getTask(
            GetTaskRequest.newBuilder()
                .setResourceMeta(meta)
                .setTaskCategory(EXAMPLE_PLUGIN)
                .build())
        .getResource();
  }

  void delete(ByteString meta) {
    agent()
        .deleteTask(
            DeleteTaskRequest.newBuilder()
                .setResourceMeta(meta)
                .setTaskCategory(EXAMPLE_PLUGIN)
                .build());
  }

  /** Polls GetTask (as propeller's auto-refresh cache does) until a terminal phase. */
  Resource pollUntilTerminal(ByteString meta, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Resource resource = get(meta);
      switch (resource.getPhase()) {
        case SUCCEEDED, FAILED, RETRYABLE_FAILED, ABORTED:
          return resource;
        default:
          break;
      }
      assertThat(System.nanoTime()).as("task still %s", resource.getPhase()).isLessThan(deadline);
      Thread.sleep(20);
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
