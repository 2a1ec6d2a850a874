package dev.flyteplugin.backend.runtime;

import dev.flyteplugin.backend.api.ResourceIdentity;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.RequestConfig;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * API calls bounded in time: each call gets a request timeout of the caller's remaining time (and
 * at most {@code cap}), and none is started once the caller's deadline has passed. The client's own
 * retries are turned off for bounded calls: the runtime retries itself, within the deadline.
 */
final class ApiCalls {
  private final KubernetesClient client;
  private final Clock clock;

  ApiCalls(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** The caller's deadline has passed (or it cancelled) before a call could start. */
  static final class DeadlineOver extends Exception {
    private static final long serialVersionUID = 1L;

    DeadlineOver(String message) {
      super(message);
    }
  }

  KubernetesClient client() {
    return client;
  }

  Clock clock() {
    return clock;
  }

  /**
   * Runs {@code call} on a client whose requests time out at the deadline (or after {@code cap}).
   *
   * @throws DeadlineOver without calling when the deadline has passed or the caller cancelled
   */
  <T> T call(
      Deadline deadline,
      Optional<Duration> cap,
      String what,
      Function<
              MixedOperation<
                  GenericKubernetesResource,
                  GenericKubernetesResourceList,
                  Resource<GenericKubernetesResource>>,
              T>
          call,
      ResourceIdentity identity)
      throws DeadlineOver {
    return onClient(
        deadline,
        cap,
        what,
        c -> call.apply(c.genericKubernetesResources(KubernetesTaskRuntime.context(identity))));
  }

  /** Like {@link #call}, for any API (e.g. config maps). */
  <T> T onClient(
      Deadline deadline, Optional<Duration> cap, String what, Function<KubernetesClient, T> call)
      throws DeadlineOver {
    if (deadline.isOver(clock)) {
      throw new DeadlineOver(
          (deadline.cancelled().getAsBoolean() ? "the caller cancelled" : "the deadline passed")
              + " before "
              + what);
    }
    Optional<Duration> limit = deadline.remaining(clock);
    if (cap.isPresent() && (limit.isEmpty() || cap.get().compareTo(limit.get()) < 0)) {
      limit = cap;
    }
    KubernetesClient bounded = limit.map(this::withTimeout).orElse(client);
    return call.apply(bounded);
  }

  private KubernetesClient withTimeout(Duration timeout) {
    RequestConfig base = client.getConfiguration().getRequestConfig();
    RequestConfig config =
        (base == null ? new RequestConfigBuilder() : new RequestConfigBuilder(base))
            .withRequestTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())))
            .withRequestRetryBackoffLimit(0)
            .build();
    // A view of the same client (shared HTTP client) with other request settings; never closed
    // here, closing it would close the shared HTTP client.
    return client.newClient(config).adapt(KubernetesClient.class);
  }
}
