package dev.flyteplugin.backend.runtime;

import dev.flyteplugin.backend.api.PluginException;

/** No registered plugin serves a task category. The message lists the ones that exist. */
public class UnknownTaskTypeException extends PluginException {
  private static final long serialVersionUID = 1L;

  private final TaskCategory category;

  public UnknownTaskTypeException(TaskCategory category, String message) {
    super(Kind.UNKNOWN_TASK_TYPE, message);
    this.category = category;
  }

  public TaskCategory category() {
    return category;
  }
}
