package dev.flyteplugin.backend.flink.simulation;

import com.google.auto.service.AutoService;
import dev.flyteplugin.backend.flink.FlinkOperatorPlugin;
import dev.flyteplugin.backend.testing.OperatorScript;
import dev.flyteplugin.backend.testing.OperatorSimulation;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The SIMULATED Flink Kubernetes Operator for an application-mode FlinkDeployment: validation
 * (DefaultValidator: "... must be defined"), JobManager DEPLOYING, job CREATED -> RUNNING ->
 * FINISHED, or FAILED with a serialized FlinkResourceException in {@code status.error}; plus the
 * statuses of its known edge cases for scripted tests: the job lost after FINISHED
 * (JobStatusObserver.onTargetJobNotFound, flink-kubernetes-operator#944) and a JobManager missing
 * under a RUNNING job (#997).
 */
@AutoService(OperatorSimulation.class)
public final class FlinkSimulation implements OperatorSimulation {
  @Override
  public OperatorScript script() {
    return OperatorScript.builder(FlinkOperatorPlugin.IDENTITY)
        .statePath("status.jobStatus.state")
        .task("spec.job.args", "spec.podTemplate.spec.containers[0].env")
        .requires("spec.image", "{field} must be defined.")
        .requires(
            "spec.serviceAccount",
            "{field} must be defined. If you use helm, its value should be the same with the name of jobServiceAccount.")
        .requires("spec.jobManager.resource.memory", "JobManager resource memory must be defined.")
        .rejectedIn("REJECTED")
        .walks(List.of("CREATED"), "RUNNING", List.of("FINISHED"), List.of("FAILED"))
        .terminal("FINISHED", "FAILED", "CANCELED")
        .status("REJECTED", status("", "MISSING", "FAILED", "{error}"))
        .status("CREATED", status("CREATED", "DEPLOYING", "DEPLOYED", ""))
        .status("RUNNING", status("RUNNING", "READY", "STABLE", ""))
        .status("FINISHED", status("FINISHED", "READY", "STABLE", ""))
        .status(
            "FAILED",
            status(
                "FAILED",
                "READY",
                "FAILED",
                "{\"type\":\"org.apache.flink.runtime.JobException\",\"message\":\"{error}\"}"))
        .status("JOB_NOT_FOUND", status("RECONCILING", "MISSING", "DEPLOYED", "Job Not Found"))
        .status("JOB_MANAGER_MISSING", status("RUNNING", "MISSING", "STABLE", ""))
        .pod(
            new OperatorScript.PodTemplate(
                "{name}-jobmanager",
                FlinkOperatorPlugin.MAIN_CONTAINER,
                Map.of(
                    "app", "{name}", "component", "jobmanager", "type", "flink-native-kubernetes"),
                "spec.podTemplate.metadata.labels",
                "{spec.image}",
                List.of("kubernetes-application"),
                "spec.serviceAccount",
                Map.of("CREATED", "Pending", "RUNNING", "Running"),
                Set.of("", "REJECTED", "JOB_MANAGER_MISSING")))
        .build();
  }

  private static Map<String, Object> status(
      String job, String jobManager, String lifecycle, String error) {
    return Map.of(
        "jobStatus",
            Map.of("state", job, "jobId", "{id}{id}", "jobName", "{name}", "updateTime", "{now}"),
        "jobManagerDeploymentStatus", jobManager,
        "lifecycleState", lifecycle,
        "error", error);
  }

  /** Links that work with the embedded mode's simulated cluster through {@code kubectl proxy}. */
  @Override
  public Map<String, String> embeddedSettings() {
    String proxy = "http://localhost:8001/api/v1/namespaces/{namespace}";
    return Map.of(
        "flink.log-links",
            "Flink JobManager log (kubectl proxy)=" + proxy + "/pods/{resourceName}-jobmanager/log",
        "flink.ui-url", proxy + "/services/{resourceName}-rest:8081/proxy/");
  }
}
