package dev.flyteplugin.proto.flink;

import com.google.auto.service.AutoService;
import dev.flyteplugin.proto.ConfigViolation;
import dev.flyteplugin.proto.KubernetesRules;
import dev.flyteplugin.proto.PluginContract;
import dev.flyteplugin.proto.flink.v1.FlinkJobConfig;
import dev.flyteplugin.proto.flink.v1.ProcessResources;
import dev.flyteplugin.proto.flink.v1.Toleration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The Flink plugin's contract: task type {@code flink}, {@link FlinkJobConfig}, its rules. */
@AutoService(PluginContract.class)
public final class FlinkContract implements PluginContract<FlinkJobConfig> {
  /** The operator's FlinkVersion values (flink-kubernetes-operator-api spec/FlinkVersion.java). */
  public static final Set<String> FLINK_VERSIONS =
      Set.of("v1_16", "v1_17", "v1_18", "v1_19", "v1_20", "v2_0", "v2_1", "v2_2", "v2_3", "v2_4");

  @Override
  public String taskType() {
    return "flink";
  }

  @Override
  public int taskTypeVersion() {
    return 0;
  }

  @Override
  public FlinkJobConfig defaultConfig() {
    return FlinkJobConfig.getDefaultInstance();
  }

  @Override
  public List<ConfigViolation> violations(FlinkJobConfig config) {
    List<ConfigViolation> out = new ArrayList<>();
    if (!FLINK_VERSIONS.contains(config.getFlinkVersion())) {
      String fix = "use one of " + FLINK_VERSIONS.stream().sorted().toList();
      out.add(
          new ConfigViolation(
              "flinkVersion", "'" + config.getFlinkVersion() + "' is not one", fix));
    }
    KubernetesRules.notNegative("parallelism", true, config.getParallelism(), out);
    KubernetesRules.image("image", config.getImage(), out);
    KubernetesRules.pullPolicy("imagePullPolicy", config.getImagePullPolicy(), out);
    resources("jobManager", config.getJobManager(), out);
    resources("taskManager", config.getTaskManager(), out);
    if (config.getJobManager().hasReplicas()) {
      out.add(
          new ConfigViolation(
              "jobManager.replicas",
              "the JobManager runs as one replica (standby JobManagers need high availability,"
                  + " which this plugin does not configure)",
              "remove jobManager.replicas; set taskManager.replicas for more TaskManagers"));
    }
    if (config.getTaskManager().hasReplicas()) {
      KubernetesRules.atLeastOne(
          "taskManager.replicas",
          config.getTaskManager().getReplicas(),
          "give 1 or more TaskManagers, or leave it unset to size them from parallelism",
          out);
      if (config.getParallelism() != 0) {
        // FlinkConfigBuilder.getParallelism: replicas x slots, "Job parallelism setting is
        // ignored as TaskManager replicas are set"
        out.add(
            new ConfigViolation(
                "parallelism",
                "the operator ignores it when taskManager.replicas is set (the job runs with"
                    + " replicas x taskmanager.numberOfTaskSlots)",
                "set either parallelism or taskManager.replicas, not both"));
      }
    }
    return out;
  }

  /** Flink's own memory sizes ("1024m", "2g": MemorySize), not Kubernetes quantities. */
  private static void resources(String role, ProcessResources r, List<ConfigViolation> out) {
    KubernetesRules.notNegative(role + ".cpu", true, (long) Math.floor(r.getCpu()), out);
    KubernetesRules.memory(role + ".ephemeralStorage", r.getEphemeralStorage(), out);
    KubernetesRules.labels(role + ".labels", r.getLabelsMap(), out);
    KubernetesRules.labels(role + ".nodeSelector", r.getNodeSelectorMap(), out);
    KubernetesRules.objectName(role + ".priorityClassName", r.getPriorityClassName(), out);
    for (int i = 0; i < r.getTolerationsCount(); i++) {
      Toleration t = r.getTolerations(i);
      KubernetesRules.toleration(
          role + ".tolerations[" + i + "]", t.getOperator(), t.getValue(), t.getEffect(), out);
    }
    if (!r.getMemory().isEmpty() && !r.getMemory().matches("[0-9]+\\s*([kmgt]b?|bytes?)?")) {
      out.add(
          new ConfigViolation(
              role + ".memory",
              "'" + r.getMemory() + "' is not a Flink memory size",
              "e.g. 1024m or 2g"));
    }
  }
}
