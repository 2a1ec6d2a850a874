package dev.flyteplugin.backend.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flyteplugin.backend.api.PluginSettings;
import dev.flyteplugin.backend.api.ResourceBuildException;
import dev.flyteplugin.backend.api.TaskContext;
import dev.flyteplugin.backend.api.TaskPolicy;
import dev.flyteplugin.backend.runtime.KubernetesTaskRuntime;
import dev.flyteplugin.backend.runtime.PluginRegistry;
import dev.flyteplugin.backend.runtime.RuntimeConfig;
import dev.flyteplugin.backend.runtime.TaskCreationException;
import dev.flyteplugin.backend.runtime.TaskHandle;
import dev.flyteplugin.backend.runtime.TaskRequest;
import dev.flyteplugin.backend.testing.EmbeddedKubernetes;
import dev.flyteplugin.proto.flink.v1.FlinkJobConfig;
import dev.flyteplugin.proto.flink.v1.ProcessResources;
import dev.flyteplugin.proto.flink.v1.Toleration;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Per-role pod settings of a FlinkDeployment (JobManager, TaskManager), the declared operator
 * version, and the deployment's placement policy; the runtime cases on the fabric8 mock API server.
 */
class FlinkPodSettingsTest {
  private static final String NS = "flytesnacks-development";
  private final FlinkOperatorPlugin plugin = new FlinkOperatorPlugin();

  private static TaskContext context(FlinkJobConfig config) {
    TaskRequest r = FlinkPluginTest.request("roles", config);
    return new TaskContext(
        r.template(),
        r.inputs(),
        r.outputPrefix(),
        r.metadata(),
        "roles-n0-0",
        NS,
        Map.of("execution-id", "roles"));
  }

