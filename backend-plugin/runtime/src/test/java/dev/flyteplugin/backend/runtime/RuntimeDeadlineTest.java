package dev.flyteplugin.backend.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flyteplugin.backend.api.PluginException.Kind;
import dev.flyteplugin.backend.testing.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Create and abort within the caller's deadline, against a slow API server: the mock server behind
 * a loopback proxy that holds its answers back (the server itself acts at once).
 */
class RuntimeDeadlineTest {
  private static final String NS = "flytesnacks-development";
  private static final String PATH = "/apis/test.flyteplugin.dev/v1/namespaces/" + NS + "/testjobs";

  private EmbeddedKubernetes k8s;
  private DelayingProxy proxy;
  private KubernetesTaskRuntime runtime;

  @BeforeEach
  void start() throws Exception {
    k8s = EmbeddedKubernetes.start(TestJobPlugin.IDENTITY);
    proxy = new DelayingProxy(k8s.server().getPort());
    KubernetesClient viaProxy =
        k8s.newClient(
            b ->
                b.editOrNewConfig()
                    .withMasterUrl(proxy.url())
                    .withRequestRetryBackoffLimit(0)
                    .endConfig());
    runtime =
        KubernetesTaskRuntime.builder()
            .client(viaProxy)
            .registry(PluginRegistry.of(new TestJobPlugin()))
            .config(
                RuntimeConfig.defaults()
                    .withCreateRetries(50, Duration.ofMillis(100), Duration.ofMillis(100)))
            .build();
    runtime.start();
    assertThat(runtime.awaitSynced(Duration.ofSeconds(30))).isTrue();
  }

  @AfterEach
  void stop() {
    runtime.close();
    proxy.close();
    k8s.close();
  }

  private int resourceCount() {
    return k8s.client()
        .genericKubernetesResources(KubernetesTaskRuntime.context(TestJobPlugin.IDENTITY))
        .inNamespace(NS)
        .list()
        .getItems()
        .size();
  }

  private static Deadline in(Duration duration, AtomicBoolean cancelled) {
    return Deadline.at(Instant.now().plus(duration), cancelled::get);
  }

  @Test
  void aCancelledCallerCreatesNothing() {
    assertThatThrownBy(
            () ->
                runtime.create(
                    TestTasks.request("cancelled", 0),
                    in(Duration.ofSeconds(10), new AtomicBoolean(true))))
        .isInstanceOfSatisfying(
            TaskCreationException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT))
        .hasMessageContaining("DeadlineExceeded")
        .hasMessageContaining("cancelled");
    assertThat(resourceCount()).isZero();
  }

  @Test
  void aCreateWhoseDeadlinePassesDuringTheSlowPostDeletesWhatTheServerCreated() throws Exception {
    // Warm up (class loading, first bounded call) so that only the slow answer counts.
    runtime.create(TestTasks.request("warm", 0), in(Duration.ofSeconds(10), new AtomicBoolean()));
    proxy.delay(1500);
    long start = System.nanoTime();

    assertThatThrownBy(
            () ->
                runtime.create(
                    TestTasks.request("slow", 0),
                    in(Duration.ofMillis(500), new AtomicBoolean(false))))
        .isInstanceOfSatisfying(
            TaskCreationException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT))
        .hasMessageContaining("DeadlineExceeded")
        .hasMessageContaining("deadline");

    // The caller heard back at its deadline, not when the server answered.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1400));
    // The server did create it (the request went through at once) ...
    assertThat(resourceCount()).isEqualTo(2);
    // ... and nothing is left running that nobody tracks.
    await().atMost(Duration.ofSeconds(15)).until(() -> resourceCount() == 1);
  }

  @Test
  void aCallerCancellingWhileThePostIsInFlightGetsAnErrorAndTheObjectIsDeletedAgain() {
    proxy.delay(1000);
    AtomicBoolean cancelled = new AtomicBoolean(false);
    Thread canceller =
        new Thread(
            () -> {
              try {
                Thread.sleep(300);
              } catch (InterruptedException e) {
                return;
              }
              cancelled.set(true);
            });
    canceller.start();

    assertThatThrownBy(
            () ->
                runtime.create(TestTasks.request("gone", 0), in(Duration.ofSeconds(20), cancelled)))
        .isInstanceOfSatisfying(
            TaskCreationException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT))
        .hasMessageContaining("returned after it");
    assertThat(resourceCount()).isZero();
  }

  @Test
  void createRetriesStopAtTheDeadline() {
    k8s.server()
        .expect()
        .post()
        .withPath(PATH)
        .andReturn(
            503,
            new StatusBuilder().withStatus("Failure").withCode(503).withMessage("down").build())
        .times(100);
    long start = System.nanoTime();

    // 50 attempts 100 ms apart would take 5 s; the caller waits 600 ms.
    assertThatThrownBy(
            () ->
                runtime.create(
                    TestTasks.request("retries", 0),
                    in(Duration.ofMillis(600), new AtomicBoolean(false))))
        .isInstanceOfSatisfying(
            TaskCreationException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TRANSIENT))
        .hasMessageContaining("DeadlineExceeded");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
    assertThat(resourceCount()).isZero();
  }

  @Test
  void abortWithAPassedDeadlineMakesNoCall() throws Exception {
    TaskHandle handle = runtime.create(TestTasks.request("keep", 0));

    assertThatThrownBy(() -> runtime.abort(handle, in(Duration.ZERO, new AtomicBoolean(false))))
        .isInstanceOf(java.util.concurrent.CancellationException.class)
        .hasMessageContaining("deadline");
    assertThat(resourceCount()).isEqualTo(1);
    runtime.abort(handle, in(Duration.ofSeconds(10), new AtomicBoolean(false)));
    assertThat(resourceCount()).isZero();
  }
}
