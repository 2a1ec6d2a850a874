package dev.flyteplugin.runner;

import dev.flyteplugin.backend.runtime.TaskCreationException;
import dev.flyteplugin.backend.runtime.TaskHandle;
import dev.flyteplugin.backend.runtime.TaskRequest;
import dev.flyteplugin.backend.runtime.TaskStatus;
import dev.flyteplugin.jflyte.serialize.ProtoConverter;
import flyteidl.admin.AgentOuterClass.TaskExecutionMetadata;
import flyteidl.core.Errors.ErrorDocument;
import flyteidl.core.Execution.TaskExecution;
import flyteidl.core.IdentifierOuterClass.NodeExecutionIdentifier;
import flyteidl.core.IdentifierOuterClass.TaskExecutionIdentifier;
import flyteidl.core.IdentifierOuterClass.WorkflowExecutionIdentifier;
import flyteidl.core.Literals.LiteralMap;
import flyteidl.core.Tasks.TaskTemplate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.flyte.api.v1.ContainerError;
import org.flyte.api.v1.Literal;
import org.flyte.api.v1.RetryStrategy;
import org.flyte.api.v1.RunnableTask;
import org.flyte.api.v1.Struct;
import org.flyte.api.v1.TypedInterface;

/**
 * Stands in for a plugin task inside flytekit-java's LocalEngine (which only runs RunnableTasks,
 * looked up by name) and runs it the way propeller does: writes {@code inputs.pb} and the task
 * template, renders the container args, asks the backend runtime to create the resource, follows
 * its phases, and reads {@code outputs.pb} (or {@code error.pb}) from the output prefix.
 */
final class BackendTask implements RunnableTask {
  private final RunnableTask task;
  private final TaskTemplate template;
  private final WorkflowRunner.Run run;

  BackendTask(RunnableTask task, TaskTemplate template, WorkflowRunner.Run run) {
    this.task = task;
    this.template = template;
    this.run = run;
  }

