package dev.flyteplugin.backend.runtime.embedded;

import dev.flyteplugin.backend.api.ResourceIdentity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process Kubernetes API server for tests, the agent's embedded mode and the examples: a
 * fabric8 {@link KubernetesMockServer} in CRUD mode (objects are stored, label selectors and
 * watches work) with the given custom resource kinds registered with a status subresource. No
 * operator runs in it: pair it with a simulated operator.
 *
 * <p>Needs {@code io.fabric8:kubernetes-server-mock} on the class path (an optional dependency of
 * this module). Fault injection: {@code server().expect()...once()} registered before a request
 * answers that request instead of the CRUD store.
 */
public final class EmbeddedKubernetes implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedKubernetes.class);

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final List<KubernetesClient> extraClients = new ArrayList<>();

  private EmbeddedKubernetes(List<ResourceIdentity> kinds) {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    this.server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            responses,
            new KubernetesMixedDispatcher(responses),
            false);
    server.init();
    for (ResourceIdentity kind : kinds) {
      server.expectCustomResource(
          new CustomResourceDefinitionContext.Builder()
              .withGroup(kind.group())
              .withVersion(kind.version())
              .withKind(kind.kind())
              .withPlural(kind.plural())
              .withScope(kind.namespaced() ? "Namespaced" : "Cluster")
              .withStatusSubresource(true)
              .build());
    }
    this.client = server.createClient();
    log.info(
        "embedded Kubernetes API server (fabric8 mock, CRUD mode) at {} with {}",
        client.getMasterUrl(),
        kinds);
  }

  /** Starts a server knowing these custom resource kinds (each with a status subresource). */
  public static EmbeddedKubernetes start(List<ResourceIdentity> kinds) {
    return new EmbeddedKubernetes(List.copyOf(kinds));
  }

  public static EmbeddedKubernetes start(ResourceIdentity... kinds) {
    return start(List.of(kinds));
  }

  /** The shared client (closed with this server). */
  public KubernetesClient client() {
    return client;
  }

  /**
   * A new client to the same server, e.g. one per runtime instance or with other settings (request
   * timeout, retry backoff). Closed with this server.
   */
  public synchronized KubernetesClient newClient(Consumer<KubernetesClientBuilder> customizer) {
    KubernetesClient extra = server.createClient(customizer);
    extraClients.add(extra);
    return extra;
  }

  /** A new client that does not retry failed requests and times out after {@code timeoutMillis}. */
  public KubernetesClient newClientWithoutRetries(int timeoutMillis) {
    return newClient(
        builder ->
            builder
                .editOrNewConfig()
                .withRequestRetryBackoffLimit(0)
                .withRequestTimeout(timeoutMillis)
                .endConfig());
  }

  /** The mock server, for {@code expect()} fault injection. */
  public KubernetesMockServer server() {
    return server;
  }

  @Override
  public synchronized void close() {
    extraClients.forEach(KubernetesClient::close);
    client.close();
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      // The mock server waits a bounded time for its event loop to stop; on a loaded machine that
      // can run out. Everything it held is in-process and goes with it, so do not fail the caller.
      log.warn("embedded Kubernetes API server did not stop in time: {}", e.toString());
    }
  }
}
