package dev.flyteplugin.backend.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flyteplugin.backend.api.PluginSettings;
import dev.flyteplugin.backend.api.PolicyViolationException;
import dev.flyteplugin.backend.api.ResourceBuildException;
import dev.flyteplugin.backend.api.TaskContext;
import dev.flyteplugin.backend.api.TaskPolicy;
import dev.flyteplugin.backend.flink.simulation.FlinkSimulation;
import dev.flyteplugin.backend.runtime.KubernetesTaskRuntime;
import dev.flyteplugin.backend.runtime.PluginRegistry;
import dev.flyteplugin.backend.runtime.RuntimeConfig;
import dev.flyteplugin.backend.runtime.TaskHandle;
import dev.flyteplugin.backend.runtime.TaskRequest;
import dev.flyteplugin.backend.runtime.TaskStatus;
import dev.flyteplugin.backend.testing.EmbeddedKubernetes;
import dev.flyteplugin.backend.testing.SimulatedOperator;
import dev.flyteplugin.backend.testing.SimulatedWorkload;
import dev.flyteplugin.proto.flink.FlinkContract;
import dev.flyteplugin.proto.flink.v1.FlinkJobConfig;
import flyteidl.admin.AgentOuterClass.TaskExecutionMetadata;
import flyteidl.core.Execution.TaskExecution.Phase;
import flyteidl.core.Execution.TaskLog;
import flyteidl.core.IdentifierOuterClass.Identifier;
import flyteidl.core.IdentifierOuterClass.NodeExecutionIdentifier;
import flyteidl.core.IdentifierOuterClass.TaskExecutionIdentifier;
import flyteidl.core.IdentifierOuterClass.WorkflowExecutionIdentifier;
import flyteidl.core.Literals.KeyValuePair;
import flyteidl.core.Literals.LiteralMap;
import flyteidl.core.Tasks.Container;
import flyteidl.core.Tasks.TaskTemplate;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Flink plugin against the fabric8 mock API server (CRUD mode) and its simulated operator: the
 * FlinkDeployment it builds, the deployment's policy, every phase including the operator's known
 * edge cases, links, logs, abort.
 */
class FlinkPluginTest {
  private static final String NS = "flytesnacks-development";
  private static final FlinkContract CONTRACT = new FlinkContract();
  private final FlinkOperatorPlugin plugin =
      new FlinkOperatorPlugin(
          new PluginSettings(
              "flink",
              Map.of(
                  "log-links",
                  "JobManager=https://logs.example/{executionId}/{resourceName}/{jobId}")));
  private EmbeddedKubernetes k8s;
  private KubernetesTaskRuntime runtime;
  private SimulatedOperator operator;

