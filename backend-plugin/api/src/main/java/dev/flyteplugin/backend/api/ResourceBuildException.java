package dev.flyteplugin.backend.api;

/**
 * The task cannot become a resource (bad custom config, missing container...). The runtime reports
 * it as a permanent failure with this message, so say which field is wrong and how to fix it.
 */
public class ResourceBuildException extends PluginException {
  private static final long serialVersionUID = 1L;

  public ResourceBuildException(String message) {
    super(Kind.INVALID_TASK, message);
  }

  public ResourceBuildException(String message, Throwable cause) {
    super(Kind.INVALID_TASK, message, cause);
  }
}
