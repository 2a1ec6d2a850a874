package dev.flyteplugin.backend.runtime;

import static java.util.Objects.requireNonNull;

/** A task that could not be started, with what kind of problem that is. */
public class TaskCreationException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What went wrong, in the classes of Flyte's k8s plugin manager. */
  public enum Kind {
    /** No plugin serves the task's type and version. */
    UNKNOWN_TASK_TYPE,
    /**
     * The task cannot become a resource: bad custom config, a build error, or the API server
     * refused the object (400, 422, 413). Permanent: retrying cannot help.
     */
    INVALID_TASK,
    /** The namespace is not allowed or not accessible (403). Retryable. */
    FORBIDDEN,
    /** A resource quota is exhausted: wait for resources, then retry. */
    QUOTA_EXCEEDED,
    /** The API server failed or was unreachable, and retries with backoff did not help. */
    TRANSIENT
  }

  private final Kind kind;

  public TaskCreationException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = requireNonNull(kind, "kind");
  }

  public TaskCreationException(Kind kind, String message) {
    this(kind, message, null);
  }

  public Kind kind() {
    return kind;
  }

  /** Whether trying again later could succeed. */
  public boolean isRetryable() {
    return kind != Kind.INVALID_TASK && kind != Kind.UNKNOWN_TASK_TYPE;
  }
}
