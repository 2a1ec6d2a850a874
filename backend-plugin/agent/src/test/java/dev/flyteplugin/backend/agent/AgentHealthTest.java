package dev.flyteplugin.backend.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flyteplugin.backend.runtime.RuntimeHealth;
import flyteidl.service.AsyncAgentServiceGrpc;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Readiness and metrics follow the runtime's watch health. */
class AgentHealthTest {
  private final RecordingRuntime runtime = new RecordingRuntime();
  private AgentServer server;
  private FakePropeller propeller;

  private Duration watchLossGrace = Duration.ZERO;

  @BeforeEach
  void start() throws Exception {
    startServer();
  }

  private void startServer() throws Exception {
    runtime.health = new RuntimeHealth(false, false, 0);
    server =
        AgentServer.start(
            new AgentServer.Settings(
                    0,
                    0,
                    "flyte-operator-agent",
                    1 << 20,
                    Optional.empty(),
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(10))
                .withHealthInterval(Duration.ofMillis(20))
                .withWatchLossGrace(watchLossGrace),
            runtime,
            new ResourceMetaCodec("0123456789abcdef0123456789abcdef".getBytes()),
            new PrometheusRegistry());
    propeller = new FakePropeller(server.port());
  }

  @AfterEach
  void stop() throws Exception {
    propeller.close();
    server.close();
  }

  @Test
  void aWatchOutageShorterThanTheGraceKeepsTheAgentReady() throws Exception {
    // An unready agent makes propeller's GetTask fail (5 failures and a task is given up), while
    // GetTask still answers right during an outage: only a long outage makes it NOT_SERVING.
    propeller.close();
    server.close();
    watchLossGrace = Duration.ofMillis(800);
    startServer();
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(propeller.channel());
    HealthCheckRequest overall = HealthCheckRequest.getDefaultInstance();
    runtime.health = new RuntimeHealth(true, true, 0);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> health.check(overall).getStatus() == ServingStatus.SERVING);

    runtime.health = new RuntimeHealth(true, false, 1);
    long brokenAt = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> health.check(overall).getStatus() == ServingStatus.NOT_SERVING);
    assertThat(Duration.ofNanos(System.nanoTime() - brokenAt))
        .isGreaterThanOrEqualTo(Duration.ofMillis(800));
  }

  @Test
  void aStartingAgentTurnsServingAsSoonAsTheRuntimeSyncsWhateverTheHealthInterval()
      throws Exception {
    propeller.close();
    server.close();
    runtime.health = new RuntimeHealth(false, false, 0);
    server =
        AgentServer.start(
            new AgentServer.Settings(
                    0,
                    0,
                    "flyte-operator-agent",
                    1 << 20,
                    Optional.empty(),
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(10))
                .withHealthInterval(Duration.ofHours(1)),
            runtime,
            new ResourceMetaCodec("0123456789abcdef0123456789abcdef".getBytes()),
            new PrometheusRegistry());
    propeller = new FakePropeller(server.port());
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(propeller.channel());
    Thread.sleep(200); // the watcher has looked at least once: not synced yet
    assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(ServingStatus.NOT_SERVING);

    runtime.health = new RuntimeHealth(true, true, 0);

    // with the hourly interval alone, this would take an hour
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                health.check(HealthCheckRequest.getDefaultInstance()).getStatus()
                    == ServingStatus.SERVING);
  }

  @Test
  void readinessIsServingOnlyWhileSyncedAndWatchingAndLivenessStaysServing() {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(propeller.channel());
    HealthCheckRequest overall = HealthCheckRequest.getDefaultInstance();
    HealthCheckRequest agentService =
        HealthCheckRequest.newBuilder().setService(AsyncAgentServiceGrpc.SERVICE_NAME).build();
    HealthCheckRequest liveness =
        HealthCheckRequest.newBuilder().setService(AgentServer.LIVENESS_SERVICE).build();

    assertThat(health.check(overall).getStatus()).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(health.check(liveness).getStatus()).isEqualTo(ServingStatus.SERVING);

    runtime.health = new RuntimeHealth(true, true, 0);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> health.check(overall).getStatus() == ServingStatus.SERVING);
    assertThat(health.check(agentService).getStatus()).isEqualTo(ServingStatus.SERVING);

    runtime.health = new RuntimeHealth(true, false, 1); // the watch broke: the cache stops moving
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> health.check(overall).getStatus() == ServingStatus.NOT_SERVING);
    assertThat(health.check(agentService).getStatus()).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(health.check(liveness).getStatus()).isEqualTo(ServingStatus.SERVING);

    runtime.health = new RuntimeHealth(true, true, 1);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> health.check(overall).getStatus() == ServingStatus.SERVING);
  }

  @Test
  void metricsExposeTheInformersSyncWatchAndRestarts() throws Exception {
    runtime.health = new RuntimeHealth(true, false, 3);
    String scrape = scrape();
    assertThat(scrape)
        .contains("flyte_agent_informer_synced 1.0")
        .contains("flyte_agent_informer_watching 0.0")
        .contains("flyte_agent_informer_watch_restarts_total 3.0");

    runtime.health = new RuntimeHealth(true, true, 4);
    assertThat(scrape())
        .contains("flyte_agent_informer_watching 1.0")
        .contains("flyte_agent_informer_watch_restarts_total 4.0");
  }

  private String scrape() throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://localhost:" + server.metricsPort() + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
