package dev.flyteplugin.backend.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flyteplugin.backend.api.PluginSettings;
import dev.flyteplugin.backend.api.ResourceBuildException;
import dev.flyteplugin.backend.api.TaskPolicy;
import dev.flyteplugin.backend.runtime.KubernetesTaskRuntime;
import dev.flyteplugin.backend.runtime.PluginRegistry;
import dev.flyteplugin.backend.runtime.RuntimeConfig;
import dev.flyteplugin.backend.runtime.TaskCreationException;
import dev.flyteplugin.backend.runtime.TaskHandle;
import dev.flyteplugin.backend.testing.EmbeddedKubernetes;
import dev.flyteplugin.proto.example.v1.DriverSpec;
import dev.flyteplugin.proto.example.v1.ExecutorSpec;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;
import dev.flyteplugin.proto.example.v1.Toleration;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Spark's per-role pod settings under the declared spark-operator version and the deployment's
 * placement policy; the runtime cases on the fabric8 mock API server.
 */
class SparkPodSettingsTest {
  private static final Toleration GPU =
      Toleration.newBuilder()
          .setKey("nvidia.com/gpu")
          .setOperator("Exists")
          .setEffect("NoSchedule")
          .build();

  @SuppressWarnings("unchecked")
  private static Map<String, Object> role(GenericKubernetesResource app, String role) {
    return (Map<String, Object>)
        ((Map<String, Object>) app.getAdditionalProperties().get("spec")).get(role);
  }

  private static SparkApplicationConfig withMemoryLimits() {
    return SparkTasks.minimalConfig().toBuilder()
        .setDriver(DriverSpec.newBuilder().setMemory("2g").setMemoryLimit("3g"))
        .setExecutor(ExecutorSpec.newBuilder().setMemoryLimit("6g"))
        .build();
  }

  @Test
  void memoryLimitReachesEachRoleOnTheTargetedOperator() throws Exception {
    GenericKubernetesResource app =
        new SparkOperatorPlugin()
            .build(SparkTasks.context(SparkTasks.request("app", withMemoryLimits())));
    assertThat(role(app, "driver")).containsEntry("memoryLimit", "3g");
    assertThat(role(app, "executor")).containsEntry("memoryLimit", "6g");
    assertThat(
            role(
                new SparkOperatorPlugin()
                    .build(
                        SparkTasks.context(SparkTasks.request("app", SparkTasks.minimalConfig()))),
                "driver"))
        .doesNotContainKey("memoryLimit");
  }

  @Test
  void anOlderDeclaredOperatorRefusesMemoryLimitNamingTheFieldAndTheRelease() {
    SparkOperatorPlugin v21 =
        new SparkOperatorPlugin()
            .configure(new PluginSettings("spark", Map.of("operator-version", "v2.1.1")));
    assertThatThrownBy(
            () -> v21.build(SparkTasks.context(SparkTasks.request("app", withMemoryLimits()))))
        .isInstanceOf(ResourceBuildException.class)
        .hasMessageContaining("driver.memoryLimit needs spark-operator v2.2.0 or newer")
        .hasMessageContaining("declares v2.1.1")
        .hasMessageContaining("FLYTEPLUGIN_SPARK_OPERATOR_VERSION");
    SparkApplicationConfig executorOnly =
        withMemoryLimits().toBuilder().setDriver(DriverSpec.getDefaultInstance()).build();
    assertThatThrownBy(() -> v21.build(SparkTasks.context(SparkTasks.request("app", executorOnly))))
        .hasMessageContaining("executor.memoryLimit needs spark-operator v2.2.0");
    assertThat(SparkPluginConfig.SETTINGS).anyMatch(s -> s.key().equals("operator-version"));
  }

  @Test
  void aBadMemoryLimitIsRefusedBeforeTheVersionIsConsidered() {
    SparkApplicationConfig bad =
        SparkTasks.minimalConfig().toBuilder()
            .setExecutor(ExecutorSpec.newBuilder().setMemoryLimit("lots"))
            .build();
    assertThatThrownBy(
            () -> new SparkOperatorPlugin().build(SparkTasks.context(SparkTasks.request("a", bad))))
        .isInstanceOf(ResourceBuildException.class)
        .hasMessageContaining("executor.memoryLimit");
  }