  @Override
  public Map<String, Literal> run(Map<String, Literal> inputs) {
    String nodeId = run.currentNode(task.getName());
    int attempt = run.nextAttempt(nodeId);
    String base = run.storagePrefix() + "/" + nodeId + "/" + attempt;
    String inputsUri = base + "/inputs.pb";
    String templateUri = base + "/task-template.pb";
    String outputPrefix = base + "/outputs";
    try {
      run.storage().write(inputsUri, ProtoConverter.literalMap(inputs).toByteArray());
      run.storage().write(templateUri, template.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the inputs of " + nodeId + " to " + base, e);
    }
    TaskTemplate rendered = render(inputsUri, outputPrefix, templateUri, base + "/raw");
    TaskRequest request =
        new TaskRequest(
            rendered, ProtoConverter.literalMap(inputs), outputPrefix, metadata(nodeId, attempt));
    if (run.aborted()) {
      throw abortedError(nodeId);
    }
    TaskHandle handle = create(request, nodeId);
    run.listener().backendTaskCreated(nodeId, task.getName(), attempt, handle);
    run.track(handle);
    try {
      TaskStatus status = follow(handle, nodeId);
      return outcome(status, outputPrefix, nodeId);
    } finally {
      run.untrack(handle);
    }
  }

  /** Propeller renders these templates in the container args before calling the plugin. */
  private TaskTemplate render(String inputs, String outputPrefix, String templatePath, String raw) {
    TaskTemplate.Builder builder = template.toBuilder();
    if (template.hasContainer()) {
      List<String> args =
          template.getContainer().getArgsList().stream()
              .map(
                  arg ->
                      arg.replace("{{.input}}", inputs)
                          .replace("{{.inputPrefix}}", inputs.substring(0, inputs.lastIndexOf('/')))
                          .replace("{{.outputPrefix}}", outputPrefix)
                          .replace("{{.taskTemplatePath}}", templatePath)
                          .replace("{{.rawOutputDataPrefix}}", raw))
              .toList();
      builder.getContainerBuilder().clearArgs().addAllArgs(args);
    }
    return builder.build();
  }

  private TaskExecutionMetadata metadata(String nodeId, int attempt) {
    TaskExecutionIdentifier id =
        TaskExecutionIdentifier.newBuilder()
            .setTaskId(template.getId())
            .setNodeExecutionId(
                NodeExecutionIdentifier.newBuilder()
                    .setNodeId(nodeId)
                    .setExecutionId(
                        WorkflowExecutionIdentifier.newBuilder()
                            .setProject(run.project())
                            .setDomain(run.domain())
                            .setName(run.executionName())))
            .setRetryAttempt(attempt)
            .build();
    return TaskExecutionMetadata.newBuilder()
        .setTaskExecutionId(id)
        .setNamespace(run.namespace())
        .putLabels("execution-id", run.executionName())
        .build();
  }

  private TaskHandle create(TaskRequest request, String nodeId) {
    try {
      return run.runtime().create(request);
    } catch (TaskCreationException e) {
      throw ContainerError.create(
          "BackendCreate" + e.kind(),
          "cannot start " + nodeId + ": " + e.getMessage(),
          e.isRetryable() ? ContainerError.Kind.RECOVERABLE : ContainerError.Kind.NON_RECOVERABLE);
    }
  }

  private TaskStatus follow(TaskHandle handle, String nodeId) {
    Instant start = run.clock().instant();
    TaskExecution.Phase last = null;
    while (true) {
      TaskStatus status = run.runtime().status(handle);
      if (status.phase() != last) {
        last = status.phase();
        run.listener().phaseChanged(nodeId, status, Duration.between(start, run.clock().instant()));
      }
      if (run.aborted()) {
        throw abortedError(nodeId);
      }
      if (status.isTerminal()) {
        // As the agent does once propeller has the result: the sweeper may clean up after the TTL.
        run.runtime().markReported(handle);
        return status;
      }
      try {
        Thread.sleep(run.pollInterval().toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        run.abort(handle);
        throw abortedError(nodeId);
      }
    }
  }

  private Map<String, Literal> outcome(TaskStatus status, String outputPrefix, String nodeId) {
    switch (status.phase()) {
      case SUCCEEDED -> {
        // As propeller: an error document at the prefix means the task's code failed.
        byte[] error = run.readIfPresent(outputPrefix + "/error.pb");
        if (error != null) {
          throw userError(nodeId, error);
        }
        byte[] outputs = run.readIfPresent(outputPrefix + "/outputs.pb");
        if (outputs == null) {
          if (task.getInterface().outputs().isEmpty()) {
            return Map.of();
          }
          throw ContainerError.create(
              "OutputsNotFound",
              nodeId + " succeeded but wrote no " + outputPrefix + "/outputs.pb",
              ContainerError.Kind.NON_RECOVERABLE);
        }
        try {
          return ProtoConverter.fromLiteralMap(LiteralMap.parseFrom(outputs));
        } catch (IOException e) {
          throw ContainerError.create(
              "OutputsUnreadable",
              nodeId + ": " + outputPrefix + "/outputs.pb is not a LiteralMap: " + e.getMessage(),
              ContainerError.Kind.NON_RECOVERABLE);
        }
      }
      case RETRYABLE_FAILED ->
          throw ContainerError.create(
              status.reason(),
              nodeId + " failed: " + status.message(),
              ContainerError.Kind.RECOVERABLE);
      default ->
          throw ContainerError.create(
              status.reason(),
              nodeId + " " + status.phase().name().toLowerCase() + ": " + status.message(),
              ContainerError.Kind.NON_RECOVERABLE);
    }
  }

  private static ContainerError abortedError(String nodeId) {
    return ContainerError.create(
        "Aborted", nodeId + " was aborted", ContainerError.Kind.NON_RECOVERABLE);
  }

  private static ContainerError userError(String nodeId, byte[] bytes) {
    try {
      var error = ErrorDocument.parseFrom(bytes).getError();
      return ContainerError.create(
          error.getCode(),
          nodeId + " failed in its code: " + error.getMessage(),
          error.getKind() == flyteidl.core.Errors.ContainerError.Kind.RECOVERABLE
              ? ContainerError.Kind.RECOVERABLE
              : ContainerError.Kind.NON_RECOVERABLE);
    } catch (IOException e) {
      return ContainerError.create(
          "ErrorDocumentUnreadable",
          nodeId + " wrote an unreadable error.pb: " + e.getMessage(),
          ContainerError.Kind.NON_RECOVERABLE);
    }
  }

  @Override
  public String getName() {
    return task.getName();
  }

  @Override
  public String getType() {
    return task.getType();
  }

  @Override
  public TypedInterface getInterface() {
    return task.getInterface();
  }

  @Override
  public Struct getCustom() {
    return task.getCustom();
  }

  @Override
  public RetryStrategy getRetries() {
    return task.getRetries();
  }
}
