package dev.flyteplugin.backend.spark;

import static dev.flyteplugin.backend.spark.SparkApplications.COMPLETED;
import static dev.flyteplugin.backend.spark.SparkApplications.DRIVER_POD_NOT_FOUND;
import static dev.flyteplugin.backend.spark.SparkApplications.FAILED;
import static dev.flyteplugin.backend.spark.SparkApplications.FAILING;
import static dev.flyteplugin.backend.spark.SparkApplications.INVALIDATING;
import static dev.flyteplugin.backend.spark.SparkApplications.PENDING_RERUN;
import static dev.flyteplugin.backend.spark.SparkApplications.RESUMING;
import static dev.flyteplugin.backend.spark.SparkApplications.RUNNING;
import static dev.flyteplugin.backend.spark.SparkApplications.SUBMISSION_FAILED;
import static dev.flyteplugin.backend.spark.SparkApplications.SUBMITTED;
import static dev.flyteplugin.backend.spark.SparkApplications.SUCCEEDING;
import static dev.flyteplugin.backend.spark.SparkApplications.SUSPENDED;
import static dev.flyteplugin.backend.spark.SparkApplications.SUSPENDING;
import static dev.flyteplugin.backend.spark.SparkApplications.UNKNOWN;
import static dev.flyteplugin.backend.spark.SparkApplications.driverPodName;