  private static FlinkJobConfig roles() {
    return FlinkJobConfig.newBuilder()
        .setFlinkVersion("v1_20")
        .setJobManager(
            ProcessResources.newBuilder()
                .putNodeSelector("pool", "control")
                .putAnnotations("team", "data"))
        .setTaskManager(
            ProcessResources.newBuilder()
                .setReplicas(3)
                .setEphemeralStorage("10Gi")
                .putNodeSelector("pool", "workers")
                .putLabels("tier", "tm")
                .putLabels("execution-id", "spoofed")
                .addTolerations(
                    Toleration.newBuilder()
                        .setKey("dedicated")
                        .setOperator("Equal")
                        .setValue("flink")
                        .setEffect("NoSchedule"))
                .setPriorityClassName("batch-low"))
        .build();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> at(Object map, String... path) {
    Object v = map;
    for (String p : path) {
      v = ((Map<String, Object>) v).get(p);
    }
    return (Map<String, Object>) v;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(GenericKubernetesResource r) {
    return (Map<String, Object>) r.getAdditionalProperties().get("spec");
  }

  @Test
  void eachRolesSettingsBecomeItsPodTemplateAndResource() throws Exception {
    Map<String, Object> spec = spec(plugin.build(context(roles())));
    Map<String, Object> jm = at(spec, "jobManager");
    assertThat(jm).containsEntry("replicas", 1);
    assertThat(at(jm, "podTemplate", "spec"))
        .isEqualTo(Map.of("nodeSelector", Map.of("pool", "control")));
    assertThat(at(jm, "podTemplate", "metadata"))
        .isEqualTo(Map.of("annotations", Map.of("team", "data")));
    Map<String, Object> tm = at(spec, "taskManager");
    assertThat(tm).containsEntry("replicas", 3);
    assertThat(at(tm, "resource")).containsEntry("ephemeralStorage", "10Gi");
    assertThat(at(tm, "podTemplate", "spec"))
        .containsEntry("nodeSelector", Map.of("pool", "workers"))
        .containsEntry("priorityClassName", "batch-low")
        .containsEntry(
            "tolerations",
            List.of(
                Map.of(
                    "key",
                    "dedicated",
                    "operator",
                    "Equal",
                    "value",
                    "flink",
                    "effect",
                    "NoSchedule")))
        .doesNotContainKey("containers"); // arrays merge by index: the common env stays
    // the execution's labels win over a role's (the operator's merge lets the role win)
    assertThat(at(tm, "podTemplate", "metadata", "labels"))
        .isEqualTo(Map.of("tier", "tm", "execution-id", "roles"));
    assertThat(at(spec, "podTemplate", "metadata", "labels"))
        .containsEntry("execution-id", "roles");
  }

  @Test
  void unsetRoleSettingsLeaveTheOperatorsDefaults() throws Exception {
    Map<String, Object> spec =
        spec(plugin.build(context(FlinkJobConfig.newBuilder().setFlinkVersion("v1_20").build())));
    // no TaskManager replicas: the operator sizes TaskManagers from parallelism
    assertThat(at(spec, "taskManager")).containsOnlyKeys("resource");
    assertThat(at(spec, "taskManager", "resource")).doesNotContainKey("ephemeralStorage");
    assertThat(at(spec, "jobManager")).containsOnlyKeys("resource", "replicas");
  }

  @Test
  void invalidRoleSettingsAreRefusedNamingTheField() {
    FlinkJobConfig both = roles().toBuilder().setParallelism(4).build();
    assertThatThrownBy(() -> plugin.build(context(both)))
        .isInstanceOf(ResourceBuildException.class)
        .hasMessageContaining("parallelism")
        .hasMessageContaining("taskManager.replicas");
    FlinkJobConfig badToleration =
        roles().toBuilder()
            .setJobManager(
                ProcessResources.newBuilder()
                    .addTolerations(Toleration.newBuilder().setKey("k").setEffect("Never")))
            .build();
    assertThatThrownBy(() -> plugin.build(context(badToleration)))
        .hasMessageContaining("jobManager.tolerations[0].effect");
  }

  @Test
  void aFlinkVersionTheDeclaredOperatorDoesNotKnowIsRefusedNamingTheRelease() throws Exception {
    FlinkOperatorPlugin old =
        new FlinkOperatorPlugin(new PluginSettings("flink", Map.of("operator-version", "1.13.0")));
    old.build(context(FlinkJobConfig.newBuilder().setFlinkVersion("v2_2").build()));
    assertThatThrownBy(
            () -> old.build(context(FlinkJobConfig.newBuilder().setFlinkVersion("v2_3").build())))
        .isInstanceOf(ResourceBuildException.class)
        .hasMessageContaining("flinkVersion v2_3 needs flink-kubernetes-operator 1.15.0 or newer")
        .hasMessageContaining("declares 1.13.0")
        .hasMessageContaining("flink.operator-version");
    FlinkOperatorPlugin older =
        new FlinkOperatorPlugin(new PluginSettings("flink", Map.of("operator-version", "1.12.1")));
    assertThatThrownBy(
            () -> older.build(context(FlinkJobConfig.newBuilder().setFlinkVersion("v2_1").build())))
        .hasMessageContaining("needs flink-kubernetes-operator 1.13.0");
    // the default is the release we target: every value of the contract builds
    plugin.build(context(FlinkJobConfig.newBuilder().setFlinkVersion("v2_4").build()));
    assertThat(plugin.settings()).anyMatch(s -> s.key().equals("operator-version"));
  }

  @Test
  void thePolicyRefusesThePlacementThroughTheRuntimeAndNothingIsCreated() throws Exception {
    try (EmbeddedKubernetes k8s = EmbeddedKubernetes.start(FlinkOperatorPlugin.IDENTITY)) {
      try (KubernetesTaskRuntime runtime = runtime(k8s, TaskPolicy.defaults())) {
        assertThatThrownBy(() -> runtime.create(FlinkPluginTest.request("deny", roles())))
            .isInstanceOf(TaskCreationException.class)
            .hasMessageContaining("PolicyViolation")
            .hasMessageContaining("taskManager.tolerations[0] tolerates taint 'dedicated'")
            .hasMessageContaining("--allowed-tolerations");
        FlinkJobConfig priorityOnly =
            roles().toBuilder()
                .setTaskManager(roles().getTaskManager().toBuilder().clearTolerations())
                .build();
        assertThatThrownBy(() -> runtime.create(FlinkPluginTest.request("prio", priorityOnly)))
            .hasMessageContaining("taskManager.priorityClassName 'batch-low' is not allowed")
            .hasMessageContaining("--allowed-priority-classes");
        assertThat(list(k8s)).isEmpty();
      }
    }
  }

  @Test
  void tolerationsThroughFlinksOwnOptionsAreUnderTheSamePolicy() throws Exception {
    FlinkJobConfig viaConf =
        FlinkJobConfig.newBuilder()
            .setFlinkVersion("v1_20")
            .putFlinkConfiguration(
                "kubernetes.taskmanager.tolerations",
                "key:spot,operator:Exists,effect:PreferNoSchedule;"
                    + "key:dedicated,operator:Equal,value:flink,effect:NoExecute")
            .build();
    GenericKubernetesResource built = plugin.build(context(viaConf));
    assertThatThrownBy(() -> plugin.admit(context(viaConf), built, TaskPolicy.defaults()))
        .hasMessageContaining(
            "flinkConfiguration[\"kubernetes.taskmanager.tolerations\"][1] tolerates taint"
                + " 'dedicated' with effect NoExecute")
        .hasMessageContaining("--allowed-tolerations");
    plugin.admit(
        context(viaConf),
        built,
        TaskPolicy.defaults().withAllowedTolerations(List.of("dedicated")));
  }

  @Test
  void aDeploymentThatAllowsThePlacementGetsTheRoleTemplatesInTheApiServer() throws Exception {
    TaskPolicy allowing =
        TaskPolicy.defaults()
            .withAllowedTolerations(List.of("dedicated"))
            .withAllowedPriorityClasses(List.of("batch-*"));
    try (EmbeddedKubernetes k8s = EmbeddedKubernetes.start(FlinkOperatorPlugin.IDENTITY)) {
      try (KubernetesTaskRuntime runtime = runtime(k8s, allowing)) {
        TaskHandle handle = runtime.create(FlinkPluginTest.request("allow", roles()));
        GenericKubernetesResource stored =
            k8s.client()
                .genericKubernetesResources(
                    KubernetesTaskRuntime.context(FlinkOperatorPlugin.IDENTITY))
                .inNamespace(NS)
                .withName(handle.name())
                .get();
        Map<String, Object> tm = at(spec(stored), "taskManager");
        assertThat(((Number) tm.get("replicas")).intValue()).isEqualTo(3);
        assertThat(at(tm, "podTemplate", "spec"))
            .containsEntry("priorityClassName", "batch-low")
            .containsEntry("nodeSelector", Map.of("pool", "workers"));
        assertThat(at(spec(stored), "jobManager", "podTemplate", "spec", "nodeSelector"))
            .isEqualTo(Map.of("pool", "control"));
        runtime.abort(handle);
      }
    }
  }

  private static List<GenericKubernetesResource> list(EmbeddedKubernetes k8s) {
    return k8s.client()
        .genericKubernetesResources(KubernetesTaskRuntime.context(FlinkOperatorPlugin.IDENTITY))
        .inNamespace(NS)
        .list()
        .getItems();
  }

  private KubernetesTaskRuntime runtime(EmbeddedKubernetes k8s, TaskPolicy policy)
      throws InterruptedException {
    KubernetesTaskRuntime runtime =
        KubernetesTaskRuntime.builder()
            .client(k8s.client())
            .registry(PluginRegistry.of(plugin))
            .config(RuntimeConfig.defaults().withMinCleanupTtl(Duration.ZERO).withPolicy(policy))
            .build();
    runtime.start();
    assertThat(runtime.awaitSynced(Duration.ofSeconds(30))).isTrue();
    return runtime;
  }
}
