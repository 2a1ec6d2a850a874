package dev.flyteplugin.backend.runtime;

import dev.flyteplugin.backend.api.PluginException;

/**
 * A task that could not be started, with what kind of problem that is ({@link #kind()}: one of
 * UNKNOWN_TASK_TYPE, INVALID_TASK, POLICY_VIOLATION, FORBIDDEN, QUOTA_EXCEEDED, TRANSIENT).
 */
public class TaskCreationException extends PluginException {
  private static final long serialVersionUID = 1L;

  public TaskCreationException(Kind kind, String message, Throwable cause) {
    super(kind, message, cause);
  }

  public TaskCreationException(Kind kind, String message) {
    this(kind, message, null);
  }
}
