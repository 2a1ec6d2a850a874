package dev.flyteplugin.proto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KubernetesRulesTest {
  private static List<ConfigViolation> check(Consumer<List<ConfigViolation>> rule) {
    List<ConfigViolation> out = new ArrayList<>();
    rule.accept(out);
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1", "0.5", ".5", "1500m"})
  void cpuQuantitiesKubernetesAccepts(String value) {
    assertThat(check(out -> KubernetesRules.cpu("jobManager.cpu", value, out))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"one", "1.5 cores", "-1", "2Gi"})
  void cpuQuantitiesKubernetesRefuses(String value) {
    assertThat(check(out -> KubernetesRules.cpu("jobManager.cpu", value, out)))
        .singleElement()
        .extracting(ConfigViolation::message)
        .asString()
        .startsWith("jobManager.cpu: \"" + value + "\" is not a Kubernetes CPU quantity");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "512Mi", "4Gi", "1G", "1500000", "1e9", "0.5Gi"})
  void memoryQuantitiesKubernetesAccepts(String value) {
    assertThat(check(out -> KubernetesRules.memory("taskManager.memory", value, out))).isEmpty();
  }

  @Test
  void sparkStyleMemoryIsRefusedNamingTheTrap() {
    assertThat(check(out -> KubernetesRules.memory("taskManager.memory", "4gb", out)))
        .singleElement()
        .extracting(ConfigViolation::message)
        .asString()
        .contains("taskManager.memory: \"4gb\" is not a Kubernetes memory quantity")
        .contains("Kubernetes does not read \"4gb\"");
  }

  @Test
  void objectNamesAreDns1123Subdomains() {
    assertThat(check(out -> KubernetesRules.objectName("serviceAccount", "spark-sa.x", out)))
        .isEmpty();
    assertThat(check(out -> KubernetesRules.objectName("serviceAccount", "Spark_SA", out)))
        .extracting(ConfigViolation::field)
        .containsExactly("serviceAccount");
    assertThat(check(out -> KubernetesRules.objectName("serviceAccount", "a".repeat(254), out)))
        .hasSize(1);
  }

  @Test
  void imagesAndPullPolicies() {
    assertThat(check(out -> KubernetesRules.image("image", "ghcr.io/a/b:1", out))).isEmpty();
    assertThat(check(out -> KubernetesRules.image("image", "a b", out))).hasSize(1);
    assertThat(check(out -> KubernetesRules.image("image", " ", out))).hasSize(1);
    assertThat(check(out -> KubernetesRules.pullPolicy("imagePullPolicy", "Never", out))).isEmpty();
    assertThat(check(out -> KubernetesRules.pullPolicy("imagePullPolicy", "always", out)))
        .singleElement()
        .extracting(ConfigViolation::fix)
        .isEqualTo("use Always, IfNotPresent or Never");
  }

  @Test
  void labelKeysAndValuesAreCheckedEachNamingTheEntry() {
    List<ConfigViolation> violations =
        check(
            out ->
                KubernetesRules.labels(
                    "labels",
                    Map.of("example.com/team", "data", "bad key!", "ok", "tier", "-bad-"),
                    out));

    assertThat(violations)
        .extracting(ConfigViolation::field)
        .containsExactlyInAnyOrder("labels[\"bad key!\"]", "labels[\"tier\"]");
  }

  @Test
  void tolerationPartsAreChecked() {
    assertThat(check(out -> KubernetesRules.toleration("t[0]", "Equal", "v", "NoSchedule", out)))
        .isEmpty();
    assertThat(check(out -> KubernetesRules.toleration("t[0]", "Exists", "v", "Sometimes", out)))
        .extracting(ConfigViolation::field)
        .containsExactly("t[0].effect", "t[0].value");
    assertThat(check(out -> KubernetesRules.toleration("t[0]", "In", "", "", out)))
        .extracting(ConfigViolation::field)
        .containsExactly("t[0].operator");
  }

  @Test
  void environmentVariableNames() {
    assertThat(
            check(
                out ->
                    KubernetesRules.envNames(
                        "env", Map.of("JAVA_OPTS", "x", "my.var-1", "y", "1ST", "z"), out)))
        .extracting(ConfigViolation::field)
        .containsExactly("env[\"1ST\"]");
  }

  @Test
  void countsAtLeastOneAndNotNegative() {
    assertThat(check(out -> KubernetesRules.atLeastOne("replicas", 0, "ask for one", out)))
        .extracting(ConfigViolation::message)
        .containsExactly("replicas: must be at least 1, got 0; ask for one");
    assertThat(check(out -> KubernetesRules.notNegative("retries", true, -1, out))).hasSize(1);
    assertThat(check(out -> KubernetesRules.notNegative("retries", false, -1, out))).isEmpty();
  }
}
