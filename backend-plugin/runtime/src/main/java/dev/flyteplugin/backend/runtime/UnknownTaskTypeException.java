package dev.flyteplugin.backend.runtime;

/** No registered plugin serves a task category. The message lists the ones that exist. */
public class UnknownTaskTypeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final TaskCategory category;

  public UnknownTaskTypeException(TaskCategory category, String message) {
    super(message);
    this.category = category;
  }

  public TaskCategory category() {
    return category;
  }
}
