package dev.flyteplugin.backend.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flyteplugin.backend.runtime.KubernetesTaskRuntime;
import dev.flyteplugin.backend.runtime.PluginRegistry;
import dev.flyteplugin.backend.runtime.RuntimeConfig;
import dev.flyteplugin.backend.runtime.TaskHandle;
import dev.flyteplugin.backend.runtime.TaskStatus;
import dev.flyteplugin.backend.spark.simulation.SparkSimulation;
import dev.flyteplugin.backend.testing.EmbeddedKubernetes;
import dev.flyteplugin.backend.testing.LeakCheck;
import dev.flyteplugin.backend.testing.OperatorScript;
import dev.flyteplugin.backend.testing.SimulatedOperator;
import dev.flyteplugin.backend.testing.SimulatedWorkload;
import flyteidl.core.Execution.ExecutionError;
import flyteidl.core.Execution.TaskExecution.Phase;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Spark operator's known edge cases replayed through the real API shapes (issue #18): the
 * simulated operator writes what kubeflow/spark-operator v2.5.2 writes (status subresource), makes
 * and loses the driver pod, and the runtime and the Spark plugin must neither leak nor mis-report.
 * Each test names the upstream issue it replays; every test ends with no SparkApplication and no
 * pod left in the mock API server ({@link LeakCheck}).
 */
class SparkEdgeCasesTest {
  private static final Duration LIMIT = Duration.ofMinutes(20);

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

  private final ShiftedClock clock = new ShiftedClock();
  private EmbeddedKubernetes k8s;
  private KubernetesTaskRuntime runtime;
  private SimulatedOperator operator;

  @BeforeEach
  void startServer() {
    k8s = EmbeddedKubernetes.start(SparkApplications.IDENTITY);
  }

  @AfterEach
  void nothingIsLeftBehind() {
    try {
      if (runtime != null) {
        runtime.close();
      }
      LeakCheck.awaitNothingLeft(k8s, Duration.ofSeconds(10));
    } finally {
      if (operator != null) {
        operator.close();
      }
      k8s.close();
    }
  }

  private void startRuntime(RuntimeConfig config) throws InterruptedException {
    runtime =
        KubernetesTaskRuntime.builder()
            .client(k8s.client())
            .registry(PluginRegistry.of(new SparkOperatorPlugin(SparkPluginConfig.defaults())))
            .config(config)
            .clock(clock)
            .build();
    runtime.start();
    assertThat(runtime.awaitSynced(Duration.ofSeconds(30))).isTrue();
  }

  /** Cleanup as in production, but at once once propeller saw the result. */
  private static RuntimeConfig quickCleanup() {
    return RuntimeConfig.defaults()
        .withMinCleanupTtl(Duration.ZERO)
        .withCleanup(Duration.ZERO, Duration.ofMillis(50));
  }

  private void scripted(OperatorScript script) {
    operator = SimulatedOperator.scripted(k8s.client(), script).start();
  }

  private void automatic(SimulatedWorkload workload) {
    operator =
        SimulatedOperator.automatic(
                k8s.client(), new SparkSimulation().script(), workload, Duration.ofMillis(20))
            .start();
  }

  private GenericKubernetesResource app(TaskHandle handle) {
    return k8s.client()
        .genericKubernetesResources(KubernetesTaskRuntime.context(SparkApplications.IDENTITY))
        .inNamespace(handle.namespace())
        .withName(handle.name())
        .get();
  }

  private Pod driver(TaskHandle handle) {
    return k8s.client()
        .pods()
        .inNamespace(handle.namespace())
        .withName(SparkApplications.driverPodName(handle.name()))
        .get();
  }

