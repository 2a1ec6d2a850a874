package dev.flyteplugin.backend.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flyteplugin.backend.api.PluginException.Kind;
import dev.flyteplugin.backend.testing.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * API-server faults on create, injected with mock-server expectations that answer one request
 * before the CRUD store does. The client does not retry by itself: the retries seen are the
 * runtime's.
 */
class RuntimeFaultInjectionTest {
  private static final String NS = "flytesnacks-development";
  private static final String PATH = "/apis/test.flyteplugin.dev/v1/namespaces/" + NS + "/testjobs";

  private static final int REQUEST_TIMEOUT_MILLIS = 1500;

  private EmbeddedKubernetes k8s;
  private KubernetesClient client;
  private KubernetesTaskRuntime runtime;

  @BeforeEach
  void start() {
    k8s = EmbeddedKubernetes.start(TestJobPlugin.IDENTITY);
    // Warm up (class loading, first connection) with the patient default client, so that only
    // the injected delay can make the test client's requests time out.
    k8s.client()
        .genericKubernetesResources(KubernetesTaskRuntime.context(TestJobPlugin.IDENTITY))
        .inNamespace(NS)
        .list();
    client = k8s.newClientWithoutRetries(REQUEST_TIMEOUT_MILLIS);
    client
        .genericKubernetesResources(KubernetesTaskRuntime.context(TestJobPlugin.IDENTITY))
        .inNamespace(NS)
        .list();
    runtime = newRuntime();
  }

  private KubernetesTaskRuntime newRuntime() {
    return KubernetesTaskRuntime.builder()
        .client(client)
        .registry(PluginRegistry.of(new TestJobPlugin()))
        .config(
            RuntimeConfig.defaults()
                .withCreateRetries(3, Duration.ofMillis(10), Duration.ofMillis(40)))
        .build();
  }

  @AfterEach
  void stop() {
    runtime.close();
    k8s.close();
  }

  private void failNextCreate(int code, String message) {
    k8s.server().expect().post().withPath(PATH).andReturn(code, status(code, message)).once();
  }

  private static Status status(int code, String message) {
    return new StatusBuilder()
        .withStatus("Failure")
        .withCode(code)
        .withMessage(message)
        .withReason("Injected")
        .build();
  }

  private int resourceCount() {
    return client
        .genericKubernetesResources(KubernetesTaskRuntime.context(TestJobPlugin.IDENTITY))
        .inNamespace(NS)
        .list()
        .getItems()
        .size();
  }

  private TaskCreationException createFails(String execution) {
    TaskCreationException[] caught = new TaskCreationException[1];
    assertThatThrownBy(() -> runtime.create(TestTasks.request(execution, 0)))
        .isInstanceOfSatisfying(TaskCreationException.class, e -> caught[0] = e);
    return caught[0];
  }

  @Test
  void a409ForAnObjectThatIsNotThereIsRetriedAndCreatesOnce() throws Exception {
    failNextCreate(409, "testjobs \"e1-n0-0\" already exists");

    TaskHandle handle = runtime.create(TestTasks.request("e1", 0));

    assertThat(handle.name()).startsWith("e1-n0-0-");
    assertThat(resourceCount()).isEqualTo(1);
  }

  @Test
  void a422IsAPermanentBadTaskFormatWithTheServersMessage() {
    failNextCreate(422, "spec.image: Required value");

    TaskCreationException e = createFails("e2");

    assertThat(e.kind()).isEqualTo(Kind.INVALID_TASK);
    assertThat(e.isRetryable()).isFalse();
    assertThat(e.getMessage()).contains("BadTaskFormat").contains("spec.image: Required value");
    assertThat(resourceCount()).isZero();
  }

  @Test
  void a400IsAPermanentBadTaskFormat() {
    failNextCreate(400, "bad request body");

    assertThat(createFails("e3").kind()).isEqualTo(Kind.INVALID_TASK);
    assertThat(resourceCount()).isZero();
  }

  @Test
  void a413IsAPermanentEntityTooLarge() {
    failNextCreate(413, "request entity too large");

    TaskCreationException e = createFails("e4");

    assertThat(e.kind()).isEqualTo(Kind.INVALID_TASK);
    assertThat(e.getMessage()).contains("EntityTooLarge");
  }

  @Test
  void a403IsRetryableForbidden() {
    failNextCreate(403, "testjobs is forbidden: User cannot create");

    TaskCreationException e = createFails("e5");

    assertThat(e.kind()).isEqualTo(Kind.FORBIDDEN);
    assertThat(e.isRetryable()).isTrue();
    assertThat(e.getMessage()).contains("RBAC");
  }

  @Test
  void anExceededQuotaWaitsForResources() throws Exception {
    failNextCreate(
        403, "testjobs \"e6-n0-0\" is forbidden: exceeded quota: compute, requested: cpu=4");

    // Accepted, not an error (an error would spend one of the user's retries): it waits,
    // kept in a ConfigMap, and is created when the quota allows (PropellerSemanticsTest).
    TaskHandle handle = runtime.create(TestTasks.request("e6", 0));

    assertThat(resourceCount()).isZero();
    assertThat(
            client
                .configMaps()
                .inNamespace(NS)
                .withName(PendingCreations.configMapName(handle))
                .get())
        .isNotNull();
  }

  @Test
  void throttlingAndServerErrorsAreRetriedWithBackoffAndCreateOnce() throws Exception {
    failNextCreate(429, "too many requests");
    failNextCreate(500, "etcd leader changed");

    TaskHandle handle = runtime.create(TestTasks.request("e7", 0));

    assertThat(handle.name()).startsWith("e7-n0-0-");
    assertThat(resourceCount()).isEqualTo(1);
  }

  @Test
  void persistentServerErrorsGiveUpAsTransientAfterTheConfiguredAttempts() throws Exception {
    k8s.server().expect().post().withPath(PATH).andReturn(503, status(503, "unavailable")).times(3);

    TaskCreationException e = createFails("e8");

    assertThat(e.kind()).isEqualTo(Kind.TRANSIENT);
    assertThat(e.getMessage()).contains("failed after retries").contains("503");
    assertThat(resourceCount()).isZero();
    // The faults are over: the retry of the task succeeds with exactly one resource.
    runtime.create(TestTasks.request("e8", 0));
    assertThat(resourceCount()).isEqualTo(1);
  }

  @Test
  void aSlowResponseTimesOutAndTheRetryCreatesExactlyOneResource() throws Exception {
    k8s.server()
        .expect()
        .post()
        .delay(REQUEST_TIMEOUT_MILLIS + 1000, TimeUnit.MILLISECONDS)
        .withPath(PATH)
        .andReturn(504, status(504, "slow"))
        .once();

    TaskHandle handle = runtime.create(TestTasks.request("e9", 0));

    assertThat(handle.name()).startsWith("e9-n0-0-");
    assertThat(resourceCount()).isEqualTo(1);
  }

  @Test
  void aCreateWhoseEarlierCallWentThroughIsAdoptedAfterAFault() throws Exception {
    TaskHandle first = runtime.create(TestTasks.request("e10", 0));
    runtime.close();
    runtime = newRuntime(); // e.g. the agent restarted and propeller re-sent CreateTask
    failNextCreate(500, "internal error");

    TaskHandle again = runtime.create(TestTasks.request("e10", 0));

    assertThat(again).isEqualTo(first);
    assertThat(resourceCount()).isEqualTo(1);
  }
}