  @Test
  void tolerationsAndThePriorityClassAreRefusedByDefaultThroughTheRuntimeNothingCreated()
      throws Exception {
    SparkApplicationConfig gpu =
        SparkTasks.minimalConfig().toBuilder()
            .setExecutor(ExecutorSpec.newBuilder().addTolerations(GPU))
            .build();
    SparkApplicationConfig priority =
        SparkTasks.minimalConfig().toBuilder().setPriorityClassName("high").build();
    try (EmbeddedKubernetes k8s = EmbeddedKubernetes.start(SparkApplications.IDENTITY);
        KubernetesTaskRuntime runtime = runtime(k8s, TaskPolicy.defaults())) {
      assertThatThrownBy(() -> runtime.create(SparkTasks.request("gpu", gpu)))
          .isInstanceOf(TaskCreationException.class)
          .hasMessageContaining("PolicyViolation")
          .hasMessageContaining("executor.tolerations[0] tolerates taint 'nvidia.com/gpu'")
          .hasMessageContaining("--allowed-tolerations");
      assertThatThrownBy(() -> runtime.create(SparkTasks.request("prio", priority)))
          .hasMessageContaining("priorityClassName 'high' is not allowed")
          .hasMessageContaining("--allowed-priority-classes");
      assertThat(list(k8s)).isEmpty();
    }
  }

  @Test
  void aDeploymentThatAllowsThemGetsTheApplicationInTheApiServer() throws Exception {
    SparkApplicationConfig both =
        SparkTasks.minimalConfig().toBuilder()
            .setPriorityClassName("high")
            .setDriver(DriverSpec.newBuilder().putNodeSelector("pool", "gpu"))
            .setExecutor(ExecutorSpec.newBuilder().addTolerations(GPU))
            .build();
    TaskPolicy allowing =
        TaskPolicy.defaults()
            .withAllowedTolerations(List.of("nvidia.com/gpu"))
            .withAllowedPriorityClasses(List.of("high"));
    try (EmbeddedKubernetes k8s = EmbeddedKubernetes.start(SparkApplications.IDENTITY);
        KubernetesTaskRuntime runtime = runtime(k8s, allowing)) {
      TaskHandle handle = runtime.create(SparkTasks.request("allowed", both));
      GenericKubernetesResource stored =
          k8s.client()
              .genericKubernetesResources(KubernetesTaskRuntime.context(SparkApplications.IDENTITY))
              .inNamespace(SparkTasks.NS)
              .withName(handle.name())
              .get();
      assertThat(role(stored, "executor").get("tolerations"))
          .isEqualTo(
              List.of(
                  Map.of("key", "nvidia.com/gpu", "operator", "Exists", "effect", "NoSchedule")));
      assertThat(role(stored, "driver")).containsEntry("nodeSelector", Map.of("pool", "gpu"));
      runtime.abort(handle);
    }
  }

  private static List<GenericKubernetesResource> list(EmbeddedKubernetes k8s) {
    return k8s.client()
        .genericKubernetesResources(KubernetesTaskRuntime.context(SparkApplications.IDENTITY))
        .inNamespace(SparkTasks.NS)
        .list()
        .getItems();
  }

  private static KubernetesTaskRuntime runtime(EmbeddedKubernetes k8s, TaskPolicy policy)
      throws InterruptedException {
    KubernetesTaskRuntime runtime =
        KubernetesTaskRuntime.builder()
            .client(k8s.client())
            .registry(PluginRegistry.of(new SparkOperatorPlugin()))
            .config(RuntimeConfig.defaults().withMinCleanupTtl(Duration.ZERO).withPolicy(policy))
            .build();
    runtime.start();
    assertThat(runtime.awaitSynced(Duration.ofSeconds(30))).isTrue();
    return runtime;
  }
}