  private TaskStatus awaitStatus(TaskHandle handle, Phase phase) {
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> runtime.status(handle).phase() == phase);
    return runtime.status(handle);
  }

  /** Propeller saw the terminal status: the sweeper may now delete the application. */
  private void reported(TaskHandle handle) {
    runtime.markReported(handle);
    await().atMost(Duration.ofSeconds(20)).until(() -> app(handle) == null);
  }

  @Test
  @DisplayName(
      "flyte#263: a workflow that gave up (DeleteTask) leaves no SparkApplication and no pod"
          + " running")
  void flyte263_abortLeavesNoApplicationOrPod() throws Exception {
    startRuntime(RuntimeConfig.defaults());
    CountDownLatch running = new CountDownLatch(1);
    automatic(
        task -> {
          running.countDown();
          Thread.sleep(60_000);
          return SimulatedWorkload.Outcome.success();
        });
    TaskHandle queued = runtime.create(SparkTasks.request("f263a", SparkTasks.minimalConfig()));
    runtime.abort(queued); // at once: whatever state it reached
    TaskHandle handle = runtime.create(SparkTasks.request("f263b", SparkTasks.minimalConfig()));
    assertThat(running.await(20, TimeUnit.SECONDS)).isTrue();
    assertThat(driver(handle)).isNotNull();

    runtime.abort(handle);

    LeakCheck.awaitNothingLeft(k8s, Duration.ofSeconds(10));
  }

  @Test
  @DisplayName(
      "spark-operator#2872, airflow#63824: an application stuck in SUBMITTED fails after the"
          + " pre-running limit, naming the state and the limit, and is deleted with its driver pod")
  void spark2872_stuckInSubmittedFailsAfterTheLimitAndIsDeleted() throws Exception {
    startRuntime(RuntimeConfig.defaults().withMaxPreRunning(LIMIT));
    scripted(new SparkSimulation().script());
    TaskHandle handle = runtime.create(SparkTasks.request("s2872", SparkTasks.minimalConfig()));
    // Submitted; the driver pod is created but never scheduled (a missing PVC, no capacity).
    operator.moveTo(handle.namespace(), handle.name(), SparkApplications.SUBMITTED, "");
    awaitStatus(handle, Phase.INITIALIZING);
    assertThat(driver(handle)).isNotNull();

    clock.advance(LIMIT.plusSeconds(1));
    TaskStatus status = runtime.status(handle);

    assertThat(status.phase()).isEqualTo(Phase.RETRYABLE_FAILED);
    assertThat(status.reason()).isEqualTo("PreRunningTimeout");
    assertThat(status.message()).contains("state SUBMITTED", "INITIALIZING", "PT20M");
    await().atMost(Duration.ofSeconds(10)).until(() -> app(handle) == null);
    await().atMost(Duration.ofSeconds(10)).until(() -> driver(handle) == null);
    assertThat(runtime.status(handle).reason()).isEqualTo("PreRunningTimeout");
  }

  @Test
  @DisplayName(
      "spark-operator#2302: a driver pod not found yet inside the operator's grace period is"
          + " waited for, not failed")
  void spark2302_aDriverPodNotFoundInsideTheGracePeriodIsNotAFailure() throws Exception {
    startRuntime(quickCleanup());
    scripted(new SparkSimulation().script());
    TaskHandle handle = runtime.create(SparkTasks.request("s2302a", SparkTasks.minimalConfig()));
    operator.moveTo(handle.namespace(), handle.name(), SparkApplications.SUBMITTED, "");
    operator.deletePods(handle.namespace(), handle.name()); // not visible yet

    assertThat(operator.reconcileMainPod(handle.namespace(), handle.name())).isFalse();

    assertThat(awaitStatus(handle, Phase.INITIALIZING).error()).isEmpty();
    operator.moveTo(handle.namespace(), handle.name(), SparkApplications.RUNNING, "");
    awaitStatus(handle, Phase.RUNNING);
    operator.moveTo(handle.namespace(), handle.name(), SparkApplications.COMPLETED, "");
    awaitStatus(handle, Phase.SUCCEEDED);
    reported(handle);
  }

  @Test
  @DisplayName(
      "spark-operator#2302: past the grace period the operator fails the application ('driver"
          + " pod not found'): a bounded, retryable system failure")
  void spark2302_aDriverPodMissingPastTheGracePeriodIsARetryableSystemFailure() throws Exception {
    startRuntime(quickCleanup());
    OperatorScript script = new SparkSimulation().script();
    scripted(
        script.withPodLoss(
            new OperatorScript.PodLoss(
                script.podLoss().states(),
                script.podLoss().message(),
                Set.of(SparkApplications.SUBMITTED),
                Duration.ofMillis(200))));
    TaskHandle handle = runtime.create(SparkTasks.request("s2302b", SparkTasks.minimalConfig()));
    operator.moveTo(handle.namespace(), handle.name(), SparkApplications.SUBMITTED, "");
    operator.deletePods(handle.namespace(), handle.name());
    assertThat(operator.reconcileMainPod(handle.namespace(), handle.name())).isFalse();
    Thread.sleep(300);

    assertThat(operator.reconcileMainPod(handle.namespace(), handle.name())).isTrue();

    TaskStatus status = awaitStatus(handle, Phase.RETRYABLE_FAILED);
    assertThat(status.reason()).isEqualTo("SparkDriverPodNotFound");
    assertThat(status.error().orElseThrow().getKind()).isEqualTo(ExecutionError.ErrorKind.SYSTEM);
    reported(handle);
  }

  @Test
  @DisplayName(
      "airflow#41212: a driver pod deleted while the application runs is a failure, never a"
          + " success")
  void airflow41212_aDeletedDriverIsNeverSuccess() throws Exception {
    startRuntime(quickCleanup());
    CountDownLatch running = new CountDownLatch(1);
    automatic(
        task -> {
          running.countDown();
          try {
            Thread.sleep(2_000);
          } catch (InterruptedException e) {
            // A workload that ignores the interrupt and reports success: the operator's status
            // decides, not the workload.
          }
          return SimulatedWorkload.Outcome.success();
        });
    TaskHandle handle = runtime.create(SparkTasks.request("a41212", SparkTasks.minimalConfig()));
    assertThat(running.await(20, TimeUnit.SECONDS)).isTrue();
    List<Phase> seen = new CopyOnWriteArrayList<>();

    k8s.client()
        .pods()
        .inNamespace(handle.namespace())
        .withName(SparkApplications.driverPodName(handle.name()))
        .delete();

    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(10))
        .until(
            () -> {
              TaskStatus s = runtime.status(handle);
              seen.add(s.phase());
              return s.isTerminal();
            });
    Thread.sleep(2_500); // past the workload's end: nothing may turn it into a success
    TaskStatus status = runtime.status(handle);
    assertThat(status.phase()).isEqualTo(Phase.RETRYABLE_FAILED);
    assertThat(status.reason()).isEqualTo("SparkDriverPodNotFound");
    assertThat(seen).doesNotContain(Phase.SUCCEEDED);
    assertThat(app(handle).getAdditionalProperties().get("status").toString())
        .contains("state=FAILED", "errorMessage=driver pod not found");
    reported(handle);
  }

  @Test
  @DisplayName(
      "spark-operator#1558: pods a late submission creates after the SparkApplication was deleted"
          + " do not outlive it")
  void spark1558_podsCreatedAfterTheDeletionAreCollected() throws Exception {
    startRuntime(RuntimeConfig.defaults());
    scripted(new SparkSimulation().script());
    TaskHandle handle = runtime.create(SparkTasks.request("s1558", SparkTasks.minimalConfig()));
    await().atMost(Duration.ofSeconds(10)).until(() -> app(handle) != null);
    GenericKubernetesResource seenBySubmit = app(handle);

    runtime.abort(handle);
    operator.submitLate(seenBySubmit, SparkApplications.SUBMITTED);

    // The driver pod carries the deleted application's owner reference (the operator sets it at
    // submission, v2.5.2 submission.go); the garbage collector removes it.
    LeakCheck.awaitNothingLeft(k8s, Duration.ofSeconds(10));
  }

  /** Attempt {@code n} of one node, with propeller's output prefix layout (attempt last). */
  private static dev.flyteplugin.backend.runtime.TaskRequest attempt(int n) {
    var request =
        SparkTasks.request(
            "attempts",
            n,
            dev.flyteplugin.proto.example.ExamplePlugin.CODEC.toStruct(SparkTasks.minimalConfig()));
    return new dev.flyteplugin.backend.runtime.TaskRequest(
        request.template(),
        request.inputs(),
        "s3://bucket/attempts/n0/data/" + n,
        request.metadata());
  }

  @Test
  @DisplayName("flyte#263: a newer attempt aborts the older one still running, driver pod included")
  void flyte263_aNewerAttemptLeavesNothingOfTheOlderOne() throws Exception {
    startRuntime(RuntimeConfig.defaults());
    automatic(
        task -> {
          Thread.sleep(60_000);
          return SimulatedWorkload.Outcome.success();
        });
    TaskHandle first = runtime.create(attempt(0));
    await().atMost(Duration.ofSeconds(20)).until(() -> driver(first) != null);

    TaskHandle second = runtime.create(attempt(1));

    await().atMost(Duration.ofSeconds(20)).until(() -> app(first) == null && driver(first) == null);
    assertThat(app(second)).isNotNull();
    runtime.abort(second);
  }

  @Test
  @DisplayName(
      "spark-operator rerun of a finished application (INVALIDATING -> PENDING_RERUN,"
          + " controller.go): the reported success stands and the rerun is deleted")
  void aFinishedApplicationTheOperatorRerunsKeepsItsReportedResult() throws Exception {
    startRuntime(quickCleanup().withCleanup(Duration.ofHours(1), Duration.ofMillis(50)));
    scripted(new SparkSimulation().script());
    TaskHandle handle = runtime.create(SparkTasks.request("rerun", SparkTasks.minimalConfig()));
    operator.moveTo(handle.namespace(), handle.name(), SparkApplications.RUNNING, "");
    operator.moveTo(handle.namespace(), handle.name(), SparkApplications.COMPLETED, "");
    awaitStatus(handle, Phase.SUCCEEDED);
    runtime.markReported(handle);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                app(handle).getMetadata().getLabels().keySet().stream()
                    .anyMatch(k -> k.endsWith("terminal-reported-phase")));

    // A spec change makes the operator rerun it: INVALIDATING, then PENDING_RERUN.
    operator.moveTo(handle.namespace(), handle.name(), SparkApplications.INVALIDATING, "");

    // The sweeper deletes the rerun at once, though the 1 h TTL has not passed...
    await().atMost(Duration.ofSeconds(10)).until(() -> app(handle) == null);
    // ... and a later poll still reads the success propeller recorded.
    assertThat(runtime.status(handle).phase()).isEqualTo(Phase.SUCCEEDED);
  }
}
