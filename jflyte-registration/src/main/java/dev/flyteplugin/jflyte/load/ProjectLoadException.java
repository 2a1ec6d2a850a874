package dev.flyteplugin.jflyte.load;

/** The user's tasks, workflows or launch plans could not be loaded; the message names the class. */
public final class ProjectLoadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ProjectLoadException(String message) {
    super(message);
  }

  public ProjectLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
