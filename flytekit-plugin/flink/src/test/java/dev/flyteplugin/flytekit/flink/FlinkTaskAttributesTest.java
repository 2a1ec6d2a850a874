package dev.flyteplugin.flytekit.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flyteplugin.flytekit.AnnotationConfigMapper;
import dev.flyteplugin.proto.ConfigViolation;
import dev.flyteplugin.proto.flink.v1.FlinkJobConfig;
import dev.flyteplugin.proto.flink.v1.ProcessResources;
import org.junit.jupiter.api.Test;

/**
 * @FlinkTask's per-role attributes land in their FlinkJobConfig fields, violations map back.
 */
class FlinkTaskAttributesTest {
  @FlinkTask(
      flinkVersion = "v1_20",
      taskManagerReplicas = 3,
      taskManagerEphemeralStorage = "10Gi",
      jobManagerNodeSelector = {@FlinkTask.Conf(key = "pool", value = "control")},
      taskManagerNodeSelector = {@FlinkTask.Conf(key = "pool", value = "workers")},
      taskManagerLabels = {@FlinkTask.Conf(key = "tier", value = "tm")},
      taskManagerPriorityClassName = "batch-low",
      taskManagerMemory = "2g")
  static final class Roles {}

  @FlinkTask(flinkVersion = "v1_20", parallelism = 4, taskManagerReplicas = 2)
  static final class Both {}

  @FlinkTask(flinkVersion = "v1_20")
  static final class Plain {}

  private static AnnotationConfigMapper<?> mapper() {
    return AnnotationConfigMapper.forAnnotationType(FlinkTask.class);
  }

  @Test
  void perRoleAttributesFillTheirConfigFields() {
    FlinkJobConfig config =
        (FlinkJobConfig) mapper().toConfig(Roles.class.getAnnotation(FlinkTask.class));
    assertThat(config)
        .isEqualTo(
            FlinkJobConfig.newBuilder()
                .setFlinkVersion("v1_20")
                .setJobManager(ProcessResources.newBuilder().putNodeSelector("pool", "control"))
                .setTaskManager(
                    ProcessResources.newBuilder()
                        .setMemory("2g")
                        .setReplicas(3)
                        .setEphemeralStorage("10Gi")
                        .putNodeSelector("pool", "workers")
                        .putLabels("tier", "tm")
                        .setPriorityClassName("batch-low"))
                .build());
  }

  @Test
  void unsetAttributesLeaveTheRolesAbsent() {
    FlinkJobConfig config =
        (FlinkJobConfig) mapper().toConfig(Plain.class.getAnnotation(FlinkTask.class));
    assertThat(config.hasTaskManager()).isFalse();
    assertThat(config.hasJobManager()).isFalse();
  }

  @Test
  void aViolationNamesTheAttributeThatSetIt() {
    var violations = mapper().violations(Both.class.getAnnotation(FlinkTask.class));
    assertThat(violations).extracting(ConfigViolation::field).containsExactly("parallelism");
    assertThat(mapper().attributePath("taskManager.replicas")).isEqualTo("taskManagerReplicas");
    assertThat(mapper().attributePath("jobManager.nodeSelector[\"pool\"]"))
        .startsWith("jobManagerNodeSelector");
  }
}
