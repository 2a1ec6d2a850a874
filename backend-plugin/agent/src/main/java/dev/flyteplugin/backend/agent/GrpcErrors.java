package dev.flyteplugin.backend.agent;

import dev.flyteplugin.backend.api.PluginException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;

/**
 * The one place where exceptions become gRPC statuses. Every exception is mapped here so that none
 * escapes as UNKNOWN without a description.
 *
 * <p>CreateTask errors: propeller's web-API launcher turns ANY CreateTask error into a retryable
 * failure ({@code PhaseInfoRetryableFailure(TaskFailedWithError, err.Error())} in {@code
 * pluginmachinery/internal/webapi/launcher.go}); the status code does not change what propeller
 * does, it reaches the user as text. So the codes are chosen for what they mean to people and other
 * clients: a task that can never become a resource is INVALID_ARGUMENT with the field and the fix,
 * an unknown task type is NOT_FOUND, and the retryable kinds use the code gRPC clients retry on.
 */
final class GrpcErrors {
  private GrpcErrors() {}

  static StatusException toStatus(Throwable e) {
    if (e instanceof StatusException s) {
      return s;
    }
    if (e instanceof StatusRuntimeException s) {
      return new StatusException(s.getStatus(), s.getTrailers());
    }
    if (e instanceof PluginException p) {
      return forKind(p.kind()).withDescription(p.getMessage()).withCause(p).asException();
    }
    if (e instanceof KubernetesClientException k) {
      return forApiError(k)
          .withDescription("Kubernetes API error (HTTP " + k.getCode() + "): " + k.getMessage())
          .withCause(e)
          .asException();
    }
    if (e instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(e.getMessage()).withCause(e).asException();
    }
    if (e instanceof java.util.concurrent.CancellationException) {
      // The runtime gave up because the caller's deadline passed or it cancelled (Deadline).
      return Status.DEADLINE_EXCEEDED
          .withDescription("the call's deadline passed or it was cancelled: " + e.getMessage())
          .asException();
    }
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return Status.CANCELLED.withDescription("the agent is shutting down").asException();
    }
    return Status.INTERNAL
        .withDescription("agent error: " + e.getClass().getSimpleName() + ": " + e.getMessage())
        .withCause(e)
        .asException();
  }

  private static Status forApiError(KubernetesClientException e) {
    int code = e.getCode();
    if (code == 401 || code == 403) {
      return Status.PERMISSION_DENIED;
    }
    if (code == 404) {
      return Status.NOT_FOUND;
    }
    if (code == 429) {
      return Status.RESOURCE_EXHAUSTED;
    }
    if (code == 0 || code >= 500 || code == 408) {
      return Status.UNAVAILABLE; // unreachable, timed out or failing API server: retry
    }
    return Status.INTERNAL;
  }

  /** Every kind of the toolkit's one exception root, mapped once. */
  static Status forKind(PluginException.Kind kind) {
    return switch (kind) {
      case INVALID_TASK, INVALID_RESOURCE_META, INVALID_SETTING -> Status.INVALID_ARGUMENT;
      case UNKNOWN_TASK_TYPE -> Status.NOT_FOUND;
      case FORBIDDEN, NAMESPACE_NOT_ALLOWED, POLICY_VIOLATION -> Status.PERMISSION_DENIED;
      case QUOTA_EXCEEDED -> Status.RESOURCE_EXHAUSTED;
      case TRANSIENT -> Status.UNAVAILABLE;
      // Never reached with a verified meta unless someone relabelled the resource by hand.
      case FOREIGN_RESOURCE -> Status.FAILED_PRECONDITION;
    };
  }
}
