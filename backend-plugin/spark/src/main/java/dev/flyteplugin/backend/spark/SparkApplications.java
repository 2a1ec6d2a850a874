package dev.flyteplugin.backend.spark;

import dev.flyteplugin.backend.api.ResourceIdentity;
import java.util.List;

/**
 * Facts about the Spark operator's {@code SparkApplication} (kubeflow/spark-operator, API {@code
 * sparkoperator.k8s.io/v1beta2}) shared by the plugin and the simulated operator.
 */
public final class SparkApplications {
  /** {@code sparkoperator.k8s.io/v1beta2}, kind {@code SparkApplication}, namespaced. */
  public static final ResourceIdentity IDENTITY =
      ResourceIdentity.namespaced(
          "sparkoperator.k8s.io", "v1beta2", "SparkApplication", "sparkapplications");

  // status.applicationState.state values (pkg/apis/sparkoperator.k8s.io/v1beta2/types.go).
  public static final String NEW = "";
  public static final String SUBMITTED = "SUBMITTED";
  public static final String RUNNING = "RUNNING";
  public static final String COMPLETED = "COMPLETED";
  public static final String FAILED = "FAILED";
  public static final String SUBMISSION_FAILED = "SUBMISSION_FAILED";
  public static final String PENDING_RERUN = "PENDING_RERUN";
  public static final String INVALIDATING = "INVALIDATING";
  public static final String SUCCEEDING = "SUCCEEDING";
  public static final String FAILING = "FAILING";
  public static final String SUSPENDING = "SUSPENDING";
  public static final String SUSPENDED = "SUSPENDED";
  public static final String RESUMING = "RESUMING";
  public static final String UNKNOWN = "UNKNOWN";

  /** Every state the operator can report. */
  public static final List<String> STATES =
      List.of(
          NEW,
          SUBMITTED,
          RUNNING,
          COMPLETED,
          FAILED,
          SUBMISSION_FAILED,
          PENDING_RERUN,
          INVALIDATING,
          SUCCEEDING,
          FAILING,
          SUSPENDING,
          SUSPENDED,
          RESUMING,
          UNKNOWN);

  /**
   * The {@code errorMessage} the operator writes (FAILING, then FAILED) when the driver pod of a
   * submitted application is gone: kubeflow/spark-operator v2.5.2 {@code
   * internal/controller/sparkapplication/controller.go}, {@code updateDriverState}.
   */
  public static final String DRIVER_POD_NOT_FOUND = "driver pod not found";

  /**
   * The operator's default {@code --driver-pod-creation-grace-period} (v2.5.2 {@code
   * cmd/operator/controller/start.go}): how long a SUBMITTED application may miss its driver pod
   * before it fails (spark-operator#2302).
   */
  public static final java.time.Duration DRIVER_POD_CREATION_GRACE_PERIOD =
      java.time.Duration.ofSeconds(10);

  /** Pod labels the operator sets. */
  public static final String ROLE_LABEL = "spark-role";

  public static final String APP_NAME_LABEL = "sparkoperator.k8s.io/app-name";

  private SparkApplications() {}

  /** The driver pod's default name, {@code <app>-driver}. */
  public static String driverPodName(String appName) {
    return appName + "-driver";
  }

  /** Whether the operator is done with the application. */
  public static boolean isTerminal(String state) {
    return COMPLETED.equals(state) || FAILED.equals(state) || SUBMISSION_FAILED.equals(state);
  }
}
