package dev.flyteplugin.backend.api;

import static java.util.Objects.requireNonNull;

import flyteidl.admin.AgentOuterClass.TaskExecutionMetadata;
import flyteidl.core.Literals.LiteralMap;
import flyteidl.core.Tasks.TaskTemplate;
import java.time.Duration;
import java.util.Map;

/**
 * Everything a plugin gets to build its resource. The runtime has already chosen the name, the
 * namespace and the labels; the plugin only needs them to pass on (e.g. labels to the pods its
 * operator creates).
 *
 * @param template the task template (container args already rendered by propeller)
 * @param inputs the task's inputs
 * @param outputPrefix where the task writes {@code outputs.pb} or {@code error.pb}
 * @param metadata the execution's metadata (id, namespace, labels, service account, env)
 * @param resourceName the name the runtime gives the resource
 * @param namespace the namespace the runtime creates the resource in
 * @param executionLabels the labels that identify this execution; worth copying onto pods
 * @param minRetention the least time a finished resource must be kept: propeller may not have
 *     polled its final status before. A plugin whose operator deletes finished resources by itself
 *     (e.g. Spark's {@code timeToLiveSeconds}) must not let it do so earlier; the runtime deletes
 *     them itself once propeller has seen the result.
 */
public record TaskContext(
    TaskTemplate template,
    LiteralMap inputs,
    String outputPrefix,
    TaskExecutionMetadata metadata,
    String resourceName,
    String namespace,
    Map<String, String> executionLabels,
    Duration minRetention) {
  public TaskContext {
    requireNonNull(template, "template");
    requireNonNull(inputs, "inputs");
    requireNonNull(outputPrefix, "outputPrefix");
    requireNonNull(metadata, "metadata");
    requireNonNull(resourceName, "resourceName");
    requireNonNull(namespace, "namespace");
    executionLabels = Map.copyOf(executionLabels);
    requireNonNull(minRetention, "minRetention");
    if (minRetention.isNegative()) {
      throw new IllegalArgumentException("minRetention must not be negative, got " + minRetention);
    }
  }

  /** A context without a minimum retention (tests, local runs). */
  public TaskContext(
      TaskTemplate template,
      LiteralMap inputs,
      String outputPrefix,
      TaskExecutionMetadata metadata,
      String resourceName,
      String namespace,
      Map<String, String> executionLabels) {
    this(
        template,
        inputs,
        outputPrefix,
        metadata,
        resourceName,
        namespace,
        executionLabels,
        Duration.ZERO);
  }
}
