package dev.flyteplugin.backend.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flyteplugin.backend.runtime.KubernetesTaskRuntime;
import dev.flyteplugin.backend.runtime.PluginRegistry;
import dev.flyteplugin.backend.runtime.RuntimeConfig;
import dev.flyteplugin.backend.spark.SparkOperatorPlugin;
import dev.flyteplugin.backend.spark.SparkPluginConfig;
import dev.flyteplugin.backend.testing.EmbeddedKubernetes;
import flyteidl.admin.AgentOuterClass.CreateTaskRequest;
import flyteidl.admin.AgentOuterClass.CreateTaskResponse;
import flyteidl.admin.AgentOuterClass.GetTaskLogsRequest;
import flyteidl.service.AsyncAgentServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's lifecycle: health after informer sync, graceful shutdown, request size limit. */
class AgentServerTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();

  @TempDir Path work;
  private EmbeddedKubernetes kubernetes;
  private GatedRuntime runtime;
  private AgentServer server;
  private FakePropeller propeller;

  @BeforeEach
  void startServer() throws Exception {
    dev.flyteplugin.backend.testing.EmbeddedCluster.quietMockServerLog();
    SparkOperatorPlugin plugin = new SparkOperatorPlugin(SparkPluginConfig.defaults());
    kubernetes = EmbeddedKubernetes.start(plugin.identity());
    runtime =
        new GatedRuntime(
            KubernetesTaskRuntime.builder()
                .client(kubernetes.client())
                .registry(PluginRegistry.of(plugin))
                .config(RuntimeConfig.defaults())
                .build());
    server =
        AgentServer.start(
            new AgentServer.Settings(
                0,
                -1,
                "flyte-operator-agent",
                64 * 1024,
                Optional.empty(),
                Duration.ofSeconds(10),
                Duration.ofSeconds(10)),
            runtime,
            new ResourceMetaCodec(KEY),
            new PrometheusRegistry());
    propeller = new FakePropeller(server.port());
  }

  @AfterEach
  void stop() throws Exception {
    runtime.syncGate.countDown();
    runtime.createGate.countDown();
    propeller.close();
    server.close();
    kubernetes.close();
  }

  @Test
  void healthIsNotServingUntilTheInformersHaveSyncedThenServing() {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(propeller.channel());
    HealthCheckRequest overall = HealthCheckRequest.getDefaultInstance();
    HealthCheckRequest agentService =
        HealthCheckRequest.newBuilder().setService(AsyncAgentServiceGrpc.SERVICE_NAME).build();

    assertThat(health.check(overall).getStatus()).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(health.check(agentService).getStatus()).isEqualTo(ServingStatus.NOT_SERVING);

    runtime.syncGate.countDown();

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> health.check(overall).getStatus() == ServingStatus.SERVING);
    assertThat(runtime.hasSynced()).isTrue();
    assertThat(health.check(agentService).getStatus()).isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void whileReadinessIsNotServingGetTaskStillAnswersAndNeverErrs() throws Exception {
    runtime.createGate.countDown(); // the informers stay "unsynced" for the agent
    com.google.protobuf.ByteString meta =
        propeller.create(
            FakePropeller.createRequest(
                "tasks.Early", AgentHarness.inputs(1), work.resolve("early"), 0));
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(propeller.channel());

    // More polls than propeller tolerates errors: every one must answer (no operator runs here,
    // so the application stays new: QUEUED).
    for (int i = 0; i <= FakePropeller.MAX_SYSTEM_FAILURES; i++) {
      assertThat(propeller.get(meta).getPhase())
          .isEqualTo(flyteidl.core.Execution.TaskExecution.Phase.QUEUED);
    }
    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(ServingStatus.NOT_SERVING);
  }

  @Test
  void shutdownFinishesAnInFlightCreateTaskAndRefusesNewCalls() throws Exception {
    runtime.syncGate.countDown();
    CreateTaskRequest request =
        FakePropeller.createRequest("tasks.Slow", AgentHarness.inputs(1), work.resolve("p"), 0);
    CompletableFuture<CreateTaskResponse> inFlight =
        CompletableFuture.supplyAsync(
            () -> propeller.agent().withDeadlineAfter(60, TimeUnit.SECONDS).createTask(request));
    assertThat(runtime.createEntered.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
    await().pollDelay(Duration.ofMillis(100)).until(() -> !closing.isDone());
    assertThatThrownBy(() -> propeller.agent().createTask(request))
        .isInstanceOf(StatusRuntimeException.class);

    runtime.createGate.countDown();

    assertThat(inFlight.get(60, TimeUnit.SECONDS).getResourceMeta().size()).isPositive();
    closing.get(60, TimeUnit.SECONDS);
  }

  @Test
  void withoutAPodLogReaderGetTaskLogsAnswersUnimplementedWithAMessage() {
    assertThatThrownBy(
            () -> propeller.agent().getTaskLogs(GetTaskLogsRequest.getDefaultInstance()).hasNext())
        .satisfies(
            e ->
                assertThat(((StatusRuntimeException) e).getStatus().getCode())
                    .isEqualTo(Status.Code.UNIMPLEMENTED))
        .hasMessageContaining("log links");
  }

  @Test
  void aRequestOverTheSizeLimitIsRefusedWithResourceExhausted() throws Exception {
    runtime.syncGate.countDown();
    runtime.createGate.countDown();
    CreateTaskRequest request =
        FakePropeller.createRequest("tasks.Big", AgentHarness.inputs(1), work.resolve("big"), 0);
    CreateTaskRequest big =
        request.toBuilder()
            .setTemplate(
                request.getTemplate().toBuilder().putConfig("padding", "x".repeat(100 * 1024)))
            .build();
    assertThatThrownBy(() -> propeller.agent().createTask(big))
        .satisfies(
            e ->
                assertThat(((StatusRuntimeException) e).getStatus().getCode())
                    .isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
  }
}