import dev.flyteplugin.backend.api.LogLinkTemplate;
import dev.flyteplugin.backend.api.PhaseInfo;
import dev.flyteplugin.backend.api.TaskInfo;
import flyteidl.core.Execution.TaskLog;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The phase table of a {@code SparkApplication}, following flyteplugins' {@code
 * plugins/k8s/spark/spark.go} ({@code GetTaskPhase}):
 *
 * <table>
 *   <caption>status.applicationState.state to Flyte phase</caption>
 *   <tr><th>state</th><th>phase</th></tr>
 *   <tr><td>"" (new)</td><td>QUEUED</td></tr>
 *   <tr><td>SUBMITTED</td><td>INITIALIZING</td></tr>
 *   <tr><td>RUNNING, PENDING_RERUN, INVALIDATING, SUCCEEDING, FAILING, SUSPENDING, RESUMING,
 *       UNKNOWN</td><td>RUNNING (transitional; the operator resolves them)</td></tr>
 *   <tr><td>SUSPENDED</td><td>RUNNING, reason SparkApplicationSuspended (as the Go plugin's
 *       "anything else"; Flyte's task timeout still applies)</td></tr>
 *   <tr><td>COMPLETED</td><td>SUCCESS</td></tr>
 *   <tr><td>FAILED, SUBMISSION_FAILED</td><td>RETRYABLE_FAILURE (user) with errorMessage</td></tr>
 *   <tr><td>FAILED with "driver pod not found"</td><td>RETRYABLE_FAILURE (system),
 *       SparkDriverPodNotFound: a vanished driver is never success</td></tr>
 *   <tr><td>anything else</td><td>RUNNING, reason UnrecognizedSparkState</td></tr>
 * </table>
 *
 * <p>Log links are rendered once the driver pod exists (from SUBMITTED on); custom info {@code
 * sparkDriverUI} while running, {@code sparkHistoryUI} when done.
 *
 * <p>PLUGIN AUTHOR SEAM: replace the table with your operator's states.
 */
final class SparkPhaseMapper {
  static final String DRIVER_UI = "sparkDriverUI";
  static final String HISTORY_UI = "sparkHistoryUI";

  private final SparkPluginConfig settings;

  SparkPhaseMapper(SparkPluginConfig settings) {
    this.settings = settings;
  }

  PhaseInfo phase(GenericKubernetesResource app) {
    Map<String, Object> status = map(app.getAdditionalProperties().get("status"));
    Map<String, Object> appState = map(status.get("applicationState"));
    String state = string(appState.get("state"));
    String errorMessage = string(appState.get("errorMessage"));
    String name = app.getMetadata().getName();

    if (state.isEmpty()) {
      return PhaseInfo.queued(
          "SparkApplicationCreated", "waiting for the Spark operator to submit " + name);
    }
    List<TaskLog> logs = logLinks(app, status);
    switch (state) {
      case SUBMITTED:
        return PhaseInfo.initializing(
            "SparkApplicationSubmitted",
            "SparkApplication state SUBMITTED: submitted, the driver pod is starting",
            new TaskInfo(logs, TaskInfo.empty().customInfo()));
      case COMPLETED:
        return terminal(
            PhaseInfo.success("the Spark application completed", terminalInfo(logs, status)),
            status);
      case FAILED:
        if (DRIVER_POD_NOT_FOUND.equals(errorMessage)) {
          // The operator found no driver pod (deleted, evicted, node lost; controller.go
          // updateDriverState): the platform lost the driver, the user's code did not fail, and it
          // never counts as success (airflow#41212). A system error: Flyte retries it from the
          // system retry budget.
          return terminal(
              PhaseInfo.systemRetryableFailure(
                  "SparkDriverPodNotFound",
                  "the Spark operator reports 'driver pod not found': the driver pod of "
                      + name
                      + " vanished before the application finished (deleted, evicted or its node"
                      + " lost)",
                  terminalInfo(logs, status)),
              status);
        }
        return terminal(
            PhaseInfo.retryableFailure(
                "SparkApplicationFailed",
                errorMessage.isEmpty() ? "the Spark application failed" : errorMessage,
                terminalInfo(logs, status)),
            status);
      case SUBMISSION_FAILED:
        return terminal(
            PhaseInfo.retryableFailure(
                "SparkSubmissionFailed",
                errorMessage.isEmpty() ? "spark-submit failed" : errorMessage,
                terminalInfo(logs, status)),
            status);
      case SUSPENDED:
        return PhaseInfo.running(
            "SparkApplicationSuspended",
            "the Spark application is suspended; it continues when resumed",
            runningInfo(logs, status));
      case RUNNING:
      case PENDING_RERUN:
      case INVALIDATING:
      case SUCCEEDING:
      case FAILING:
      case SUSPENDING:
      case RESUMING:
      case UNKNOWN:
        return PhaseInfo.running(
            "SparkApplication" + camel(state),
            "Spark application state " + state,
            runningInfo(logs, status));
      default:
        return PhaseInfo.running(
            "UnrecognizedSparkState",
            "the Spark operator reports state '" + state + "', unknown to this plugin",
            runningInfo(logs, status));
    }
  }

  private static PhaseInfo terminal(PhaseInfo phase, Map<String, Object> status) {
    return terminationTime(status).map(phase::withOccurredAt).orElse(phase);
  }

  private static Optional<Instant> terminationTime(Map<String, Object> status) {
    String time = string(status.get("terminationTime"));
    if (time.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(time));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private List<TaskLog> logLinks(GenericKubernetesResource app, Map<String, Object> status) {
    Map<String, Object> driverInfo = map(status.get("driverInfo"));
    String appName = app.getMetadata().getName();
    String podName = string(driverInfo.get("podName"));
    return LogLinkTemplate.renderAll(
        settings.logLinks(),
        app,
        Map.of(
            "appName",
            appName,
            "podName",
            podName.isEmpty() ? driverPodName(appName) : podName,
            "sparkAppId",
            string(status.get("sparkApplicationId"))));
  }

  private static TaskInfo runningInfo(List<TaskLog> logs, Map<String, Object> status) {
    Map<String, Object> driverInfo = map(status.get("driverInfo"));
    String ui = string(driverInfo.get("webUIIngressAddress"));
    if (ui.isEmpty()) {
      ui = string(driverInfo.get("webUIAddress"));
    }
    Map<String, String> custom = new LinkedHashMap<>();
    if (!ui.isEmpty()) {
      custom.put(DRIVER_UI, ui.contains("://") ? ui : "http://" + ui);
    }
    return TaskInfo.of(logs, custom);
  }

  private TaskInfo terminalInfo(List<TaskLog> logs, Map<String, Object> status) {
    String appId = string(status.get("sparkApplicationId"));
    Map<String, String> custom = new LinkedHashMap<>();
    if (!settings.historyServerUrl().isEmpty() && !appId.isEmpty()) {
      custom.put(HISTORY_UI, settings.historyServerUrl() + "/history/" + appId);
    }
    return TaskInfo.of(logs, custom);
  }

  private static String camel(String state) {
    StringBuilder out = new StringBuilder();
    for (String part : state.toLowerCase(java.util.Locale.ROOT).split("_")) {
      out.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
    }
    return out.toString();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object value) {
    return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  static String string(Object value) {
    return value == null ? "" : value.toString();
  }
}
