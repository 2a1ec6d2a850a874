package dev.flyteplugin.backend.spark;

import com.google.protobuf.Struct;
import dev.flyteplugin.backend.api.TaskContext;
import dev.flyteplugin.backend.runtime.TaskRequest;
import dev.flyteplugin.proto.example.ExamplePlugin;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;
import flyteidl.admin.AgentOuterClass.TaskExecutionMetadata;
import flyteidl.core.IdentifierOuterClass.Identifier;
import flyteidl.core.IdentifierOuterClass.NodeExecutionIdentifier;
import flyteidl.core.IdentifierOuterClass.TaskExecutionIdentifier;
import flyteidl.core.IdentifierOuterClass.WorkflowExecutionIdentifier;
import flyteidl.core.Literals.KeyValuePair;
import flyteidl.core.Literals.LiteralMap;
import flyteidl.core.Tasks.Container;
import flyteidl.core.Tasks.TaskTemplate;
import java.util.Map;

/** Example-plugin task requests for the tests. */
final class SparkTasks {
  static final String NS = "flytesnacks-development";
  static final String IMAGE = "ghcr.io/example/spark-task:1.0";

  private SparkTasks() {}

  static SparkApplicationConfig minimalConfig() {
    return SparkApplicationConfig.newBuilder().setSparkVersion("3.5.1").build();
  }

  static TaskRequest request(String execution, SparkApplicationConfig config) {
    return request(execution, 0, ExamplePlugin.CODEC.toStruct(config));
  }

  static TaskRequest request(String execution, int attempt, Struct custom) {
    TaskTemplate template =
        TaskTemplate.newBuilder()
            .setType(ExamplePlugin.TASK_TYPE)
            .setTaskTypeVersion(ExamplePlugin.TASK_TYPE_VERSION)
            .setCustom(custom)
            .setContainer(
                Container.newBuilder()
                    .setImage(IMAGE)
                    .addArgs("execute")
                    .addArgs("--task")
                    .addArgs("org.example.WordCount")
                    .addArgs("--inputs")
                    .addArgs("s3://bucket/inputs.pb")
                    .addEnv(
                        KeyValuePair.newBuilder().setKey("FLYTE_INTERNAL_IMAGE").setValue(IMAGE))
                    .build())
            .build();
    return new TaskRequest(
        template,
        LiteralMap.getDefaultInstance(),
        "s3://bucket/out/" + execution,
        metadata(execution, attempt));
  }

  static TaskExecutionMetadata metadata(String execution, int attempt) {
    return TaskExecutionMetadata.newBuilder()
        .setTaskExecutionId(
            TaskExecutionIdentifier.newBuilder()
                .setTaskId(Identifier.newBuilder().setName("org.example.WordCount"))
                .setNodeExecutionId(
                    NodeExecutionIdentifier.newBuilder()
                        .setNodeId("n0")
                        .setExecutionId(
                            WorkflowExecutionIdentifier.newBuilder()
                                .setProject("flytesnacks")
                                .setDomain("development")
                                .setName(execution)))
                .setRetryAttempt(attempt))
        .setNamespace(NS)
        .setK8SServiceAccount("flyte-task-sa")
        .putEnvironmentVariables("FLYTE_PLATFORM_URL", "flyteadmin:81")
        .build();
  }

  static TaskContext context(TaskRequest request) {
    return new TaskContext(
        request.template(),
        request.inputs(),
        request.outputPrefix(),
        request.metadata(),
        "app-n0-0",
        NS,
        Map.of(
            "app.kubernetes.io/managed-by",
            "flyteplugin-backend",
            "flyteplugin.dev/execution-id",
            "app"));
  }
}
