package dev.flyteplugin.backend.testing;

import dev.flyteplugin.backend.api.ResourceIdentity;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.CustomResourceAware;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.Resetable;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CRUD dispatcher of the embedded API server, with a slow create for the operators' custom
 * resources: a POST of one is answered {@code createLatency} late, and the object is stored only
 * then, as a slow real API server (admission webhooks, a loaded etcd) would do. The mock server
 * dispatches on its single event loop, which must not block, so the store happens on a timer thread
 * and the answer is sent with a body delay; its body is the submitted object with the server-set
 * {@code uid} and {@code creationTimestamp} (the stored copy has its own). A POST of an object that
 * exists already is answered 409 as usual, just as late.
 */
final class LatencyDispatcher extends Dispatcher implements CustomResourceAware, Resetable {
  private static final Logger log = LoggerFactory.getLogger(LatencyDispatcher.class);

  private final KubernetesMixedDispatcher delegate;
  private final Duration createLatency;
  private final List<Pattern> collections;
  private final KubernetesSerialization serialization = new KubernetesSerialization();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "embedded-api-slow-create");
            t.setDaemon(true);
            return t;
          });

  LatencyDispatcher(
      KubernetesMixedDispatcher delegate, Duration createLatency, List<ResourceIdentity> kinds) {
    this.delegate = delegate;
    this.createLatency = createLatency;
    this.collections =
        kinds.stream()
            .map(
                k ->
                    Pattern.compile(
                        "/apis/"
                            + Pattern.quote(k.group())
                            + "/"
                            + Pattern.quote(k.version())
                            + (k.namespaced() ? "/namespaces/[^/]+" : "")
                            + "/"
                            + Pattern.quote(k.plural())
                            + "/?(\\?.*)?"))
            .toList();
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    if (createLatency.isZero()
        || request.method() != HttpMethod.POST
        || !isCustomResource(request)) {
      return delegate.dispatch(request);
    }
    // The body is a buffer that reading consumes: read it once, give each dispatch its own copy.
    byte[] body = request.getBody() == null ? new byte[0] : request.getBody().getBytes();
    GenericKubernetesResource submitted;
    try {
      submitted =
          serialization.unmarshal(
              new String(body, StandardCharsets.UTF_8), GenericKubernetesResource.class);
    } catch (RuntimeException e) {
      return delegate.dispatch(copy(request, body)).setBodyDelay(createLatency); // refused, late
    }
    String name = submitted.getMetadata() == null ? null : submitted.getMetadata().getName();
    String collection = request.getPath().replaceAll("\\?.*$", "").replaceAll("/$", "");
    if (name == null || exists(collection + "/" + name)) {
      return delegate.dispatch(copy(request, body)).setBodyDelay(createLatency); // 409, just late
    }
    timer.schedule(
        () -> {
          MockResponse stored = delegate.dispatch(copy(request, body));
          if (stored.code() >= 300) {
            log.warn(
                "slow create of {}/{} refused: {} {}",
                collection,
                name,
                stored.code(),
                stored.getBody());
          }
        },
        createLatency.toMillis(),
        TimeUnit.MILLISECONDS);
    submitted.getMetadata().setUid(UUID.randomUUID().toString());
    submitted.getMetadata().setCreationTimestamp(Instant.now().plus(createLatency).toString());
    return new MockResponse()
        .setResponseCode(201)
        .setHeader("Content-Type", "application/json")
        .setBody(serialization.asJson(submitted))
        // a little after the store, so that a GET right after the answer finds the object
        .setBodyDelay(createLatency.plusMillis(50));
  }

  private static RecordedRequest copy(RecordedRequest request, byte[] body) {
    return new RecordedRequest(
        request.getHttpVersion(),
        request.method(),
        request.getPath(),
        request.getHeaders(),
        new Buffer(body));
  }

  private boolean isCustomResource(RecordedRequest request) {
    String path = request.getPath();
    return collections.stream().anyMatch(p -> p.matcher(path).matches());
  }

  private boolean exists(String path) {
    MockResponse found =
        delegate.dispatch(
            new RecordedRequest(
                "HTTP/1.1", HttpMethod.GET, path, Headers.builder().build(), new Buffer()));
    return found.code() == 200;
  }

  @Override
  public void expectCustomResource(CustomResourceDefinitionContext context) {
    delegate.expectCustomResource(context);
  }

  @Override
  public void reset() {
    delegate.reset();
  }

  @Override
  public void shutdown() {
    timer.shutdownNow();
    delegate.shutdown();
  }
}
