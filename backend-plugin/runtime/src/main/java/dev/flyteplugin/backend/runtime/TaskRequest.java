package dev.flyteplugin.backend.runtime;

import static java.util.Objects.requireNonNull;

import flyteidl.admin.AgentOuterClass.TaskExecutionMetadata;
import flyteidl.core.Literals.LiteralMap;
import flyteidl.core.Tasks.TaskTemplate;

/**
 * Everything Flyte gives to start one task attempt (the content of a {@code CreateTaskRequest}).
 *
 * @param template the task template, container args already rendered
 * @param inputs the task's inputs
 * @param outputPrefix where the task writes {@code outputs.pb} or {@code error.pb}
 * @param metadata the execution's id, namespace, labels, annotations and service account
 */
public record TaskRequest(
    TaskTemplate template, LiteralMap inputs, String outputPrefix, TaskExecutionMetadata metadata) {
  public TaskRequest {
    requireNonNull(template, "template");
    requireNonNull(inputs, "inputs");
    requireNonNull(outputPrefix, "outputPrefix");
    requireNonNull(metadata, "metadata");
  }
}
