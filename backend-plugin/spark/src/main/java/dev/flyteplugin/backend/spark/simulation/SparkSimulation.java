package dev.flyteplugin.backend.spark.simulation;

import static dev.flyteplugin.backend.spark.SparkApplications.COMPLETED;
import static dev.flyteplugin.backend.spark.SparkApplications.FAILED;
import static dev.flyteplugin.backend.spark.SparkApplications.FAILING;
import static dev.flyteplugin.backend.spark.SparkApplications.RUNNING;
import static dev.flyteplugin.backend.spark.SparkApplications.SUBMISSION_FAILED;
import static dev.flyteplugin.backend.spark.SparkApplications.SUBMITTED;
import static dev.flyteplugin.backend.spark.SparkApplications.SUCCEEDING;

import com.google.auto.service.AutoService;
import dev.flyteplugin.backend.spark.SparkApplications;
import dev.flyteplugin.backend.spark.SparkOperatorPlugin;
import dev.flyteplugin.backend.testing.OperatorScript;
import dev.flyteplugin.backend.testing.OperatorSimulation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The SIMULATED Spark operator (kubeflow/spark-operator v2, {@code
 * pkg/apis/sparkoperator.k8s.io/v1beta2/types.go}): {@code "" -> SUBMITTED -> RUNNING -> SUCCEEDING
 * -> COMPLETED}, or {@code FAILING -> FAILED} with an {@code errorMessage}, or {@code
 * SUBMISSION_FAILED} when spark-submit would refuse the spec; {@code driverInfo}, {@code
 * sparkApplicationId}, attempts, {@code terminationTime}, and the driver pod {@code <app>-driver}
 * with the operator's labels.
 */
@AutoService(OperatorSimulation.class)
public final class SparkSimulation implements OperatorSimulation {

  @Override
  public OperatorScript script() {
    OperatorScript.Builder script =
        OperatorScript.builder(SparkApplications.IDENTITY)
            .statePath("status.applicationState.state")
            .task("spec.arguments", "spec.driver.env")
            .requires(
                "spec.image",
                "failed to run spark-submit for SparkApplication {name}: {field} is not set")
            .requires("spec.mainApplicationFile", "failed to run spark-submit: {field} is not set")
            .requires("spec.driver", "failed to run spark-submit: {field} is not set")
            .rejectedIn(SUBMISSION_FAILED)
            .walks(
                List.of(SUBMITTED),
                RUNNING,
                List.of(SUCCEEDING, COMPLETED),
                List.of(FAILING, FAILED))
            .terminal(COMPLETED, FAILED, SUBMISSION_FAILED)
            .pod(
                new OperatorScript.PodTemplate(
                    "{name}-driver",
                    SparkOperatorPlugin.DRIVER_CONTAINER,
                    Map.of(
                        SparkApplications.ROLE_LABEL,
                        "driver",
                        SparkApplications.APP_NAME_LABEL,
                        "{name}",
                        "sparkoperator.k8s.io/launched-by-spark-operator",
                        "true",
                        "spark-app-selector",
                        "spark-{id}"),
                    "spec.driver.labels",
                    "{spec.image}",
                    List.of(
                        "driver",
                        "--class",
                        "{spec.mainClass}",
                        "{spec.mainApplicationFile}",
                        "{args...}"),
                    "spec.driver.serviceAccount",
                    Map.of(
                        RUNNING, "Running",
                        SUCCEEDING, "Running",
                        FAILING, "Running",
                        COMPLETED, "Succeeded",
                        FAILED, "Failed"),
                    Set.of(SparkApplications.NEW, SUBMISSION_FAILED)))
            // A vanished driver: FAILING then FAILED with "driver pod not found", except inside
            // the driver pod creation grace period of a SUBMITTED application (v2.5.2
            // controller.go: updateDriverState, reconcileFailingSparkApplication; the plugin's
            // restart policy allows no rerun).
            .onMainPodLost(
                new OperatorScript.PodLoss(
                    List.of(FAILING, FAILED),
                    SparkApplications.DRIVER_POD_NOT_FOUND,
                    Set.of(SUBMITTED),
                    SparkApplications.DRIVER_POD_CREATION_GRACE_PERIOD));
    SparkApplications.STATES.forEach(state -> script.status(state, status(state)));
    // A state of a newer operator release: written like any state of a submitted application.
    script.statusOfAnyOtherState(status("{state}"));
    return script.build();
  }

  /** What the operator writes in {@code state} (its fields as v2.x fills them). */
  private static Map<String, Object> status(String state) {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("applicationState", Map.of("state", state, "errorMessage", "{error}"));
    boolean submitted = !state.isEmpty();
    if (submitted) {
      status.put("submissionAttempts", 1);
      status.put("lastSubmissionAttemptTime", "{now}");
    }
    if (submitted && !SUBMISSION_FAILED.equals(state)) {
      status.put("sparkApplicationId", "spark-{id}");
      status.put(
          "driverInfo",
          Map.of(
              "podName", "{name}-driver",
              "webUIServiceName", "{name}-ui-svc",
              "webUIPort", 4040,
              "webUIAddress", "10.96.0.10:4040"));
    }
    if (!List.of("", SUBMITTED, SUBMISSION_FAILED).contains(state)) {
      status.put("executionAttempts", 1);
      status.put("executorState", Map.of("{name}-exec-1", executorState(state)));
    }
    if (SparkApplications.isTerminal(state)) {
      status.put("terminationTime", "{now}");
    }
    return status;
  }

  private static String executorState(String state) {
    return switch (state) {
      case COMPLETED, SUCCEEDING -> "COMPLETED";
      case FAILED, FAILING -> "FAILED";
      case SparkApplications.UNKNOWN -> "UNKNOWN";
      default -> "RUNNING";
    };
  }

  /** Links that work on a laptop: the driver's log through {@code kubectl proxy}'s default port. */
  @Override
  public Map<String, String> embeddedSettings() {
    return Map.of(
        "spark.log-links",
        "Spark driver log (kubectl proxy)="
            + "http://localhost:8001/api/v1/namespaces/{namespace}/pods/{podName}/log",
        "spark.history-server-url",
        "http://localhost:18080");
  }
}
