package dev.flyteplugin.backend.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** TaskPolicy's placement checks (tolerations, priority classes) and OperatorVersion. */
class PodPlacementPolicyTest {
  private static final Map<String, Object> GPU_NO_SCHEDULE =
      Map.of("key", "nvidia.com/gpu", "operator", "Exists", "effect", "NoSchedule");

  @Test
  void byDefaultATolerationOfAReservingTaintIsRefusedNamingTheFieldAndTheFlag() {
    assertThatThrownBy(
            () ->
                TaskPolicy.defaults()
                    .checkTolerations(
                        "driver.tolerations", List.of(Map.of("key", "a"), GPU_NO_SCHEDULE)))
        .isInstanceOf(PolicyViolationException.class)
        .hasMessageContaining("driver.tolerations[0] tolerates taint 'a' with effect any")
        .hasMessageContaining("--allowed-tolerations / FLYTE_AGENT_ALLOWED_TOLERATIONS")
        .hasMessageContaining("(e.g. 'a')");
    assertThatThrownBy(
            () ->
                TaskPolicy.defaults()
                    .checkTolerations(
                        "taskManager.tolerations",
                        List.of(Map.of("key", "x", "effect", "NoExecute"))))
        .hasMessageContaining(
            "taskManager.tolerations[0] tolerates taint 'x' with effect NoExecute");
  }

  @Test
  void aPreferNoScheduleTolerationIsOnlyAPreferenceAndPasses() {
    assertThatCode(
            () ->
                TaskPolicy.defaults()
                    .checkTolerations(
                        "driver.tolerations",
                        List.of(Map.of("key", "k", "effect", "PreferNoSchedule"))))
        .doesNotThrowAnyException();
  }

  @Test
  void allowedKeysPassAndAKeylessExistsNeedsTheStar() throws Exception {
    TaskPolicy gpu = TaskPolicy.defaults().withAllowedTolerations(List.of("nvidia.com/*"));
    gpu.checkTolerations("executor.tolerations", List.of(GPU_NO_SCHEDULE));
    assertThatThrownBy(
            () ->
                gpu.checkTolerations("executor.tolerations", List.of(Map.of("operator", "Exists"))))
        .hasMessageContaining("executor.tolerations[0] tolerates every taint")
        .hasMessageContaining("('*': every taint)");
    TaskPolicy any = TaskPolicy.defaults().withAllowedTolerations(List.of("*"));
    any.checkTolerations("executor.tolerations", List.of(Map.of("operator", "Exists")));
  }

  @Test
  void aPriorityClassNeedsTheDeploymentsPermission() throws Exception {
    TaskPolicy.defaults().checkPriorityClass("priorityClassName", "");
    assertThatThrownBy(
            () -> TaskPolicy.defaults().checkPriorityClass("priorityClassName", "system-critical"))
        .isInstanceOf(PolicyViolationException.class)
        .hasMessageContaining("priorityClassName 'system-critical' is not allowed")
        .hasMessageContaining("--allowed-priority-classes / FLYTE_AGENT_ALLOWED_PRIORITY_CLASSES");
    TaskPolicy batch = TaskPolicy.defaults().withAllowedPriorityClasses(List.of("batch-*"));
    batch.checkPriorityClass("priorityClassName", "batch-low");
    assertThatThrownBy(() -> batch.checkPriorityClass("priorityClassName", "high"))
        .isInstanceOf(PolicyViolationException.class);
  }

  @Test
  void theOtherSettingsSurviveTheWithers() {
    TaskPolicy p =
        TaskPolicy.defaults()
            .withAllowedTolerations(List.of("a"))
            .withAllowedPriorityClasses(List.of("b"))
            .withDeniedConfKeys(List.of("c"))
            .withAllowServiceAccountOverride(true);
    assertThat(p.allowedTolerations()).containsExactly("a");
    assertThat(p.allowedPriorityClasses()).containsExactly("b");
    assertThat(p.deniedConfKeys()).containsExactly("c");
    assertThatThrownBy(() -> p.withAllowedTolerations(List.of(" ")))
        .hasMessageContaining("allowedTolerations");
  }

  @Test
  void anOperatorVersionRefusesAFieldOfANewerReleaseNamingTheFieldTheReleaseAndTheSetting() {
    OperatorVersion v =
        OperatorVersion.from(
            new PluginSettings("spark", Map.of("operator-version", "v2.1.1")),
            "spark-operator",
            "v2.5.2");
    assertThat(v.atLeast("v2.1.0")).isTrue();
    assertThat(v.atLeast("2.1.1")).isTrue();
    assertThat(v.atLeast("v2.2.0")).isFalse();
    assertThatThrownBy(() -> v.require("driver.memoryLimit", "v2.2.0"))
        .isInstanceOf(ResourceBuildException.class)
        .hasMessageContaining("driver.memoryLimit needs spark-operator v2.2.0 or newer")
        .hasMessageContaining("declares v2.1.1")
        .hasMessageContaining("--plugin-config spark.operator-version")
        .hasMessageContaining("FLYTEPLUGIN_SPARK_OPERATOR_VERSION");
    assertThatCode(() -> v.require("driver.memory", "v2.0.0")).doesNotThrowAnyException();
    assertThat(OperatorVersion.from(PluginSettings.none("flink"), "op", "1.15.0").atLeast("1.15.0"))
        .isTrue();
    assertThat(new OperatorVersion("op", "flink", "1.9").atLeast("1.13.0")).isFalse();
  }

  @Test
  void aMalformedOperatorVersionIsRefusedNamingTheSetting() {
    assertThatThrownBy(
            () ->
                OperatorVersion.from(
                    new PluginSettings("flink", Map.of("operator-version", "latest")),
                    "flink-kubernetes-operator",
                    "1.15.0"))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessageContaining("--plugin-config flink.operator-version")
        .hasMessageContaining("FLYTEPLUGIN_FLINK_OPERATOR_VERSION")
        .hasMessageContaining("'latest' is not a release number");
  }
}
