package dev.flyteplugin.backend.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.flyteplugin.backend.api.TaskPolicy;
import dev.flyteplugin.backend.runtime.TaskCategory;
import dev.flyteplugin.backend.runtime.TaskHandle;
import dev.flyteplugin.proto.example.ExamplePlugin;
import dev.flyteplugin.proto.example.v1.DriverSpec;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;
import flyteidl.admin.AgentOuterClass.CreateTaskRequest;
import flyteidl.admin.AgentOuterClass.DeleteTaskRequest;
import flyteidl.admin.AgentOuterClass.GetTaskLogsRequest;
import flyteidl.admin.AgentOuterClass.Resource;
import flyteidl.core.Execution.TaskExecution;
import flyteidl.service.AsyncAgentServiceGrpc;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a caller may make the agent do: only namespaces of the list, on every call; no service
 * account but the execution's unless the deployment allows it; no Spark conf key of the denied list
 * (each reported as the task's permanent failure, nothing created).
 */
class AgentSecurityTest {
  private static final String SERVED = "flytesnacks-development";
  private static final TaskCategory EXAMPLE = new TaskCategory("example_plugin", 0);

  @TempDir Path work;

  @Test
  void aCallForANamespaceOutsideTheListIsRefusedAtEveryMethodBeforeAnyApiCall() throws Exception {
    try (AgentHarness harness =
            AgentHarness.start(work, r -> r, o -> withNamespaces(o, List.of(SERVED)), s -> s);
        FakePropeller propeller = new FakePropeller(harness.port())) {
      CreateTaskRequest good = request("ns-create", config());
      CreateTaskRequest elsewhere =
          good.toBuilder()
              .setTaskExecutionMetadata(
                  good.getTaskExecutionMetadata().toBuilder().setNamespace("kube-system"))
              .build();
      assertThatThrownBy(() -> propeller.create(elsewhere))
          .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.PERMISSION_DENIED))
          .hasMessageContaining("kube-system")
          .hasMessageContaining(SERVED);

      // A meta signed with the agent's key for another namespace (the list was narrowed after
      // the task was created, or another deployment shares the key).
      ByteString foreign =
          ByteString.copyFrom(
              harness.codec().encode(new TaskHandle(EXAMPLE, "kube-system", "fabc-n0-0")));
      long apiCalls = harness.apiRequestCount();
      assertThatThrownBy(() -> propeller.get(foreign))
          .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.PERMISSION_DENIED))
          .hasMessageContaining("kube-system");
      assertThatThrownBy(
              () ->
                  propeller
                      .agent()
                      .deleteTask(
                          DeleteTaskRequest.newBuilder()
                              .setResourceMeta(foreign)
                              .setTaskCategory(FakePropeller.EXAMPLE_PLUGIN)
                              .build()))
          .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.PERMISSION_DENIED));
      assertThatThrownBy(
              () ->
                  propeller
                      .agent()
                      .getTaskLogs(
                          GetTaskLogsRequest.newBuilder()
                              .setResourceMeta(foreign)
                              .setTaskCategory(FakePropeller.EXAMPLE_PLUGIN)
                              .build())
                      .hasNext())
          .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.PERMISSION_DENIED));
      assertThat(harness.apiRequestCount())
          .as("no Kubernetes API call for a namespace outside the list")
          .isEqualTo(apiCalls);

      // The served namespace still works.
      ByteString meta = propeller.create(good);
      assertThat(propeller.get(meta).getPhase()).isNotEqualTo(TaskExecution.Phase.FAILED);
    }
  }

  @Test
  void aServiceAccountOverrideInTheTaskConfigIsAPermanentFailureUnlessTheDeploymentAllowsIt()
      throws Exception {
    SparkApplicationConfig admin =
        config().toBuilder()
            .setDriver(config().getDriver().toBuilder().setServiceAccount("cluster-admin-sa"))
            .build();
    try (AgentHarness harness = AgentHarness.start(work.resolve("refused"));
        FakePropeller propeller = new FakePropeller(harness.port())) {
      ByteString meta = propeller.create(request("sa-refused", admin));
      Resource resource = propeller.pollUntilTerminal(meta, Duration.ofSeconds(10));
      assertThat(resource.getPhase()).isEqualTo(TaskExecution.Phase.FAILED);
      assertThat(resource.getMessage())
          .startsWith("[InvalidTask] permanent failure: PolicyViolation")
          .contains("driver.serviceAccount 'cluster-admin-sa'")
          .contains("'default'")
          .contains("--allow-service-account-override");
      assertThat(harness.applications()).isEmpty();
    }
    try (AgentHarness harness =
            AgentHarness.start(
                work.resolve("allowed"),
                r -> r,
                o -> withPolicy(o, TaskPolicy.defaults().withAllowServiceAccountOverride(true)),
                s -> s);
        FakePropeller propeller = new FakePropeller(harness.port())) {
      ByteString meta = propeller.create(request("sa-allowed", admin));
      assertThat(propeller.get(meta).getPhase()).isNotEqualTo(TaskExecution.Phase.FAILED);
      assertThat(harness.applications()).hasSize(1);
      assertThat(driverOf(harness.applications().get(0)).get("serviceAccount"))
          .isEqualTo("cluster-admin-sa");
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "spark.kubernetes.driver.volumes.hostPath.root.mount.path",
        "spark.kubernetes.executor.volumes.hostPath.root.options.path",
        "spark.kubernetes.driver.secrets.db-password",
        "spark.kubernetes.executor.secrets.db-password",
        "spark.kubernetes.driver.secretKeyRef.PASSWORD",
        "spark.kubernetes.executor.secretKeyRef.PASSWORD",
        "spark.kubernetes.authenticate.driver.serviceAccountName",
        "spark.kubernetes.authenticate.submission.oauthToken",
        "spark.kubernetes.driver.podTemplateFile",
        "spark.kubernetes.executor.podTemplateFile",
        "spark.kubernetes.driver.podTemplateContainerName",
        "SPARK.KUBERNETES.DRIVER.PODTEMPLATEFILE"
      })
  void eachDeniedSparkConfKeyIsAPermanentFailureNamingTheKeyAndCreatesNothing(String key)
      throws Exception {
    try (AgentHarness harness = AgentHarness.start(work);
        FakePropeller propeller = new FakePropeller(harness.port())) {
      SparkApplicationConfig denied = config().toBuilder().putSparkConf(key, "/").build();
      ByteString meta = propeller.create(request("conf", denied));
      Resource resource = propeller.pollUntilTerminal(meta, Duration.ofSeconds(10));
      assertThat(resource.getPhase()).isEqualTo(TaskExecution.Phase.FAILED);
      assertThat(resource.getMessage())
          .contains("PolicyViolation")
          .contains("sparkConf key '" + key + "'")
          .contains("--denied-conf-keys");
      assertThat(resource.getAgentError().getKind())
          .isEqualTo(flyteidl.admin.AgentOuterClass.AgentError.Kind.NON_RECOVERABLE);
      assertThat(harness.applications()).isEmpty();
    }
  }

  @Test
  void ordinarySparkConfPassesAndTheDeniedListIsTheDeploymentsToChange() throws Exception {
    SparkApplicationConfig conf =
        config().toBuilder()
            .putSparkConf("spark.executor.memoryOverhead", "512m")
            .putSparkConf("spark.kubernetes.driver.podTemplateFile", "/opt/t.yaml")
            .build();
    try (AgentHarness harness =
            AgentHarness.start(
                work,
                r -> r,
                o -> withPolicy(o, TaskPolicy.defaults().withDeniedConfKeys(List.of())),
                s -> s);
        FakePropeller propeller = new FakePropeller(harness.port())) {
      ByteString meta = propeller.create(request("conf-ok", conf));
      assertThat(propeller.get(meta).getPhase()).isNotEqualTo(TaskExecution.Phase.FAILED);
      assertThat(harness.applications()).hasSize(1);
    }
  }

  @Test
  void aFullQueueAnswersUnavailableAtOnce() throws Exception {
    GatedRuntime[] gated = new GatedRuntime[1];
    try (AgentHarness harness =
        AgentHarness.start(
            work, r -> gated[0] = new GatedRuntime(r), o -> o, s -> s.withWorkers(1))) {
      gated[0].syncGate.countDown();
      ManagedChannel channel =
          ManagedChannelBuilder.forAddress("localhost", harness.port()).usePlaintext().build();
      try {
        var async = AsyncAgentServiceGrpc.newFutureStub(channel);
        var first =
            async.withDeadlineAfter(30, TimeUnit.SECONDS).createTask(request("q1", config()));
        assertThat(gated[0].createEntered.await(10, TimeUnit.SECONDS)).isTrue(); // holds the worker
        var second =
            async.withDeadlineAfter(30, TimeUnit.SECONDS).createTask(request("q2", config()));
        Thread.sleep(200); // queued (queue = pool size = 1)
        long start = System.nanoTime();
        assertThatThrownBy(
                () ->
                    AsyncAgentServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(30, TimeUnit.SECONDS)
                        .createTask(request("q3", config())))
            .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.UNAVAILABLE))
            .hasMessageContaining("overloaded");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        gated[0].createGate.countDown();
        assertThat(first.get(20, TimeUnit.SECONDS).getResourceMeta().isEmpty()).isFalse();
        assertThat(second.get(20, TimeUnit.SECONDS).getResourceMeta().isEmpty()).isFalse();
      } finally {
        gated[0].createGate.countDown();
        channel.shutdownNow();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static RuntimeOptions withNamespaces(RuntimeOptions o, List<String> namespaces) {
    return new RuntimeOptions(
        o.kubeconfig(), namespaces, o.ttl(), o.pluginConfig(), o.userCode(), o.policy());
  }

  private static RuntimeOptions withPolicy(RuntimeOptions o, TaskPolicy policy) {
    return new RuntimeOptions(
        o.kubeconfig(), o.namespaces(), o.ttl(), o.pluginConfig(), o.userCode(), policy);
  }

  private static SparkApplicationConfig config() {
    return SparkApplicationConfig.newBuilder()
        .setApplicationType(SparkApplicationConfig.ApplicationType.JAVA)
        .setSparkVersion("3.5.3")
        .setDriver(DriverSpec.newBuilder().setCores(1).setMemory("1g"))
        .build();
  }

  private CreateTaskRequest request(String name, SparkApplicationConfig config) throws Exception {
    CreateTaskRequest base =
        FakePropeller.createRequest(
            AgentHarness.SLOW_TASK,
            AgentHarness.inputs(1),
            work.resolve(name + System.nanoTime()),
            0);
    return base.toBuilder()
        .setTemplate(base.getTemplate().toBuilder().setCustom(ExamplePlugin.encode(config)))
        .build();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> driverOf(GenericKubernetesResource app) {
    Map<String, Object> spec = (Map<String, Object>) app.getAdditionalProperties().get("spec");
    return (Map<String, Object>) spec.get("driver");
  }

  static Status.Code code(Throwable e) {
    return e instanceof StatusRuntimeException s ? s.getStatus().getCode() : Status.Code.UNKNOWN;
  }
}
