package dev.flyteplugin.backend.runtime;

import dev.flyteplugin.backend.api.ResourceIdentity;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Locale;

/**
 * The classes of API-server errors on create, as flyteplugins' k8s plugin manager has them ({@code
 * plugin_manager.go}, {@code launchResource}): AlreadyExists is success (adopt), quota exceeded
 * waits for resources, Forbidden is retryable, 400/422 are a bad task format and 413 an entity too
 * large (permanent), anything else is retried with backoff.
 */
enum ApiError {
  ALREADY_EXISTS(false, TaskCreationException.Kind.TRANSIENT, "AlreadyExists"),
  QUOTA_EXCEEDED(false, TaskCreationException.Kind.QUOTA_EXCEEDED, "QuotaExceeded"),
  FORBIDDEN(false, TaskCreationException.Kind.FORBIDDEN, "Forbidden"),
  BAD_TASK_FORMAT(false, TaskCreationException.Kind.INVALID_TASK, "BadTaskFormat"),
  ENTITY_TOO_LARGE(false, TaskCreationException.Kind.INVALID_TASK, "EntityTooLarge"),
  NOT_FOUND(false, TaskCreationException.Kind.TRANSIENT, "NotFound"),
  TRANSIENT(true, TaskCreationException.Kind.TRANSIENT, "ApiServerError");

  private final boolean retryable;
  private final TaskCreationException.Kind kind;
  private final String reason;

  ApiError(boolean retryable, TaskCreationException.Kind kind, String reason) {
    this.retryable = retryable;
    this.kind = kind;
    this.reason = reason;
  }

  /** Whether the runtime itself retries the call (with backoff) before giving up. */
  boolean retryable() {
    return retryable;
  }

  static ApiError classify(KubernetesClientException e) {
    String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    return switch (e.getCode()) {
      case 409 -> ALREADY_EXISTS;
      case 403 -> message.contains("exceeded quota") ? QUOTA_EXCEEDED : FORBIDDEN;
      case 400, 422 -> BAD_TASK_FORMAT;
      case 413 -> ENTITY_TOO_LARGE;
      case 404 -> NOT_FOUND;
      default -> TRANSIENT; // 0 (I/O, timeout), 429, 5xx, anything unexpected
    };
  }

  TaskCreationException toCreationException(
      ResourceIdentity identity, TaskHandle handle, KubernetesClientException e) {
    String what = identity.kind() + " " + handle.namespace() + "/" + handle.name();
    String detail =
        e.getStatus() != null && e.getStatus().getMessage() != null
            ? e.getStatus().getMessage()
            : String.valueOf(e.getMessage());
    String message =
        switch (this) {
          case QUOTA_EXCEEDED ->
              reason
                  + ": a resource quota of namespace "
                  + handle.namespace()
                  + " is exhausted; waiting for resources: "
                  + detail;
          case FORBIDDEN ->
              reason
                  + ": not allowed to create "
                  + what
                  + " (check the runtime's RBAC in namespace "
                  + handle.namespace()
                  + "): "
                  + detail;
          case BAD_TASK_FORMAT ->
              reason + ": the API server rejected " + what + " (" + e.getCode() + "): " + detail;
          case ENTITY_TOO_LARGE ->
              reason
                  + ": "
                  + what
                  + " is too large for the API server (413); make the task's config smaller";
          case NOT_FOUND ->
              reason
                  + ": cannot create "
                  + what
                  + ": the namespace or the resource kind does not exist (is the operator's CRD"
                  + " installed?): "
                  + detail;
          default ->
              reason
                  + ": creating "
                  + what
                  + " failed after retries (HTTP "
                  + e.getCode()
                  + "): "
                  + detail;
        };
    return new TaskCreationException(kind, message, e);
  }
}
