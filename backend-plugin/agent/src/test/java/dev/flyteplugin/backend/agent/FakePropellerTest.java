package dev.flyteplugin.backend.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.google.protobuf.Value;
import dev.flyteplugin.backend.runtime.TaskCategory;
import dev.flyteplugin.backend.runtime.TaskHandle;
import flyteidl.admin.AgentOuterClass.Agent;
import flyteidl.admin.AgentOuterClass.AgentError;
import flyteidl.admin.AgentOuterClass.CreateTaskRequest;
import flyteidl.admin.AgentOuterClass.GetAgentRequest;
import flyteidl.admin.AgentOuterClass.GetTaskLogsRequest;
import flyteidl.admin.AgentOuterClass.GetTaskLogsResponse;
import flyteidl.admin.AgentOuterClass.GetTaskRequest;
import flyteidl.admin.AgentOuterClass.ListAgentsRequest;
import flyteidl.admin.AgentOuterClass.Resource;
import flyteidl.core.Errors.ErrorDocument;
import flyteidl.core.Execution.ExecutionError;
import flyteidl.core.Execution.TaskExecution;
import flyteidl.core.Literals.LiteralMap;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Propeller's call sequences over real gRPC against the real agent, the real Kubernetes runtime and
 * the real Spark plugin, on the fabric8 mock API server with the simulated Spark operator.
 */
class FakePropellerTest {
  @TempDir Path work;
  private AgentHarness harness;
  private FakePropeller propeller;

  @BeforeEach
  void startAgent() throws Exception {
    harness = AgentHarness.start(work);
    propeller = new FakePropeller(harness.port());
  }

  @AfterEach
  void stopAgent() throws Exception {
    propeller.close();
    harness.close();
  }

