package dev.flyteplugin.proto.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flyteplugin.proto.ConfigViolation;
import dev.flyteplugin.proto.flink.v1.FlinkJobConfig;
import dev.flyteplugin.proto.flink.v1.ProcessResources;
import dev.flyteplugin.proto.flink.v1.Toleration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The contract's per-role rules: each violation names the field and the fix. */
class FlinkContractTest {
  private static final FlinkContract CONTRACT = new FlinkContract();

  private static FlinkJobConfig.Builder minimal() {
    return FlinkJobConfig.newBuilder().setFlinkVersion("v1_20");
  }

  private static List<String> fields(FlinkJobConfig config) {
    return CONTRACT.violations(config).stream().map(ConfigViolation::field).toList();
  }

  @Test
  void validRoleSettingsPass() {
    FlinkJobConfig config =
        minimal()
            .setJobManager(
                ProcessResources.newBuilder()
                    .putNodeSelector("pool", "control")
                    .putLabels("team", "data")
                    .setPriorityClassName("batch-low"))
            .setTaskManager(
                ProcessResources.newBuilder()
                    .setReplicas(2)
                    .setEphemeralStorage("10Gi")
                    .addTolerations(
                        Toleration.newBuilder()
                            .setKey("dedicated")
                            .setOperator("Exists")
                            .setEffect("NoSchedule")))
            .build();
    assertThat(CONTRACT.violations(config)).isEmpty();
    assertThat(CONTRACT.violations(minimal().setFlinkVersion("v2_4").build())).isEmpty();
  }

  @Test
  void badRoleSettingsAreNamedByTheirPath() {
    FlinkJobConfig config =
        minimal()
            .setJobManager(
                ProcessResources.newBuilder()
                    .setReplicas(2)
                    .putLabels("team", "data science")
                    .setPriorityClassName("Batch_Low"))
            .setTaskManager(
                ProcessResources.newBuilder()
                    .setReplicas(0)
                    .setEphemeralStorage("10 gigs")
                    .putNodeSelector("bad key!", "x")
                    .addTolerations(
                        Toleration.newBuilder().setKey("k").setOperator("Exists").setValue("v")))
            .build();
    assertThat(fields(config))
        .containsExactlyInAnyOrder(
            "jobManager.replicas",
            "jobManager.labels[\"team\"]",
            "jobManager.priorityClassName",
            "taskManager.replicas",
            "taskManager.ephemeralStorage",
            "taskManager.nodeSelector[\"bad key!\"]",
            "taskManager.tolerations[0].value");
  }

  @Test
  void parallelismAndTaskManagerReplicasTogetherAreRefusedWithTheOperatorsReason() {
    var violations =
        CONTRACT.violations(
            minimal()
                .setParallelism(4)
                .setTaskManager(ProcessResources.newBuilder().setReplicas(2))
                .build());
    assertThat(violations)
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.field()).isEqualTo("parallelism");
              assertThat(v.problem()).contains("ignores it when taskManager.replicas is set");
              assertThat(v.fix()).contains("not both");
            });
  }
}
