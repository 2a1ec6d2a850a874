package dev.flyteplugin.backend.runtime;

import dev.flyteplugin.backend.api.PluginException;

/**
 * A handle names a resource this runtime did not create (no managed-by label of ours, or created
 * for another task type). The runtime refuses to touch it.
 */
public class ForeignResourceException extends PluginException {
  private static final long serialVersionUID = 1L;

  private final TaskHandle handle;

  public ForeignResourceException(TaskHandle handle, String message) {
    super(Kind.FOREIGN_RESOURCE, message);
    this.handle = handle;
  }

  public TaskHandle handle() {
    return handle;
  }
}
