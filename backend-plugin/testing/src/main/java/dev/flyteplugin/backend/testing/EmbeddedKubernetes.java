package dev.flyteplugin.backend.testing;

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
import java.net.InetAddress;
import java.time.Duration;
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
 * answers that request instead of the CRUD store; {@link Options#createLatency()} makes the create
 * of the custom resources slow. {@link #kubeconfig()} lets another process (an agent in cluster
 * mode) use the server over real HTTP.
 */
public final class EmbeddedKubernetes implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedKubernetes.class);

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final List<KubernetesClient> extraClients = new ArrayList<>();
  private final List<ResourceIdentity> kinds;

  /**
   * How the server listens and behaves.
   *
   * @param port the port on localhost; 0 picks a free one
   * @param createLatency how late a POST of one of the custom resource kinds is answered (and the
   *     object stored); zero = at once
   */
  public record Options(int port, Duration createLatency) {
    public Options {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(
            "port " + port + " is not a TCP port (0 = any free one)");
      }
      if (createLatency.isNegative()) {
        throw new IllegalArgumentException("createLatency " + createLatency + " is negative");
      }
    }

    public static Options defaults() {
      return new Options(0, Duration.ZERO);
    }
  }

  /** The user agent of the requests that install the kinds' CRDs (not the code under test). */
  public static final String INSTALLER = "embedded-kubernetes-installer";

  private EmbeddedKubernetes(List<ResourceIdentity> kinds, Options options) {
    this.kinds = kinds;
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    KubernetesMixedDispatcher crud = new KubernetesMixedDispatcher(responses);
    this.server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            responses,
            options.createLatency().isZero()
                ? crud
                : new LatencyDispatcher(crud, options.createLatency(), kinds),
            false);
    if (options.port() == 0) {
      server.init(); // the loopback address, a free port
    } else {
      server.init(InetAddress.getLoopbackAddress(), options.port());
    }
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
    KubernetesClient installer =
        newClient(b -> b.editOrNewConfig().withUserAgent(INSTALLER).endConfig());
    for (ResourceIdentity kind : kinds) {
      installCrd(installer, kind);
    }
    log.info(
        "embedded Kubernetes API server (fabric8 mock, CRUD mode) at {} with {}",
        client.getMasterUrl(),
        kinds);
  }

  /**
   * Creates {@code kind}'s CRD object as the operator's chart installs it: agents check it before
   * serving a kind.
   */
  public static void installCrd(KubernetesClient client, ResourceIdentity kind) {
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .resource(
            new io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder()
                .withNewMetadata()
                .withName(kind.plural() + "." + kind.group())
                .endMetadata()
                .withNewSpec()
                .withGroup(kind.group())
                .withScope(kind.namespaced() ? "Namespaced" : "Cluster")
                .withNewNames()
                .withKind(kind.kind())
                .withPlural(kind.plural())
                .endNames()
                .addNewVersion()
                .withName(kind.version())
                .withServed(true)
                .withStorage(true)
                .withNewSubresources()
                .withNewStatus()
                .endStatus()
                .endSubresources()
                .endVersion()
                .endSpec()
                .build())
        .create();
  }

  /** Starts a server knowing these custom resource kinds (each with a status subresource). */
  public static EmbeddedKubernetes start(List<ResourceIdentity> kinds) {
    return start(kinds, Options.defaults());
  }

  public static EmbeddedKubernetes start(List<ResourceIdentity> kinds, Options options) {
    return new EmbeddedKubernetes(List.copyOf(kinds), options);
  }

  /**
   * The server's base URL on the loopback address it listens on, e.g. {@code
   * http://127.0.0.1:34567}.
   */
  public String url() {
    String host = InetAddress.getLoopbackAddress().getHostAddress();
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.getPort();
  }

  /**
   * A kubeconfig for this server (plain HTTP, a token nobody checks, namespace {@code default}):
   * what {@code kubectl} or an agent started with {@code --kubeconfig} needs to reach it.
   */
  public String kubeconfig() {
    return String.join(
        "\n",
        "# SIMULATED Kubernetes API (fabric8 mock server, CRUD mode); for tests and demos only",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "  - name: embedded",
        "    cluster:",
        "      server: " + url(),
        "contexts:",
        "  - name: embedded",
        "    context:",
        "      cluster: embedded",
        "      user: embedded",
        "      namespace: default",
        "current-context: embedded",
        "users:",
        "  - name: embedded",
        "    user:",
        "      token: simulated",
        "");
  }

  public static EmbeddedKubernetes start(ResourceIdentity... kinds) {
    return start(List.of(kinds));
  }

  /** The custom resource kinds this server knows (each with a status subresource). */
  public List<ResourceIdentity> kinds() {
    return kinds;
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
