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
import dev.flyteplugin.backend.testing.SimulatedOperator;
import dev.flyteplugin.backend.testing.SimulatedWorkload;
import flyteidl.core.Execution.TaskExecution.Phase;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tasks run end to end: runtime + Spark plugin + the automatic simulated operator. */
class SparkEndToEndTest {
  private EmbeddedKubernetes k8s;
  private KubernetesTaskRuntime runtime;
  private SimulatedOperator operator;

  @BeforeEach
  void startServer() {
    k8s = EmbeddedKubernetes.start(SparkApplications.IDENTITY);
  }

  private void startRuntime(RuntimeConfig config) throws InterruptedException {
    runtime =
        KubernetesTaskRuntime.builder()
            .client(k8s.client())
            .registry(PluginRegistry.load())
            .config(config)
            .build();
    runtime.start();
    assertThat(runtime.awaitSynced(Duration.ofSeconds(30))).isTrue();
  }

  private void startOperator(SimulatedWorkload workload) {
    operator =
        SimulatedOperator.automatic(
                k8s.client(), new SparkSimulation().script(), workload, Duration.ofMillis(50))
            .start();
  }

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.close();
    }
    if (runtime != null) {
      runtime.close();
    }
    k8s.close();
  }

  private List<Phase> recordPhasesUntilTerminal(TaskHandle handle) {
    List<Phase> seen = new CopyOnWriteArrayList<>();
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(10))
        .until(
            () -> {
              TaskStatus s = runtime.status(handle);
              if (seen.isEmpty() || seen.get(seen.size() - 1) != s.phase()) {
                seen.add(s.phase());
              }
              return s.isTerminal();
            });
    return seen;
  }

  @Test
  void aTaskRunsThroughTheOperatorsStatesToSuccessAndTheDriverSeesTheTask() throws Exception {
    startRuntime(RuntimeConfig.defaults());
    AtomicReference<GenericKubernetesResource> ran = new AtomicReference<>();
    startOperator(
        task -> {
          ran.set(task.resource());
          Thread.sleep(300);
          return SimulatedWorkload.Outcome.success();
        });

    TaskHandle handle = runtime.create(SparkTasks.request("e2e1", SparkTasks.minimalConfig()));
    List<Phase> phases = recordPhasesUntilTerminal(handle);

    assertThat(phases).contains(Phase.RUNNING).endsWith(Phase.SUCCEEDED);
    assertThat(phases.indexOf(Phase.RUNNING)).isGreaterThan(-1);
    @SuppressWarnings("unchecked")
    Map<String, Object> spec =
        (Map<String, Object>) ran.get().getAdditionalProperties().get("spec");
    assertThat(spec).containsEntry("mainClass", SparkPluginConfig.JFLYTE_MAIN_CLASS);
    assertThat((List<String>) spec.get("arguments")).startsWith("execute", "--task");
    Pod driver =
        k8s.client()
            .pods()
            .inNamespace(handle.namespace())
            .withName(handle.name() + "-driver")
            .get();
    assertThat(driver.getMetadata().getLabels())
        .containsEntry("spark-role", "driver")
        .containsEntry("sparkoperator.k8s.io/app-name", handle.name())
        .containsEntry("flyteplugin.dev/execution-id", "e2e1");
    assertThat(driver.getSpec().getContainers().get(0).getEnv())
        .anySatisfy(e -> assertThat(e.getName()).isEqualTo("FLYTE_INTERNAL_IMAGE"));
  }

  @Test
  void aFailingDriverIsARetryableFailureWithItsMessage() throws Exception {
    startRuntime(RuntimeConfig.defaults());
    startOperator(
        SimulatedWorkload.failAfter(Duration.ofMillis(100), "java.lang.OutOfMemoryError"));

    TaskHandle handle = runtime.create(SparkTasks.request("e2e2", SparkTasks.minimalConfig()));
    List<Phase> phases = recordPhasesUntilTerminal(handle);

    assertThat(phases).endsWith(Phase.RETRYABLE_FAILED);
    assertThat(runtime.status(handle).message()).isEqualTo("java.lang.OutOfMemoryError");
  }

  @Test
  void abortStopsTheRunningWorkloadAndRemovesApplicationAndDriverPod() throws Exception {
    startRuntime(RuntimeConfig.defaults());
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    startOperator(
        task -> {
          started.countDown();
          try {
            Thread.sleep(60_000);
          } catch (InterruptedException e) {
            interrupted.set(true);
            throw e;
          }
          return SimulatedWorkload.Outcome.success();
        });
    TaskHandle handle = runtime.create(SparkTasks.request("e2e3", SparkTasks.minimalConfig()));
    assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

    runtime.abort(handle);
    runtime.abort(handle);

    await().atMost(Duration.ofSeconds(20)).untilTrue(interrupted);
    assertThat(
            k8s.client()
                .genericKubernetesResources(
                    KubernetesTaskRuntime.context(SparkApplications.IDENTITY))
                .inNamespace(handle.namespace())
                .withName(handle.name())
                .get())
        .isNull();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                k8s.client()
                        .pods()
                        .inNamespace(handle.namespace())
                        .withName(handle.name() + "-driver")
                        .get()
                    == null);
    // flyte#263: an aborted task leaves no SparkApplication and no pod at all.
    dev.flyteplugin.backend.testing.LeakCheck.awaitNothingLeft(k8s, Duration.ofSeconds(20));
  }

  @Test
  void aRestartedRuntimeFollowsATaskStartedByTheOldOne() throws Exception {
    startRuntime(RuntimeConfig.defaults());
    startOperator(SimulatedWorkload.succeedAfter(Duration.ofMillis(800)));
    TaskHandle handle = runtime.create(SparkTasks.request("e2e4", SparkTasks.minimalConfig()));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> runtime.status(handle).phase() == Phase.RUNNING);

    runtime.close();
    startRuntime(RuntimeConfig.defaults());

    assertThat(runtime.status(handle).phase()).isIn(Phase.RUNNING, Phase.SUCCEEDED);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> runtime.status(handle).phase() == Phase.SUCCEEDED);
  }

  @Test
  void finishedApplicationsAreCleanedUpAfterTheTtlRunningOnesAreNot() throws Exception {
    startRuntime(
        RuntimeConfig.defaults()
            .withMinCleanupTtl(Duration.ZERO)
            .withCleanup(Duration.ofMillis(500), Duration.ofMillis(100)));
    startOperator(
        task -> {
          boolean slow = String.valueOf(task.resource().getMetadata().getName()).startsWith("slow");
          Thread.sleep(slow ? 30_000 : 50);
          return SimulatedWorkload.Outcome.success();
        });
    TaskHandle quick = runtime.create(SparkTasks.request("quick", SparkTasks.minimalConfig()));
    TaskHandle slow = runtime.create(SparkTasks.request("slow", SparkTasks.minimalConfig()));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> runtime.status(quick).phase() == Phase.SUCCEEDED);
    runtime.markReported(quick); // as the agent does once propeller has the result

    var apps =
        k8s.client()
            .genericKubernetesResources(KubernetesTaskRuntime.context(SparkApplications.IDENTITY))
            .inNamespace(SparkTasks.NS);
    await().atMost(Duration.ofSeconds(20)).until(() -> apps.withName(quick.name()).get() == null);
    assertThat(apps.withName(slow.name()).get()).isNotNull();
    assertThat(runtime.status(slow).phase()).isEqualTo(Phase.RUNNING);
  }
}
