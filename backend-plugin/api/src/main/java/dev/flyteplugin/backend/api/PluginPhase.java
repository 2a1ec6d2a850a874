package dev.flyteplugin.backend.api;

/**
 * The phase a plugin reports for its resource: the subset of flyteplugins' {@code
 * pluginmachinery/core/phase.go} phases that a Kubernetes plugin returns.
 */
public enum PluginPhase {
  /** The resource exists but its operator has not picked it up yet. */
  QUEUED,
  /** The operator waits for cluster resources (quota, capacity). */
  WAITING_FOR_RESOURCES,
  /** The operator is setting the task up (submission, pod scheduling, image pulls). */
  INITIALIZING,
  /** The task's code runs. */
  RUNNING,
  /** The task finished successfully. */
  SUCCESS,
  /** The task failed; Flyte may retry it (as many times as the task allows). */
  RETRYABLE_FAILURE,
  /** The task failed; retrying cannot help. */
  PERMANENT_FAILURE;

  public boolean isTerminal() {
    return this == SUCCESS || this == RETRYABLE_FAILURE || this == PERMANENT_FAILURE;
  }

  /**
   * Whether the task's code has not started yet: QUEUED, WAITING_FOR_RESOURCES or INITIALIZING. The
   * runtime limits the time a task may spend here ({@code RuntimeConfig.maxPreRunning}).
   */
  public boolean isPreRunning() {
    return this == QUEUED || this == WAITING_FOR_RESOURCES || this == INITIALIZING;
  }

  public boolean isFailure() {
    return this == RETRYABLE_FAILURE || this == PERMANENT_FAILURE;
  }
}