  @Test
  void listAgentsReportsTheExamplePluginCategorySoPropellerCanRouteIt() {
    Agent agent =
        propeller.metadata().listAgents(ListAgentsRequest.getDefaultInstance()).getAgents(0);
    assertThat(agent.getName()).isEqualTo("flyte-operator-agent");
    assertThat(agent.getIsSync()).isFalse();
    assertThat(agent.getSupportedTaskCategoriesList()).contains(FakePropeller.EXAMPLE_PLUGIN);
    assertThat(
            propeller
                .metadata()
                .getAgent(GetAgentRequest.newBuilder().setName("flyte-operator-agent").build())
                .getAgent())
        .isEqualTo(agent);
    assertThatThrownBy(
            () -> propeller.metadata().getAgent(GetAgentRequest.newBuilder().setName("x").build()))
        .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.NOT_FOUND));
  }

  @Test
  void createThenPollingGetTaskEndsSucceededWithOutputsPbAtTheOutputPrefix() throws Exception {
    Path prefix = work.resolve("run1");
    CreateTaskRequest request =
        FakePropeller.createRequest(
            AgentHarness.SUCCEEDING_TASK, AgentHarness.inputs(20), prefix, 0);

    ByteString meta = propeller.create(request);
    Resource first = propeller.get(meta);
    assertThat(first.getPhase())
        .isIn(
            TaskExecution.Phase.QUEUED,
            TaskExecution.Phase.INITIALIZING,
            TaskExecution.Phase.RUNNING,
            TaskExecution.Phase.SUCCEEDED);
    Resource done = propeller.pollUntilTerminal(meta, Duration.ofSeconds(30));

    assertThat(done.getPhase()).isEqualTo(TaskExecution.Phase.SUCCEEDED);
    assertThat(done.getLogLinksList()).isNotEmpty();
    Path outputsPb = prefix.resolve("outputs.pb");
    assertThat(outputsPb).exists();
    assertThat(AgentHarness.outputOf(LiteralMap.parseFrom(Files.readAllBytes(outputsPb))))
        .isEqualTo(AgentHarness.expectedOutput(20));
  }

  @Test
  void createTaskIsIdempotentPerAttemptSoAPropellerRetryAdoptsTheResource() throws Exception {
    CreateTaskRequest request =
        FakePropeller.createRequest(
            AgentHarness.SLOW_TASK, AgentHarness.inputs(1), work.resolve("idem"), 0);
    ByteString first = propeller.create(request);
    ByteString second = propeller.create(request);
    assertThat(second).isEqualTo(first);
    assertThat(harness.applications()).hasSize(1);
  }

  @Test
  void deleteTaskAbortsTheApplicationAndASecondDeleteStillSucceeds() throws Exception {
    ByteString meta =
        propeller.create(
            FakePropeller.createRequest(
                AgentHarness.SLOW_TASK, AgentHarness.inputs(1), work.resolve("abort"), 0));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> propeller.get(meta).getPhase() == TaskExecution.Phase.RUNNING);

    propeller.delete(meta);
    await().atMost(Duration.ofSeconds(30)).until(() -> harness.applications().isEmpty());
    propeller.delete(meta);

    assertThat(work.resolve("abort").resolve("outputs.pb")).doesNotExist();
  }

  @Test
  void theFirstRunningReportCarriesLogLinksAndCustomInfo() throws Exception {
    ByteString meta =
        propeller.create(
            FakePropeller.createRequest(
                AgentHarness.SLOW_TASK, AgentHarness.inputs(1), work.resolve("links"), 0));
    Resource running =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> propeller.get(meta), r -> r.getPhase() == TaskExecution.Phase.RUNNING);
    assertThat(running.getLogLinksList())
        .anySatisfy(
            link -> {
              assertThat(link.getName()).isEqualTo("Driver logs");
              assertThat(link.getUri())
                  .isEqualTo(
                      "https://logs.example/flytesnacks-development/"
                          + harness.codec().decode(meta.toByteArray()).name()
                          + "-driver");
            });
    assertThat(running.getCustomInfo().getFieldsMap()).containsKey("sparkDriverUI");
  }

  @Test
  void getTaskKeepsAnsweringFromKnownStateWhileTheApiServerFails() throws Exception {
    ByteString meta =
        propeller.create(
            FakePropeller.createRequest(
                AgentHarness.SLOW_TASK, AgentHarness.inputs(1), work.resolve("blip"), 0));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> propeller.get(meta).getPhase() == TaskExecution.Phase.RUNNING);
    TaskHandle handle = harness.codec().decode(meta.toByteArray());
    harness.failApiGetsOf(handle);
    assertThatThrownBy(() -> harness.directGet(handle)).hasMessageContaining("etcd unavailable");

    for (int i = 0; i < 20; i++) {
      assertThat(propeller.get(meta).getPhase()).isEqualTo(TaskExecution.Phase.RUNNING);
    }
  }

  @Test
  void aForgedResourceMetaIsRejectedWithoutAnyKubernetesCall() throws Exception {
    ByteString real =
        propeller.create(
            FakePropeller.createRequest(
                AgentHarness.SLOW_TASK, AgentHarness.inputs(1), work.resolve("victim"), 0));
    TaskHandle victim = harness.codec().decode(real.toByteArray());
    // Running: the simulated operator is idle while the task sleeps, so the API server is quiet.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> propeller.get(real).getPhase() == TaskExecution.Phase.RUNNING);
    byte[] foreignKey = "an attacker's key, not the deployment's".getBytes();
    ByteString forged = ByteString.copyFrom(new ResourceMetaCodec(foreignKey).encode(victim));
    long requestsBefore = harness.apiRequestCount();

    assertThatThrownBy(() -> propeller.delete(forged))
        .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("signature does not verify")
        .hasMessageContaining("HMAC key rotation");
    assertThatThrownBy(() -> propeller.get(forged))
        .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT));

    assertThat(harness.apiRequestCount()).isEqualTo(requestsBefore);
    assertThat(harness.applications())
        .extracting(a -> a.getMetadata().getName())
        .containsExactly(victim.name());
  }

  @Test
  void aMetaOfAnotherTaskCategoryIsRejectedNamingBoth() throws Exception {
    TaskHandle other = new TaskHandle(new TaskCategory("other_plugin", 3), "ns", "x");
    ByteString meta = ByteString.copyFrom(harness.codec().encode(other));
    assertThatThrownBy(() -> propeller.get(meta))
        .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("other_plugin@v3")
        .hasMessageContaining("example_plugin");
  }

  @Test
  void theRestartedAgentStillAnswersForATaskCreatedBeforeTheRestart() throws Exception {
    Path prefix = work.resolve("restart");
    ByteString meta =
        propeller.create(
            FakePropeller.createRequest(
                AgentHarness.SUCCEEDING_TASK, AgentHarness.inputs(5), prefix, 0));
    propeller.close();

    harness.restartAgent();
    propeller = new FakePropeller(harness.port());

    Resource done = propeller.pollUntilTerminal(meta, Duration.ofSeconds(30));
    assertThat(done.getPhase()).isEqualTo(TaskExecution.Phase.SUCCEEDED);
    assertThat(prefix.resolve("outputs.pb")).exists();
  }

  @Test
  void aFailingTaskCompletesWithErrorPbForPropellerToReadAsTheRealDriverWould() throws Exception {
    Path prefix = work.resolve("fail");
    ByteString meta =
        propeller.create(
            FakePropeller.createRequest(
                AgentHarness.FAILING_TASK, AgentHarness.inputs(3), prefix, 0));
    Resource done = propeller.pollUntilTerminal(meta, Duration.ofSeconds(30));

    // jflyte exits normally after writing error.pb, so the Spark application COMPLETES and
    // propeller fails the task with the error document's message.
    assertThat(done.getPhase()).isEqualTo(TaskExecution.Phase.SUCCEEDED);
    assertThat(prefix.resolve("outputs.pb")).doesNotExist();
    ErrorDocument error = ErrorDocument.parseFrom(Files.readAllBytes(prefix.resolve("error.pb")));
    assertThat(error.getError().getMessage()).contains("n must be even, got 3");
    assertThat(error.getError().getOrigin()).isEqualTo(ExecutionError.ErrorKind.USER);
  }

  @Test
  void aDriverThatCannotRunReportsARetryableFailureWithAnAgentError() throws Exception {
    CreateTaskRequest good =
        FakePropeller.createRequest(
            AgentHarness.SUCCEEDING_TASK, AgentHarness.inputs(1), work.resolve("noargs"), 0);
    CreateTaskRequest badArgs =
        good.toBuilder()
            .setTemplate(
                good.getTemplate().toBuilder()
                    .setContainer(
                        good.getTemplate().getContainer().toBuilder()
                            .clearArgs()
                            .addArgs("not-jflyte")))
            .build();
    ByteString meta = propeller.create(badArgs);
    Resource done = propeller.pollUntilTerminal(meta, Duration.ofSeconds(30));

    assertThat(done.getPhase()).isEqualTo(TaskExecution.Phase.RETRYABLE_FAILED);
    assertThat(done.getMessage()).contains("execute");
    assertThat(done.getAgentError().getKind()).isEqualTo(AgentError.Kind.RECOVERABLE);
    assertThat(done.getAgentError().getCode()).isNotEmpty();
    // propeller's Get path drops agent_error: the reason must be in the message
    assertThat(done.getMessage()).startsWith("[" + done.getAgentError().getCode() + "] ");
  }

  @Test
  void forFlyteBefore116ARetryableFailureIsReportedFailedAndSaysItWasRetryable() throws Exception {
    FlyteRelease old = new FlyteRelease(1, 15, 1);
    try (AgentHarness agent = AgentHarness.start(work.resolve("old"), old, r -> r);
        FakePropeller oldPropeller = new FakePropeller(agent.port(), old, Duration.ofMillis(20))) {
      ByteString meta = oldPropeller.create(badArgs(work.resolve("old-noargs")));
      Resource done = oldPropeller.pollUntilTerminal(meta, Duration.ofSeconds(30));

      assertThat(done.getPhase()).isEqualTo(TaskExecution.Phase.FAILED);
      assertThat(done.getMessage())
          .startsWith("[" + done.getAgentError().getCode() + "] retryable failure")
          .contains("before 1.16.0")
          .contains("execute");
      assertThat(oldPropeller.getTaskErrors()).isEmpty();
    }
  }

  @Test
  void propellerBefore116WouldChokeOnAnAgentConfiguredFor116() throws Exception {
    // The check the setting exists for: this agent (min release 1.16) answers RETRYABLE_FAILED.
    FakePropeller oldPropeller =
        new FakePropeller(harness.port(), new FlyteRelease(1, 15, 3), Duration.ofMillis(20));
    try (oldPropeller) {
      ByteString meta = oldPropeller.create(badArgs(work.resolve("choke")));
      assertThatThrownBy(() -> oldPropeller.pollUntilTerminal(meta, Duration.ofSeconds(30)))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("does not know RETRYABLE_FAILED");
    }
  }

  @Test
  void aTaskPolledAsPropellerDoesFromCreateToSuccessCostsNoGetTaskError() throws Exception {
    Path prefix = work.resolve("noerrors");
    ByteString meta =
        propeller.create(
            FakePropeller.createRequest(
                AgentHarness.SUCCEEDING_TASK, AgentHarness.inputs(4), prefix, 0));
    Resource done = propeller.pollUntilTerminal(meta, Duration.ofSeconds(30));
    assertThat(done.getPhase()).isEqualTo(TaskExecution.Phase.SUCCEEDED);
    assertThat(propeller.getTaskErrors()).isEmpty();
  }

  @Test
  void aResourceDeletedBehindTheAgentsBackFailsWithTheReasonInTheMessage() throws Exception {
    ByteString meta =
        propeller.create(
            FakePropeller.createRequest(
                AgentHarness.SLOW_TASK, AgentHarness.inputs(1), work.resolve("gone"), 0));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> propeller.get(meta).getPhase() == TaskExecution.Phase.RUNNING);
    TaskHandle handle = harness.codec().decode(meta.toByteArray());
    harness.deleteDirectly(handle);

    Resource done = propeller.pollUntilTerminal(meta, Duration.ofSeconds(30));
    assertThat(done.getPhase()).isEqualTo(TaskExecution.Phase.RETRYABLE_FAILED);
    assertThat(done.getMessage()).startsWith("[ResourceDeletedExternally] ");
    assertThat(propeller.getTaskErrors()).isEmpty();
  }

  @Test
  void theRealRuntimeIsToldOnceASuccessHasReachedPropeller() throws Exception {
    RecordingRuntime[] recording = new RecordingRuntime[1];
    try (AgentHarness agent =
            AgentHarness.start(
                work.resolve("reported"),
                FlyteRelease.RETRYABLE_FAILED_PHASE,
                real -> recording[0] = new RecordingRuntime(real));
        FakePropeller client = new FakePropeller(agent.port())) {
      ByteString meta =
          client.create(
              FakePropeller.createRequest(
                  AgentHarness.SUCCEEDING_TASK, AgentHarness.inputs(3), work.resolve("rep"), 0));
      TaskHandle handle = agent.codec().decode(meta.toByteArray());
      assertThat(client.pollUntilTerminal(meta, Duration.ofSeconds(30)).getPhase())
          .isEqualTo(TaskExecution.Phase.SUCCEEDED);

      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> !recording[0].calls("markReported").isEmpty());
      assertThat(recording[0].calls("markReported"))
          .extracting(RecordingRuntime.Call::argument)
          .containsOnly(handle);
      assertThat(recording[0].calls("create").get(0).deadline().orElseThrow().at()).isPresent();
    }
  }

  private static CreateTaskRequest badArgs(Path prefix) throws Exception {
    CreateTaskRequest good =
        FakePropeller.createRequest(
            AgentHarness.SUCCEEDING_TASK, AgentHarness.inputs(1), prefix, 0);
    return good.toBuilder()
        .setTemplate(
            good.getTemplate().toBuilder()
                .setContainer(
                    good.getTemplate().getContainer().toBuilder()
                        .clearArgs()
                        .addArgs("not-jflyte")))
        .build();
  }

  @Test
  void malformedRequestsAreInvalidArgumentNamingTheField() throws Exception {
    CreateTaskRequest good =
        FakePropeller.createRequest(
            AgentHarness.SUCCEEDING_TASK, AgentHarness.inputs(1), work.resolve("bad"), 0);
    assertThatThrownBy(() -> propeller.create(good.toBuilder().clearOutputPrefix().build()))
        .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("output_prefix");
    assertThatThrownBy(() -> propeller.create(good.toBuilder().clearTemplate().build()))
        .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("template");
    assertThatThrownBy(() -> propeller.get(ByteString.EMPTY))
        .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("resource_meta is empty");
    assertThatThrownBy(
            () ->
                propeller
                    .agent()
                    .getTask(
                        GetTaskRequest.newBuilder()
                            .setResourceMeta(ByteString.copyFromUtf8("not a meta"))
                            .build()))
        .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("resource_meta");
  }

  @Test
  void anInvalidPluginConfigIsAPermanentFailureNamingTheConfigField() throws Exception {
    CreateTaskRequest good =
        FakePropeller.createRequest(
            AgentHarness.SUCCEEDING_TASK, AgentHarness.inputs(1), work.resolve("badcfg"), 0);
    CreateTaskRequest bad =
        good.toBuilder()
            .setTemplate(
                good.getTemplate().toBuilder()
                    .setCustom(
                        good.getTemplate().getCustom().toBuilder()
                            .putFields(
                                "sparkVersion",
                                Value.newBuilder().setStringValue("not-a-version").build())))
            .build();

    // Accepted (an error here would be a retryable failure in propeller), then FAILED for good.
    ByteString meta = propeller.create(bad);
    Resource resource = propeller.get(meta);

    assertThat(resource.getPhase()).isEqualTo(TaskExecution.Phase.FAILED);
    assertThat(resource.getMessage()).contains("sparkVersion").contains("not-a-version");
    assertThat(resource.getAgentError().getKind()).isEqualTo(AgentError.Kind.NON_RECOVERABLE);
    assertThat(resource.getAgentError().getOrigin())
        .isEqualTo(flyteidl.core.Execution.ExecutionError.ErrorKind.USER);
    assertThat(harness.applications()).isEmpty();
    propeller.delete(meta); // nothing to delete, and that is fine
    assertThat(meta.size()).isLessThan(ResourceMetaCodec.MAX_REJECTION_BYTES + 100);
  }

  @Test
  void anUnknownTaskTypeIsNotFoundListingTheServedTypes() throws Exception {
    CreateTaskRequest good =
        FakePropeller.createRequest(
            AgentHarness.SUCCEEDING_TASK, AgentHarness.inputs(1), work.resolve("unknown"), 0);
    CreateTaskRequest unknown =
        good.toBuilder().setTemplate(good.getTemplate().toBuilder().setType("spark")).build();
    assertThatThrownBy(() -> propeller.create(unknown))
        .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.NOT_FOUND))
        .hasMessageContaining("spark@v0")
        .hasMessageContaining("example_plugin@v0");
  }

  @Test
  void getTaskLogsStreamsTheDriverPodsLogAfterVerifyingTheMeta() throws Exception {
    ByteString meta =
        propeller.create(
            FakePropeller.createRequest(
                AgentHarness.SLOW_TASK, AgentHarness.inputs(1), work.resolve("logs"), 0));
    TaskHandle handle = harness.codec().decode(meta.toByteArray());
    harness.serveDriverLog(handle, 2, "starting driver\nrunning task\n");

    List<GetTaskLogsResponse> parts = new ArrayList<>();
    propeller
        .agent()
        .getTaskLogs(
            GetTaskLogsRequest.newBuilder()
                .setResourceMeta(meta)
                .setTaskCategory(FakePropeller.EXAMPLE_PLUGIN)
                .setLines(2)
                .build())
        .forEachRemaining(parts::add);

    assertThat(parts.get(0).hasHeader()).isTrue();
    assertThat(parts.get(1).getBody().getStructuredLinesList())
        .extracting(line -> line.getMessage())
        .containsExactly("starting driver", "running task");

    ByteString forged = ByteString.copyFrom(new ResourceMetaCodec(new byte[32]).encode(handle));
    assertThatThrownBy(
            () ->
                propeller
                    .agent()
                    .getTaskLogs(GetTaskLogsRequest.newBuilder().setResourceMeta(forged).build())
                    .hasNext())
        .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT));
  }

  @Test
  void metricsEndpointCountsRequestsWithThePythonConnectorNames() throws Exception {
    propeller.create(
        FakePropeller.createRequest(
            AgentHarness.SLOW_TASK, AgentHarness.inputs(1), work.resolve("metrics"), 0));
    assertThatThrownBy(() -> propeller.get(ByteString.EMPTY)).isNotNull();

    HttpResponse<String> scrape =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://localhost:" + harness.metricsPort() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(scrape.body())
        .contains(
            "flyte_connector_requests_success_total{operation=\"create\",task_type=\"example_plugin\"} 1")
        .contains(
            "flyte_connector_requests_failure_total{error_code=\"INVALID_ARGUMENT\",operation=\"get\",task_type=\"example_plugin\"} 1")
        .contains("flyte_connector_request_latency_seconds_bucket");
  }

  private static Status.Code code(Throwable e) {
    return ((StatusRuntimeException) e).getStatus().getCode();
  }
}
