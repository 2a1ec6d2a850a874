package dev.flyteplugin.backend.api;

import static java.util.Objects.requireNonNull;

import flyteidl.admin.AgentOuterClass.TaskExecutionMetadata;
import flyteidl.core.Literals.LiteralMap;
import flyteidl.core.Tasks;
import flyteidl.core.Tasks.TaskTemplate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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

  /**
   * The task's container: its image, the args propeller rendered, its env.
   *
   * @throws ResourceBuildException when the template has none, naming the task type
   */
  public Tasks.Container container() throws ResourceBuildException {
    if (!template.hasContainer()) {
      throw new ResourceBuildException(
          "the task template has no container: a "
              + template.getType()
              + " task runs its container's image and args in the operator's pods");
    }
    return template.getContainer();
  }

  /** The execution's env, then the task container's (the SDK's, more specific), in order. */
  public Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>(metadata.getEnvironmentVariablesMap());
    if (template.hasContainer()) {
      template.getContainer().getEnvList().forEach(pair -> env.put(pair.getKey(), pair.getValue()));
    }
    return env;
  }

  /** {@link #environment()} as a Kubernetes container's {@code env} list. */
  public List<Map<String, Object>> environmentList() {
    List<Map<String, Object>> env = new ArrayList<>();
    environment()
        .forEach(
            (name, value) -> {
              Map<String, Object> entry = new LinkedHashMap<>();
              entry.put("name", name);
              entry.put("value", value);
              env.add(entry);
            });
    return env;
  }

  /**
   * The image the operator's pods run: {@code configured}, else the task container's.
   *
   * @param configField the config field that sets it, for the error message
   * @throws ResourceBuildException when neither is set
   */
  public String image(String configured, String configField) throws ResourceBuildException {
    String image = configured.isEmpty() ? container().getImage() : configured;
    if (image.isEmpty()) {
      throw new ResourceBuildException(
          "no image: the task container has none and "
              + configField
              + " is not set; set the task's container image or "
              + configField);
    }
    return image;
  }

  /**
   * The service account of the operator's pods: {@code configured} (the task config), else the
   * execution's {@code k8s_service_account}, else {@code fallback} (the plugin's default; may be
   * empty, leaving it to the operator). {@link OperatorPlugin#admit} decides whether a configured
   * one is allowed.
   */
  public String serviceAccount(String configured, String fallback) {
    if (!configured.isEmpty()) {
      return configured;
    }
    return metadata.getK8SServiceAccount().isEmpty() ? fallback : metadata.getK8SServiceAccount();
  }
}
