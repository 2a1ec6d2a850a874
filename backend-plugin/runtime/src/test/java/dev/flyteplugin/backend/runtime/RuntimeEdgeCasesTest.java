package dev.flyteplugin.backend.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flyteplugin.backend.testing.EmbeddedKubernetes;
import dev.flyteplugin.backend.testing.LeakCheck;
import flyteidl.core.Execution.ExecutionError;
import flyteidl.core.Execution.TaskExecution.Phase;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The runtime's generic answers to operators' known edge cases (issue #18), with the test as the
 * operator writing statuses through the status subresource of the mock API server (CRUD mode): the
 * pre-running limit and terminal statuses that flip back. Every test ends with nothing left in the
 * API server.
 */
class RuntimeEdgeCasesTest {
  private static final Duration LIMIT = Duration.ofMinutes(30);

  /** The system clock moved forward by a settable amount (the API server keeps real time). */
  static final class ShiftedClock extends Clock {
    private final AtomicReference<Duration> shift = new AtomicReference<>(Duration.ZERO);

    void advance(Duration by) {
      shift.updateAndGet(d -> d.plus(by));
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.now().plus(shift.get());
    }
  }

  private EmbeddedKubernetes k8s;
  private KubernetesClient client;
  private final List<KubernetesTaskRuntime> runtimes = new ArrayList<>();
  private final ShiftedClock clock = new ShiftedClock();

  @BeforeEach
  void startServer() {
    k8s = EmbeddedKubernetes.start(TestJobPlugin.IDENTITY);
    client = k8s.client();
  }

  @AfterEach
  void stop() {
    try {
      runtimes.forEach(KubernetesTaskRuntime::close);
      LeakCheck.awaitNothingLeft(k8s, Duration.ofSeconds(10));
    } finally {
      k8s.close();
    }
  }

  private KubernetesTaskRuntime runtime(RuntimeConfig config) throws InterruptedException {
    KubernetesTaskRuntime runtime =
        KubernetesTaskRuntime.builder()
            .client(client)
            .registry(PluginRegistry.of(new TestJobPlugin()))
            .config(config)
            .clock(clock)
            .build();
    runtimes.add(runtime);
    runtime.start();
    assertThat(runtime.awaitSynced(Duration.ofSeconds(30))).isTrue();
    return runtime;
  }

  private static RuntimeConfig limited() {
    return RuntimeConfig.defaults().withMaxPreRunning(LIMIT);
  }

  private GenericKubernetesResource job(TaskHandle handle) {
    return client
        .genericKubernetesResources(KubernetesTaskRuntime.context(TestJobPlugin.IDENTITY))
        .inNamespace(handle.namespace())
        .withName(handle.name())
        .get();
  }

  private void setState(TaskHandle handle, Map<String, Object> status) {
    client
        .genericKubernetesResources(KubernetesTaskRuntime.context(TestJobPlugin.IDENTITY))
        .inNamespace(handle.namespace())
        .withName(handle.name())
        .editStatus(
            job -> {
              job.setAdditionalProperty("status", status);
              return job;
            });
  }

  private static void awaitPhase(KubernetesTaskRuntime runtime, TaskHandle handle, Phase phase) {
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> runtime.status(handle).phase() == phase);
  }

  @Test
  @DisplayName(
      "spark-operator#2872, airflow#63824: a task stuck before running fails after the limit,"
          + " naming the phase and the limit, and its resource is deleted")
  void preRunningLimitFailsTheTaskAndDeletesItsResource() throws Exception {
    KubernetesTaskRuntime runtime = runtime(limited());
    TaskHandle handle = runtime.create(TestTasks.request("stuck1", 0));
    awaitPhase(runtime, handle, Phase.QUEUED);

    clock.advance(LIMIT.minusMinutes(1));
    assertThat(runtime.status(handle).phase()).isEqualTo(Phase.QUEUED);
    clock.advance(Duration.ofMinutes(2));

    TaskStatus status = runtime.status(handle);
    assertThat(status.phase()).isEqualTo(Phase.RETRYABLE_FAILED);
    assertThat(status.reason()).isEqualTo("PreRunningTimeout");
    assertThat(status.message())
        .contains("QUEUED", "New", "PT30M", "--max-pre-running", handle.name());
    assertThat(status.error().orElseThrow().getKind()).isEqualTo(ExecutionError.ErrorKind.USER);
    await().atMost(Duration.ofSeconds(10)).until(() -> job(handle) == null);
    // Polled again after the deletion: still the timeout, not ResourceDeletedExternally.
    assertThat(runtime.status(handle).reason()).isEqualTo("PreRunningTimeout");
  }

  @Test
  @DisplayName(
      "spark-operator#2872: the pre-running clock lives in the API server: a restarted agent does"
          + " not reset it")
  void aRestartDoesNotResetThePreRunningClock() throws Exception {
    KubernetesTaskRuntime first = runtime(limited());
    TaskHandle handle = first.create(TestTasks.request("stuck2", 0));
    awaitPhase(first, handle, Phase.QUEUED);
    first.close();

    clock.advance(LIMIT.plusMinutes(1));
    KubernetesTaskRuntime second = runtime(limited());

    assertThat(second.status(handle).reason()).isEqualTo("PreRunningTimeout");
    await().atMost(Duration.ofSeconds(10)).until(() -> job(handle) == null);
  }

  @Test
  @DisplayName("airflow#63824: the sweeper deletes a stuck task nobody polls any more")
  void theSweeperDeletesAStuckTaskNobodyPolls() throws Exception {
    KubernetesTaskRuntime runtime =
        runtime(
            limited().withCleanup(RuntimeConfig.DEFAULT_MIN_CLEANUP_TTL, Duration.ofMillis(50)));
    TaskHandle handle = runtime.create(TestTasks.request("stuck3", 0));
    await().atMost(Duration.ofSeconds(10)).until(() -> job(handle) != null);
    Thread.sleep(300); // a few sweeps within the limit: nothing happens
    assertThat(job(handle)).isNotNull();

    clock.advance(LIMIT.plusMinutes(1));

    await().atMost(Duration.ofSeconds(10)).until(() -> job(handle) == null);
  }

  @Test
  @DisplayName("the pre-running limit never touches a running task, nor tasks when it is off")
  void runningTasksAndTheLimitOffAreNotAffected() throws Exception {
    KubernetesTaskRuntime limited = runtime(limited());
    TaskHandle running = limited.create(TestTasks.request("running1", 0));
    setState(running, Map.of("state", "Running"));
    awaitPhase(limited, running, Phase.RUNNING);
    KubernetesTaskRuntime unlimited = runtime(RuntimeConfig.defaults());
    TaskHandle queued = unlimited.create(TestTasks.request("queued1", 0));
    awaitPhase(unlimited, queued, Phase.QUEUED);

    clock.advance(Duration.ofDays(2));

    assertThat(limited.status(running).phase()).isEqualTo(Phase.RUNNING);
    assertThat(unlimited.status(queued).phase()).isEqualTo(Phase.QUEUED);
    assertThat(job(running)).isNotNull();
    assertThat(job(queued)).isNotNull();
    unlimited.abort(running);
    unlimited.abort(queued);
  }

  @Test
  @DisplayName(
      "flink-kubernetes-operator#944: a terminal status that reached propeller stands when the"
          + " operator moves the resource back to a running state, also after a restart")
  void aReportedTerminalStatusStandsWhenTheOperatorFlipsBack() throws Exception {
    KubernetesTaskRuntime runtime = runtime(RuntimeConfig.defaults());
    TaskHandle handle = runtime.create(TestTasks.request("flip1", 0));
    setState(handle, Map.of("state", "Succeeded"));
    awaitPhase(runtime, handle, Phase.SUCCEEDED);
    runtime.markReported(handle);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                "SUCCEEDED"
                    .equals(
                        job(handle).getMetadata().getLabels().get(TerminalHold.REPORTED_PHASE)));

    setState(handle, Map.of("state", "Reconciling")); // mapped RUNNING by the plugin
    Thread.sleep(300); // the watch delivers it
    assertThat(new TestJobPlugin().phase(job(handle)).phase().isTerminal()).isFalse();

    assertThat(runtime.status(handle).phase()).isEqualTo(Phase.SUCCEEDED);
    runtime.close();
    KubernetesTaskRuntime restarted = runtime(RuntimeConfig.defaults());
    TaskStatus held = restarted.status(handle);
    assertThat(held.phase()).isEqualTo(Phase.SUCCEEDED);
    assertThat(held.message()).contains("back to RUNNING", "SUCCEEDED", "stands");
    restarted.abort(handle);
  }

  @Test
  @DisplayName(
      "flink-kubernetes-operator#944: the sweeper deletes a finished resource its operator"
          + " restarted after the result reached propeller (nobody tracks that rerun)")
  void theSweeperDeletesAFlippedBackResourceAtOnce() throws Exception {
    KubernetesTaskRuntime runtime =
        runtime(
            RuntimeConfig.defaults()
                .withCleanup(RuntimeConfig.DEFAULT_MIN_CLEANUP_TTL, Duration.ofMillis(50)));
    TaskHandle handle = runtime.create(TestTasks.request("flip2", 0));
    setState(handle, Map.of("state", "Failed", "message", "boom"));
    awaitPhase(runtime, handle, Phase.RETRYABLE_FAILED);
    runtime.markReported(handle);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                job(handle)
                    .getMetadata()
                    .getLabels()
                    .containsKey(ExecutionLabels.TERMINAL_REPORTED_AT));
    Thread.sleep(300); // finished and reported, within the TTL: kept
    assertThat(job(handle)).isNotNull();

    setState(handle, Map.of("state", "Running"));

    await().atMost(Duration.ofSeconds(10)).until(() -> job(handle) == null);
  }
}
