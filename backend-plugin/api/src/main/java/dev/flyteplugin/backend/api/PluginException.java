package dev.flyteplugin.backend.api;

import static java.util.Objects.requireNonNull;

/**
 * The root of every exception the toolkit throws on purpose, with a {@link Kind} that says what
 * went wrong in Flyte's terms; the agent maps the kind to a gRPC status in one place. Unchecked: a
 * kind, not a type, decides how a caller reacts.
 */
public class PluginException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, in the classes of Flyte's plugin manager. */
  public enum Kind {
    /** No plugin serves the task's type and version. */
    UNKNOWN_TASK_TYPE,
    /**
     * The task cannot become a resource: bad custom config, a build error, or the API server
     * refused the object (400, 422, 413). Permanent: retrying cannot help.
     */
    INVALID_TASK,
    /** The task asks for something the deployment's policy forbids. Permanent. */
    POLICY_VIOLATION,
    /** The namespace is not allowed or not accessible (403). Retryable. */
    FORBIDDEN,
    /** A resource quota is exhausted: wait for resources, then retry. */
    QUOTA_EXCEEDED,
    /** The API server failed or was unreachable, and retries with backoff did not help. */
    TRANSIENT,
    /** A call for a namespace this deployment does not serve. */
    NAMESPACE_NOT_ALLOWED,
    /** A resource this deployment did not create. */
    FOREIGN_RESOURCE,
    /** A {@code resource_meta} that is malformed or not signed with this deployment's key. */
    INVALID_RESOURCE_META,
    /** A deployment setting (flag, environment variable) is malformed or unknown. */
    INVALID_SETTING
  }

  private final Kind kind;

  public PluginException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = requireNonNull(kind, "kind");
  }

  public PluginException(Kind kind, String message) {
    this(kind, message, null);
  }

  public final Kind kind() {
    return kind;
  }

  /** Whether trying again later could succeed. */
  public boolean isRetryable() {
    return switch (kind) {
      case FORBIDDEN, QUOTA_EXCEEDED, TRANSIENT -> true;
      default -> false;
    };
  }
}
