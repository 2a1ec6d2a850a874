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
import flyteidl.core.Execution.ExecutionError;
import flyteidl.core.Execution.TaskExecution.Phase;
import flyteidl.core.Execution.TaskLog;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every row of the Spark phase table through the real API: the runtime creates the
 * SparkApplication, the scripted simulated operator writes the state through the status
 * subresource, the runtime's informer sees it and the plugin maps it.
 */
class SparkPhaseTableTest {
  private static final SparkPluginConfig SETTINGS =
      SparkPluginConfig.defaults()
          .withHistoryServerUrl("https://history.example")
          .withLogLinks(
              List.of(
                  SparkPluginConfig.link(
                      "Driver logs", "https://dash.example/#/log/{namespace}/{podName}/pod"),
                  SparkPluginConfig.link("Spark events", "https://events.example/{sparkAppId}")));
  private static final AtomicInteger executions = new AtomicInteger();

  private static EmbeddedKubernetes k8s;
  private static KubernetesTaskRuntime runtime;
  private static SimulatedOperator operator;

  @BeforeAll
  static void start() throws InterruptedException {
    k8s = EmbeddedKubernetes.start(SparkApplications.IDENTITY);
    runtime =
        KubernetesTaskRuntime.builder()
            .client(k8s.client())
            .registry(PluginRegistry.of(new SparkOperatorPlugin(SETTINGS)))
            .config(RuntimeConfig.defaults())
            .build();
    runtime.start();
    assertThat(runtime.awaitSynced(Duration.ofSeconds(30))).isTrue();
    operator = SimulatedOperator.scripted(k8s.client(), new SparkSimulation().script()).start();
  }

  @AfterAll
  static void stop() {
    operator.close();
    runtime.close();
    k8s.close();
  }

  private static TaskHandle newApplication() throws Exception {
    return runtime.create(
        SparkTasks.request("table" + executions.incrementAndGet(), SparkTasks.minimalConfig()));
  }

  private static TaskStatus awaitPhase(TaskHandle handle, Phase phase, String reason) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              TaskStatus s = runtime.status(handle);
              return s.phase() == phase && s.reason().equals(reason);
            });
    return runtime.status(handle);
  }

  @Test
  void aNewApplicationIsQueuedWithoutLinks() throws Exception {
    TaskHandle handle = newApplication();

    TaskStatus status = awaitPhase(handle, Phase.QUEUED, "SparkApplicationCreated");

    assertThat(status.logLinks()).isEmpty();
  }

  @Test
  void submittedIsInitializingWithTheDriverLogLinks() throws Exception {
    TaskHandle handle = newApplication();
    operator.moveTo(handle.namespace(), handle.name(), SparkApplications.SUBMITTED, "");

    TaskStatus status = awaitPhase(handle, Phase.INITIALIZING, "SparkApplicationSubmitted");

    assertThat(status.logLinks())
        .extracting(TaskLog::getName, TaskLog::getUri)
        .contains(
            org.assertj.core.groups.Tuple.tuple(
                "Driver logs",
                "https://dash.example/#/log/"
                    + handle.namespace()
                    + "/"
                    + handle.name()
                    + "-driver/pod"));
    assertThat(status.logLinks()).extracting(TaskLog::getName).contains("Spark events");
  }

  @ParameterizedTest(name = "{0} -> RUNNING ({1})")
  @CsvSource({
    "RUNNING, SparkApplicationRunning",
    "PENDING_RERUN, SparkApplicationPendingRerun",
    "INVALIDATING, SparkApplicationInvalidating",
    "SUCCEEDING, SparkApplicationSucceeding",
    "FAILING, SparkApplicationFailing",
    "SUSPENDING, SparkApplicationSuspending",
    "SUSPENDED, SparkApplicationSuspended",
    "RESUMING, SparkApplicationResuming",
    "UNKNOWN, SparkApplicationUnknown",
    "SOMETHING_NEW, UnrecognizedSparkState"
  })
  void runningAndTransitionalStatesAreRunningWithTheDriverUi(String state, String reason)
      throws Exception {
    TaskHandle handle = newApplication();
    operator.moveTo(handle.namespace(), handle.name(), SparkApplications.SUBMITTED, "");
    operator.moveTo(handle.namespace(), handle.name(), state, "");

    TaskStatus status = awaitPhase(handle, Phase.RUNNING, reason);

    assertThat(status.customInfo().getFieldsMap().get("sparkDriverUI").getStringValue())
        .isEqualTo("http://10.96.0.10:4040");
    assertThat(status.logLinks()).isNotEmpty();
    assertThat(status.error()).isEmpty();
  }

  @Test
  void completedIsSuccessWithTheHistoryServerLink() throws Exception {
    TaskHandle handle = newApplication();
    operator.moveTo(handle.namespace(), handle.name(), SparkApplications.RUNNING, "");
    operator.moveTo(handle.namespace(), handle.name(), SparkApplications.COMPLETED, "");

    TaskStatus status = awaitPhase(handle, Phase.SUCCEEDED, "Succeeded");

    String appId = status.customInfo().getFieldsMap().get("sparkHistoryUI").getStringValue();
    assertThat(appId).matches("https://history\\.example/history/spark-[0-9a-f]{16}");
    assertThat(status.customInfo().getFieldsMap()).doesNotContainKey("sparkDriverUI");
    assertThat(status.logLinks()).hasSize(2);
  }

  @ParameterizedTest(name = "{0} -> RETRYABLE_FAILED")
  @CsvSource({"FAILED, SparkApplicationFailed", "SUBMISSION_FAILED, SparkSubmissionFailed"})
  void failuresAreRetryableUserErrorsWithTheOperatorsMessage(String state, String code)
      throws Exception {
    TaskHandle handle = newApplication();
    String message = "driver exited with code 1 (" + state.toLowerCase(Locale.ROOT) + ")";
    operator.moveTo(handle.namespace(), handle.name(), state, message);

    TaskStatus status = awaitPhase(handle, Phase.RETRYABLE_FAILED, code);

    assertThat(status.message()).isEqualTo(message);
    ExecutionError error = status.error().orElseThrow();
    assertThat(error.getKind()).isEqualTo(ExecutionError.ErrorKind.USER);
    assertThat(error.getCode()).isEqualTo(code);
    assertThat(error.getMessage()).isEqualTo(message);
  }

  @Test
  void everyOperatorStateIsCoveredByThisTable() {
    // The parameterized rows above plus "", SUBMITTED and COMPLETED.
    List<String> covered =
        List.of(
            "",
            "SUBMITTED",
            "RUNNING",
            "PENDING_RERUN",
            "INVALIDATING",
            "SUCCEEDING",
            "FAILING",
            "SUSPENDING",
            "SUSPENDED",
            "RESUMING",
            "UNKNOWN",
            "COMPLETED",
            "FAILED",
            "SUBMISSION_FAILED");
    assertThat(covered).containsExactlyInAnyOrderElementsOf(SparkApplications.STATES);
  }
}
