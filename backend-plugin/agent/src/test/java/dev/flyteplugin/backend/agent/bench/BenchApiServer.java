package dev.flyteplugin.backend.agent.bench;

import dev.flyteplugin.backend.api.ResourceIdentity;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.BenchWatches;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.KubernetesResponseComposer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.BenchAttributeMatch;
import io.fabric8.mockwebserver.http.MockResponse;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;

/**
 * The benchmark's API server: the same fabric8 mock server in CRUD mode as {@code
 * EmbeddedKubernetes}, with a way to load many objects into its store without an HTTP POST each.
 * {@link #bulkLoad} does what the server's POST handler does once it has decided to store an object
 * (uid, resourceVersion, creationTimestamp, then the store's own {@code processEvent}: stored under
 * the same attributes and announced to open watches), minus the request itself and the mock's scan
 * of its whole store for an existing object of that name (quadratic over 100,000 POSTs). The server
 * has no status subresource rule on this path: a loaded object keeps the status it is given, as if
 * the operator had written it.
 */
final class BenchApiServer implements AutoCloseable {
  private final KubernetesCrudDispatcher crud;
  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final ResourceIdentity kind;

  BenchApiServer(ResourceIdentity kind) {
    this.kind = kind;
    CustomResourceDefinitionContext crd =
        new CustomResourceDefinitionContext.Builder()
            .withGroup(kind.group())
            .withVersion(kind.version())
            .withKind(kind.kind())
            .withPlural(kind.plural())
            .withScope("Namespaced")
            .withStatusSubresource(true)
            .build();
    this.crud = new Dispatcher(List.of(crd));
    this.server =
        new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), crud, false);
    server.init();
    this.client = server.createClient();
    // A cluster-mode agent checks the kind's CRD at start.
    dev.flyteplugin.backend.testing.EmbeddedKubernetes.installCrd(client, kind);
  }

  /**
   * The mock's CRUD dispatcher with two answers made faithful to a real API server at this scale:
   *
   * <ul>
   *   <li>A LIST is answered from the same store, filtered with the same attribute semantics
   *       ({@link BenchAttributeMatch}) but without the mock's per-object cost (seconds of one
   *       event-loop thread per 10,000 objects, which a real API server serving lists from its
   *       watch cache does not have). Same body as the mock composes.
   *   <li>A WATCH from a resourceVersion (an informer's watch after its LIST) sends the events
   *       after that version, as Kubernetes does; the mock replays every stored object as ADDED,
   *       which at 100,000 objects queues 350 MB of events and makes each informer parse its whole
   *       store twice. Other watches are the mock's.
   * </ul>
   *
   * GET of one object, POST, PUT, PATCH and DELETE are the mock's own (a GET and a POST scan the
   * store: the direct-GET and create figures include that).
   */
  private static final class Dispatcher extends KubernetesCrudDispatcher {
    private final KubernetesResponseComposer composer = new KubernetesResponseComposer();

    Dispatcher(List<CustomResourceDefinitionContext> crds) {
      super(crds);
    }

    final java.util.concurrent.atomic.AtomicLong requests =
        new java.util.concurrent.atomic.AtomicLong();

    @Override
    public MockResponse dispatch(io.fabric8.mockwebserver.http.RecordedRequest request) {
      requests.incrementAndGet();
      if (Boolean.getBoolean("bench.traceRequests")) {
        System.out.println("REQ " + request.getMethod() + " " + request.getPath());
      }
      return super.dispatch(request);
    }

    @Override
    public MockResponse handleGet(String path) {
      if (path.contains("watch=true")) {
        return super.handleGet(path); // calls handleWatch below
      }
      AttributeSet query = attributeExtractor.fromPath(path);
      if (query.getAttribute("name") != null) {
        return super.handleGet(path);
      }
      List<String> items = new ArrayList<>();
      Lock lock = lock(this).readLock();
      lock.lock();
      try {
        for (Map.Entry<AttributeSet, String> entry : map.entrySet()) {
          if (BenchAttributeMatch.matches(entry.getKey(), query)) {
            items.add(entry.getValue());
          }
        }
      } finally {
        lock.unlock();
      }
      return new MockResponse()
          .setResponseCode(200)
          .setBody(composer.compose(items, Long.toString(resourceVersion(this))));
    }

    @Override
    public MockResponse handleWatch(String path) {
      if (!path.contains("resourceVersion=") || path.contains("fieldSelector")) {
        return super.handleWatch(path);
      }
      // no replay: the watcher listed up to its resourceVersion
      return BenchWatches.withoutReplay(
          context, attributeExtractor.fromPath(path), listeners(this));
    }
  }

  private static Object field(KubernetesCrudDispatcher crud, String name) {
    try {
      Field field = KubernetesCrudDispatcher.class.getDeclaredField(name);
      field.setAccessible(true);
      return field.get(crud);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("fabric8 mock server internals changed: " + name, e);
    }
  }

  private static ReadWriteLock lock(KubernetesCrudDispatcher crud) {
    return (ReadWriteLock) field(crud, "lock");
  }

  private static long resourceVersion(KubernetesCrudDispatcher crud) {
    return ((AtomicLong) field(crud, "resourceVersion")).get();
  }

  private static Set<?> listeners(KubernetesCrudDispatcher crud) {
    return (Set<?>) field(crud, "watchEventListeners");
  }

  long requests() {
    return ((Dispatcher) crud).requests.get();
  }

  KubernetesClient client() {
    return client;
  }

  KubernetesClient newClient() {
    return server.createClient();
  }

  /**
   * Stores the objects (their names and namespaces set, uids and versions assigned here), under the
   * store's write lock as a request handler holds it.
   */
  void bulkLoad(List<GenericKubernetesResource> objects) {
    Lock lock = lock(crud).writeLock();
    lock.lock();
    try {
      store(objects);
    } finally {
      lock.unlock();
    }
  }

  private void store(List<GenericKubernetesResource> objects) {
    String created = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    for (GenericKubernetesResource object : objects) {
      String path =
          "/apis/"
              + kind.group()
              + "/"
              + kind.version()
              + "/namespaces/"
              + object.getMetadata().getNamespace()
              + "/"
              + kind.plural();
      AttributeSet key =
          crud.getKey(path).add(new Attribute("name", object.getMetadata().getName()));
      object.getMetadata().setUid(UUID.randomUUID().toString());
      object.getMetadata().setResourceVersion(Long.toString(crud.requestResourceVersion()));
      object.getMetadata().setCreationTimestamp(created);
      object.getMetadata().setGeneration(1L);
      crud.processEvent(path, key, null, object, Serialization.asJson(object));
    }
  }

  /** A kubeconfig for this server, as an agent started with --kubeconfig reads it. */
  String kubeconfig() {
    String host = InetAddress.getLoopbackAddress().getHostAddress();
    String url =
        "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.getPort();
    return String.join(
        "\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "  - name: bench",
        "    cluster:",
        "      server: " + url,
        "contexts:",
        "  - name: bench",
        "    context:",
        "      cluster: bench",
        "      user: bench",
        "      namespace: default",
        "current-context: bench",
        "users:",
        "  - name: bench",
        "    user:",
        "      token: bench",
        "");
  }

  @Override
  public void close() {
    client.close();
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      // the mock server's bounded wait for its event loop; everything is in-process
    }
  }
}