  @BeforeEach
  void start() throws InterruptedException {
    k8s = EmbeddedKubernetes.start(FlinkOperatorPlugin.IDENTITY);
    runtime =
        KubernetesTaskRuntime.builder()
            .client(k8s.client())
            .registry(PluginRegistry.of(plugin))
            .config(RuntimeConfig.defaults().withMinCleanupTtl(Duration.ZERO))
            .build();
    runtime.start();
    assertThat(runtime.awaitSynced(Duration.ofSeconds(30))).isTrue();
  }

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.close();
    }
    runtime.close();
    k8s.close();
  }

  static FlinkJobConfig config() {
    return FlinkJobConfig.newBuilder().setFlinkVersion("v1_20").build();
  }

  static TaskRequest request(String execution, FlinkJobConfig config) {
    TaskTemplate template =
        TaskTemplate.newBuilder()
            .setType(CONTRACT.taskType())
            .setCustom(CONTRACT.codec().toStruct(config))
            .setContainer(
                Container.newBuilder()
                    .setImage("ghcr.io/example/flink-task:1")
                    .addAllArgs(List.of("execute", "--task", "org.example.CountLines"))
                    .addEnv(KeyValuePair.newBuilder().setKey("FLYTE_INTERNAL_IMAGE").setValue("i")))
            .build();
    TaskExecutionMetadata metadata =
        TaskExecutionMetadata.newBuilder()
            .setTaskExecutionId(
                TaskExecutionIdentifier.newBuilder()
                    .setTaskId(Identifier.newBuilder().setName("org.example.CountLines"))
                    .setNodeExecutionId(
                        NodeExecutionIdentifier.newBuilder()
                            .setNodeId("n0")
                            .setExecutionId(
                                WorkflowExecutionIdentifier.newBuilder()
                                    .setProject("flytesnacks")
                                    .setDomain("development")
                                    .setName(execution))))
            .setNamespace(NS)
            .setK8SServiceAccount("flyte-task-sa")
            .build();
    return new TaskRequest(
        template, LiteralMap.getDefaultInstance(), "s3://b/" + execution, metadata);
  }

  private static TaskContext context(FlinkJobConfig config) {
    TaskRequest r = request("ctx", config);
    return new TaskContext(
        r.template(), r.inputs(), r.outputPrefix(), r.metadata(), "ctx-n0-0", NS, Map.of("l", "v"));
  }

  private GenericKubernetesResource deployment(TaskHandle handle) {
    return k8s.client()
        .genericKubernetesResources(KubernetesTaskRuntime.context(FlinkOperatorPlugin.IDENTITY))
        .inNamespace(NS)
        .withName(handle.name())
        .get();
  }

  @Test
  @SuppressWarnings("unchecked")
  void theDeploymentRunsTheTaskContainerAsAnApplicationAsTheExecutionsServiceAccount()
      throws Exception {
    GenericKubernetesResource built = plugin.build(context(config()));
    Map<String, Object> spec = (Map<String, Object>) built.getAdditionalProperties().get("spec");
    Map<String, Object> job = (Map<String, Object>) spec.get("job");
    assertThat(job.get("args")).isEqualTo(List.of("execute", "--task", "org.example.CountLines"));
    assertThat(job)
        .containsEntry("entryClass", "dev.flyteplugin.jflyte.Jflyte")
        .containsEntry("parallelism", 1);
    assertThat(spec)
        .containsEntry("image", "ghcr.io/example/flink-task:1")
        .containsEntry("flinkVersion", "v1_20")
        .containsEntry("serviceAccount", "flyte-task-sa")
        .containsEntry("mode", "native");
    assertThat(String.valueOf(spec.get("podTemplate")))
        .contains("flink-main-container")
        .contains("FLYTE_INTERNAL_IMAGE")
        .contains("l=v");
    assertThat(String.valueOf(spec.get("jobManager"))).contains("memory=1024m");
  }

  @Test
  void aBadConfigIsRefusedNamingTheField() {
    assertThatThrownBy(
            () ->
                plugin.build(context(FlinkJobConfig.newBuilder().setFlinkVersion("1.20").build())))
        .isInstanceOf(ResourceBuildException.class)
        .hasMessageContaining("flinkVersion")
        .hasMessageContaining("v1_20");
    assertThatThrownBy(
            () ->
                plugin.build(
                    context(
                        config().toBuilder()
                            .setTaskManager(config().getTaskManager().toBuilder().setMemory("lots"))
                            .build())))
        .hasMessageContaining("taskManager.memory");
  }

  @Test
  void thePolicyAppliesToTheServiceAccountAndTheFlinkConfiguration() throws Exception {
    FlinkJobConfig own = config().toBuilder().setServiceAccount("admin").build();
    assertThatThrownBy(
            () -> plugin.admit(context(own), plugin.build(context(own)), TaskPolicy.defaults()))
        .isInstanceOf(PolicyViolationException.class)
        .hasMessageContaining("serviceAccount 'admin'");
    plugin.admit(
        context(own),
        plugin.build(context(own)),
        TaskPolicy.defaults().withAllowServiceAccountOverride(true));
    FlinkJobConfig secret =
        config().toBuilder().putFlinkConfiguration("kubernetes.secrets", "s:/mnt").build();
    assertThatThrownBy(
            () ->
                plugin.admit(context(secret), plugin.build(context(secret)), TaskPolicy.defaults()))
        .hasMessageContaining("flinkConfiguration key 'kubernetes.secrets'");
  }

  @Test
  void aTaskRunsEndToEndTheWorkloadSeesItsArgsAndEnvAndAbortLeavesNothing() throws Exception {
    AtomicReference<SimulatedWorkload.Task> ran = new AtomicReference<>();
    operator =
        SimulatedOperator.automatic(
                k8s.client(),
                new FlinkSimulation().script(),
                task -> {
                  ran.set(task);
                  return SimulatedWorkload.Outcome.success();
                },
                Duration.ofMillis(20))
            .start();
    TaskHandle handle = runtime.create(request("e2e", config()));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> runtime.status(handle).phase() == Phase.SUCCEEDED);
    assertThat(ran.get().args()).containsExactly("execute", "--task", "org.example.CountLines");
    assertThat(ran.get().env()).containsEntry("FLYTE_INTERNAL_IMAGE", "i");
    TaskStatus done = runtime.status(handle);
    assertThat(done.logLinks())
        .extracting(TaskLog::getUri)
        .singleElement()
        .asString()
        .startsWith("https://logs.example/e2e/" + handle.name() + "/");
    assertThat(done.customInfo().getFieldsOrThrow("flinkUI").getStringValue())
        .isEqualTo("http://" + handle.name() + "-rest." + NS + ":8081");
    // No GetTaskLogs source: the JobManager pod's name is not predictable and the agent may not
    // list pods; its labels are what a log system's link selects by.
    assertThat(plugin.logSource(handle.name())).isEmpty();
    assertThat(
            k8s.client()
                .pods()
                .inNamespace(NS)
                .withLabels(Map.of("app", handle.name(), "component", "jobmanager"))
                .list()
                .getItems())
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.getSpec().getContainers().get(0).getName())
                    .isEqualTo(FlinkOperatorPlugin.MAIN_CONTAINER));

    runtime.abort(handle);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                deployment(handle) == null
                    && k8s.client().pods().inNamespace(NS).list().getItems().isEmpty());
  }

  @Test
  @SuppressWarnings("unchecked")
  void aSpecTheOperatorRejectsFailsWithTheOperatorsMessage() throws Exception {
    operator =
        SimulatedOperator.automatic(
                k8s.client(),
                new FlinkSimulation().script(),
                SimulatedWorkload.succeedAfter(Duration.ZERO),
                Duration.ZERO)
            .start();
    GenericKubernetesResource noAccount = plugin.build(context(config()));
    ((Map<String, Object>) noAccount.getAdditionalProperties().get("spec"))
        .remove("serviceAccount");
    noAccount.setApiVersion(FlinkOperatorPlugin.IDENTITY.apiVersion());
    noAccount.setKind(FlinkOperatorPlugin.IDENTITY.kind());
    noAccount.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName("noaccount")
            .withNamespace(NS)
            .build());
    var deployments =
        k8s.client()
            .genericKubernetesResources(KubernetesTaskRuntime.context(FlinkOperatorPlugin.IDENTITY))
            .inNamespace(NS);
    deployments.resource(noAccount).create();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> plugin.phase(deployments.withName("noaccount").get()).phase().isTerminal());
    var phase = plugin.phase(deployments.withName("noaccount").get());
    assertThat(phase.message()).contains("spec.serviceAccount must be defined");
    assertThat(k8s.client().pods().inNamespace(NS).list().getItems()).isEmpty();
    deployments.withName("noaccount").delete();
  }

  @Test
  void theOperatorsStatesMapToPhasesAndTheKnownEdgeCasesAreNeverSuccess() throws Exception {
    operator = SimulatedOperator.scripted(k8s.client(), new FlinkSimulation().script()).start();
    TaskHandle handle = runtime.create(request("table", config()));
    await().atMost(Duration.ofSeconds(10)).until(() -> runtime.cachedStatus(handle).isPresent());
    assertThat(runtime.status(handle).phase()).isEqualTo(Phase.QUEUED);

    assertThat(phaseAfter(handle, "CREATED")).isEqualTo(Phase.INITIALIZING);
    assertThat(phaseAfter(handle, "RUNNING")).isEqualTo(Phase.RUNNING);
    // flink-kubernetes-operator#997: STABLE and RUNNING while the JobManager is missing.
    assertThat(phaseAfter(handle, "JOB_MANAGER_MISSING")).isEqualTo(Phase.RETRYABLE_FAILED);
    assertThat(runtime.status(handle).message())
        .contains("JobManager deployment")
        .contains("missing");
  }

  @Test
  void aFinishedJobResetToReconcilingIsReportedLostNotRunningOrSucceeded() throws Exception {
    // flink-kubernetes-operator#944: FINISHED, then RECONCILING with "Job Not Found"
    // (JobStatusObserver.onTargetJobNotFound).
    operator = SimulatedOperator.scripted(k8s.client(), new FlinkSimulation().script()).start();
    TaskHandle handle = runtime.create(request("lost", config()));
    await().atMost(Duration.ofSeconds(10)).until(() -> runtime.cachedStatus(handle).isPresent());
    assertThat(phaseAfter(handle, "JOB_NOT_FOUND")).isEqualTo(Phase.RETRYABLE_FAILED);
    assertThat(runtime.status(handle).message()).contains("Job Not Found");
  }

  @Test
  void aFinishedJobPropellerSawStaysSucceededWhenTheOperatorLosesItAfterwards() throws Exception {
    // flink-kubernetes-operator#944 after the result was reported: the runtime's terminal hold
    // answers the reported SUCCEEDED, not the operator's later RECONCILING.
    operator = SimulatedOperator.scripted(k8s.client(), new FlinkSimulation().script()).start();
    TaskHandle handle = runtime.create(request("held", config()));
    await().atMost(Duration.ofSeconds(10)).until(() -> runtime.cachedStatus(handle).isPresent());
    assertThat(phaseAfter(handle, "FINISHED")).isEqualTo(Phase.SUCCEEDED);
    runtime.markReported(handle);
    operator.moveTo(NS, handle.name(), "JOB_NOT_FOUND", "");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                String.valueOf(deployment(handle).getAdditionalProperties().get("status"))
                    .contains("Job Not Found"));
    Thread.sleep(300); // the informer's update
    assertThat(runtime.status(handle).phase()).isEqualTo(Phase.SUCCEEDED);
  }

  @Test
  void aFailedJobCarriesTheMessageOfTheOperatorsSerializedException() throws Exception {
    operator = SimulatedOperator.scripted(k8s.client(), new FlinkSimulation().script()).start();
    TaskHandle handle = runtime.create(request("failed", config()));
    await().atMost(Duration.ofSeconds(10)).until(() -> runtime.cachedStatus(handle).isPresent());
    assertThat(phaseAfter(handle, "FAILED")).isEqualTo(Phase.RETRYABLE_FAILED);
    assertThat(runtime.status(handle).message()).isEqualTo("boom");
  }

  private Phase phaseAfter(TaskHandle handle, String state) {
    TaskStatus before = runtime.status(handle);
    operator.moveTo(NS, handle.name(), state, "boom");
    await().atMost(Duration.ofSeconds(10)).until(() -> !runtime.status(handle).equals(before));
    return runtime.status(handle).phase();
  }
}
