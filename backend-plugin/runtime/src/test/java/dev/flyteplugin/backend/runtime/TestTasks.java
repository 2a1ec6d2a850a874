package dev.flyteplugin.backend.runtime;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import flyteidl.admin.AgentOuterClass.TaskExecutionMetadata;
import flyteidl.core.IdentifierOuterClass.Identifier;
import flyteidl.core.IdentifierOuterClass.NodeExecutionIdentifier;
import flyteidl.core.IdentifierOuterClass.TaskExecutionIdentifier;
import flyteidl.core.IdentifierOuterClass.WorkflowExecutionIdentifier;
import flyteidl.core.Literals.LiteralMap;
import flyteidl.core.Tasks.Container;
import flyteidl.core.Tasks.TaskTemplate;

/** Task requests for the runtime's tests. */
final class TestTasks {
  private TestTasks() {}

  static TaskExecutionIdentifier executionId(String execution, String node, int attempt) {
    return TaskExecutionIdentifier.newBuilder()
        .setTaskId(
            Identifier.newBuilder()
                .setProject("flytesnacks")
                .setDomain("development")
                .setName("my.tasks.Job")
                .setVersion("v1"))
        .setNodeExecutionId(
            NodeExecutionIdentifier.newBuilder()
                .setNodeId(node)
                .setExecutionId(
                    WorkflowExecutionIdentifier.newBuilder()
                        .setProject("flytesnacks")
                        .setDomain("development")
                        .setName(execution)))
        .setRetryAttempt(attempt)
        .build();
  }

  static TaskRequest request(String execution, int attempt) {
    return request(execution, attempt, TestJobPlugin.TYPE, Struct.getDefaultInstance());
  }

  /**
   * The output prefix propeller gives a top-level node {@code n0}: {@code
   * <metadata>/<execution>/n0/data/<attempt>} (its data dir, then the attempt).
   */
  static String outputPrefix(String execution, int attempt) {
    return "s3://bucket/metadata/propeller/" + execution + "/n0/data/" + attempt;
  }

  static TaskRequest request(String execution, int attempt, String type, Struct custom) {
    return request(execution, "n0", attempt, outputPrefix(execution, attempt), type, custom);
  }

  /** A request of any node and output prefix (map-task subnodes, sub-workflow children). */
  static TaskRequest request(String execution, String node, int attempt, String outputPrefix) {
    return request(
        execution, node, attempt, outputPrefix, TestJobPlugin.TYPE, Struct.getDefaultInstance());
  }

  static TaskRequest request(
      String execution, String node, int attempt, String outputPrefix, String type, Struct custom) {
    TaskTemplate template =
        TaskTemplate.newBuilder()
            .setType(type)
            .setCustom(custom)
            .setContainer(
                Container.newBuilder().setImage("ghcr.io/example/job:1").addArgs("run").build())
            .build();
    TaskExecutionMetadata metadata =
        TaskExecutionMetadata.newBuilder()
            .setTaskExecutionId(executionId(execution, node, attempt))
            .setNamespace("flytesnacks-development")
            .putLabels("team", "data")
            .putAnnotations("owner", "someone@example.com")
            .build();
    return new TaskRequest(template, LiteralMap.getDefaultInstance(), outputPrefix, metadata);
  }

  /** The name the runtime gives a request's resource (the plugin's default max length). */
  static String nameOf(TaskRequest request) {
    return TaskIdentity.of(request, 50).name();
  }

  static Struct broken() {
    return Struct.newBuilder()
        .putFields("broken", Value.newBuilder().setBoolValue(true).build())
        .build();
  }
}
