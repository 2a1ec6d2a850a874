package dev.flyteplugin.backend.runtime;

import dev.flyteplugin.backend.api.ResourceLabels;
import flyteidl.admin.AgentOuterClass.TaskExecutionMetadata;
import flyteidl.core.IdentifierOuterClass.TaskExecutionIdentifier;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The labels and annotations the runtime puts on every resource it creates (flyteplugins' {@code
 * pluginmachinery/utils} execution labels: execution id, project, domain, node, task, attempt). The
 * managed-by label is how the runtime recognises its own resources. The keys plugins read are
 * {@link ResourceLabels}.
 */
public final class ExecutionLabels {
  public static final String MANAGED_BY = ResourceLabels.MANAGED_BY;
  public static final String PREFIX = ResourceLabels.PREFIX;
  public static final String TASK_TYPE = ResourceLabels.TASK_TYPE;
  public static final String TASK_TYPE_VERSION = ResourceLabels.TASK_TYPE_VERSION;
  public static final String EXECUTION_ID = ResourceLabels.EXECUTION_ID;
  public static final String PROJECT = ResourceLabels.PROJECT;
  public static final String DOMAIN = ResourceLabels.DOMAIN;
  public static final String NODE_ID = ResourceLabels.NODE_ID;
  public static final String TASK_NAME = ResourceLabels.TASK_NAME;
  public static final String RETRY_ATTEMPT = ResourceLabels.RETRY_ATTEMPT;

  /**
   * A hash of the lineage (output prefix, ids) and the attempt: equal only for the same attempt of
   * the same lineage. Create adopts an existing resource only when it carries the same key.
   */
  public static final String ATTEMPT_KEY = PREFIX + "attempt-key";

  /** A hash of the lineage without the attempt: shared by every attempt of one node lineage. */
  public static final String LINEAGE_KEY = PREFIX + "lineage-key";

  /** Which deployment created the resource: each one sweeps only its own. */
  public static final String INSTANCE = PREFIX + "instance";

  /**
   * When a terminal status of the task reached propeller (epoch seconds). A label, not an
   * annotation: the informer cache keeps labels only, and the sweeper reads the cache.
   */
  public static final String TERMINAL_REPORTED_AT = PREFIX + "terminal-reported-at";

  /** Annotation with the full task execution id as text. */
  public static final String TASK_EXECUTION_ID_ANNOTATION = PREFIX + "task-execution-id";

  private ExecutionLabels() {}

  /** The labels identifying this attempt, created by {@code managedBy} for {@code category}. */
  static Map<String, String> of(
      TaskExecutionIdentifier id,
      TaskIdentity identity,
      TaskCategory category,
      String managedBy,
      String instance) {
    var exec = id.getNodeExecutionId().getExecutionId();
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(MANAGED_BY, managedBy);
    labels.put(TASK_TYPE, ResourceNames.labelValue(category.name()));
    labels.put(TASK_TYPE_VERSION, Integer.toString(category.version()));
    labels.put(EXECUTION_ID, ResourceNames.labelValue(exec.getName()));
    labels.put(PROJECT, ResourceNames.labelValue(exec.getProject()));
    labels.put(DOMAIN, ResourceNames.labelValue(exec.getDomain()));
    labels.put(NODE_ID, ResourceNames.labelValue(id.getNodeExecutionId().getNodeId()));
    labels.put(TASK_NAME, ResourceNames.labelValue(id.getTaskId().getName()));
    labels.put(RETRY_ATTEMPT, Integer.toString(id.getRetryAttempt()));
    labels.put(ATTEMPT_KEY, identity.attemptKey());
    labels.put(LINEAGE_KEY, identity.lineageKey());
    labels.put(INSTANCE, instance);
    return labels;
  }

  /**
   * Every label of the resource: the template's pod labels, then the execution's own labels, then
   * ours (ours win, the runtime depends on them). Invalid label values are skipped rather than
   * failing the task.
   */
  static Map<String, String> merged(
      Map<String, String> template, TaskExecutionMetadata metadata, Map<String, String> ours) {
    Map<String, String> labels = new LinkedHashMap<>();
    template.forEach((k, v) -> putIfValid(labels, k, v));
    metadata.getLabelsMap().forEach((k, v) -> putIfValid(labels, k, v));
    labels.putAll(ours);
    return labels;
  }

  private static void putIfValid(Map<String, String> labels, String key, String value) {
    if (!key.isEmpty() && key.length() <= 253 && ResourceNames.isLabelValue(value)) {
      labels.put(key, value);
    }
  }
}
