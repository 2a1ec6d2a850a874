package dev.flyteplugin.backend.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.google.protobuf.Struct;
import dev.flyteplugin.backend.runtime.Deadline;
import dev.flyteplugin.backend.runtime.TaskCreationException;
import dev.flyteplugin.backend.runtime.TaskHandle;
import dev.flyteplugin.backend.runtime.TaskStatus;
import flyteidl.admin.AgentOuterClass.CreateTaskRequest;
import flyteidl.admin.AgentOuterClass.Resource;
import flyteidl.core.Execution.TaskExecution;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's side of the runtime contract, over real gRPC on loopback with a recording runtime:
 * the caller's deadline reaches the runtime, a gone caller starts nothing, GetTask answers from the
 * cache on the transport thread or offloads a cache miss, a terminal answer is marked reported.
 */
class AgentCallSemanticsTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
  private static final String EXECUTOR_THREAD = "blocking-executor";
  private static final TaskHandle HANDLE =
      new TaskHandle(RecordingRuntime.EXAMPLE, "flytesnacks-development", "fabc-n0-0");

  @TempDir Path work;
  private final RecordingRuntime runtime = new RecordingRuntime();
  private final ResourceMetaCodec codec = new ResourceMetaCodec(KEY);
  private ExecutorService executor;
  private Server server;
  private FakePropeller propeller;

  @BeforeEach
  void start() throws Exception {
    // One worker: a slow call holds it, so the next one waits in the queue.
    executor = Executors.newSingleThreadExecutor(r -> new Thread(r, EXECUTOR_THREAD));
    server =
        AgentServer.addServices(
                NettyServerBuilder.forAddress(new InetSocketAddress("localhost", 0)),
                "flyte-operator-agent",
                runtime,
                codec,
                new AgentMetrics(new PrometheusRegistry()),
                executor,
                Optional.empty(),
                FlyteRelease.RETRYABLE_FAILED_PHASE,
                AgentServer.Settings.DEFAULT_MAX_LOG_BYTES,
                false)
            .directExecutor()
            .build()
            .start();
    propeller = new FakePropeller(server.getPort());
  }

  @AfterEach
  void stop() throws Exception {
    propeller.close();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    executor.shutdownNow();
  }

  private CreateTaskRequest request(String name) throws Exception {
    return FakePropeller.createRequest(
        AgentHarness.SUCCEEDING_TASK, AgentHarness.inputs(1), work.resolve(name), 0);
  }

  @Test
  void createTaskHandsTheCallersDeadlineToTheRuntimeAndItSeesTheCallerGo() throws Exception {
    CountDownLatch sawCancel = new CountDownLatch(1);
    runtime.create =
        (request, deadline) -> {
          // A slow API server: wait until the caller is gone, as the real runtime's retries do.
          long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
          while (!deadline.isOver(Clock.systemUTC()) && System.nanoTime() < until) {
            sleep(10);
          }
          // gRPC cancels the server's context a moment after the deadline's instant (later on a
          // loaded machine): give that signal up to 2 s to arrive
          long signal = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
          while (!deadline.cancelled().getAsBoolean() && System.nanoTime() < signal) {
            sleep(10);
          }
          if (deadline.cancelled().getAsBoolean()) {
            sawCancel.countDown();
          }
          throw new TaskCreationException(
              TaskCreationException.Kind.TRANSIENT, "gave up: the caller is gone");
        };
    Instant sent = Instant.now();

    assertThatThrownBy(
            () ->
                propeller
                    .agent()
                    .withDeadlineAfter(400, TimeUnit.MILLISECONDS)
                    .createTask(request("slow")))
        .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

    assertThat(sawCancel.await(5, TimeUnit.SECONDS)).as("runtime saw the call cancelled").isTrue();
    RecordingRuntime.Call call = runtime.calls("create").get(0);
    Instant at = call.deadline().orElseThrow().at().orElseThrow();
    assertThat(Duration.between(sent, at)).isBetween(Duration.ZERO, Duration.ofMillis(450));
    assertThat(call.thread()).isEqualTo(EXECUTOR_THREAD);
  }

  @Test
  void aCreateTaskWhoseCallerLeftWhileItWaitedInTheQueueIsNeverStarted() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch firstEntered = new CountDownLatch(1);
    runtime.create =
        (request, deadline) -> {
          firstEntered.countDown();
          awaitOpen(release);
          return HANDLE;
        };
    CreateTaskRequest firstRequest = request("first");
    CompletableFuture<ByteString> first =
        CompletableFuture.supplyAsync(() -> uncheckedCreate(firstRequest, 30_000));
    assertThat(firstEntered.await(10, TimeUnit.SECONDS)).isTrue();

    // The only worker is busy: one call waits in the queue past its deadline, another is
    // cancelled by its caller while queued.
    CreateTaskRequest cancelledRequest = request("cancelled");
    var cancelled =
        flyteidl.service.AsyncAgentServiceGrpc.newFutureStub(propeller.channel())
            .createTask(cancelledRequest);
    CreateTaskRequest queued = request("queued");
    assertThatThrownBy(() -> uncheckedCreate(queued, 300))
        .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    assertThat(cancelled.cancel(true)).isTrue();
    Thread.sleep(100); // the cancellation reaches the server
    release.countDown();

    assertThat(codec.decode(first.get(10, TimeUnit.SECONDS).toByteArray())).isEqualTo(HANDLE);
    executor.submit(() -> {}).get(10, TimeUnit.SECONDS); // the queued tasks have run by now
    assertThat(runtime.calls("create")).hasSize(1);
    assertThat(runtime.calls("create").get(0).argument().toString())
        .doesNotContain(queued.getOutputPrefix())
        .doesNotContain(cancelledRequest.getOutputPrefix());
  }

  @Test
  void deleteTaskHandsTheCallersDeadlineToTheRuntime() {
    Instant sent = Instant.now();
    propeller
        .agent()
        .withDeadlineAfter(3, TimeUnit.SECONDS)
        .deleteTask(
            flyteidl.admin.AgentOuterClass.DeleteTaskRequest.newBuilder()
                .setTaskCategory(FakePropeller.EXAMPLE_PLUGIN)
                .setResourceMeta(ByteString.copyFrom(codec.encode(HANDLE)))
                .build());
    RecordingRuntime.Call abort = runtime.calls("abort").get(0);
    assertThat(abort.argument()).isEqualTo(HANDLE);
    Deadline deadline = abort.deadline().orElseThrow();
    assertThat(Duration.between(sent, deadline.at().orElseThrow()))
        .isBetween(Duration.ofMillis(2000), Duration.ofMillis(3100));
    // the call is over now; gRPC cancels the server's context just after the client has the
    // answer, so this may take a moment
    await().atMost(Duration.ofSeconds(2)).until(() -> deadline.cancelled().getAsBoolean());
  }

  @Test
  void getTaskAnswersFromTheCacheOnTheTransportThreadWithoutCallingStatus() {
    runtime.cachedStatus = h -> Optional.of(status(TaskExecution.Phase.RUNNING));
    runtime.status =
        h -> {
          throw new AssertionError("status() must not be called when the cache answers");
        };
    Resource resource = propeller.get(ByteString.copyFrom(codec.encode(HANDLE)));

    assertThat(resource.getPhase()).isEqualTo(TaskExecution.Phase.RUNNING);
    assertThat(runtime.calls("cachedStatus").get(0).thread()).isNotEqualTo(EXECUTOR_THREAD);
    assertThat(runtime.calls("status")).isEmpty();
  }

  @Test
  void onACacheMissGetTaskRunsStatusOnTheExecutorAndStillAnswers() {
    runtime.cachedStatus = h -> Optional.empty();
    runtime.status =
        h -> {
          sleep(200); // reading the API server directly
          return status(TaskExecution.Phase.QUEUED);
        };
    Resource resource = propeller.get(ByteString.copyFrom(codec.encode(HANDLE)));

    assertThat(resource.getPhase()).isEqualTo(TaskExecution.Phase.QUEUED);
    assertThat(runtime.calls("status").get(0).thread()).isEqualTo(EXECUTOR_THREAD);
  }

  @Test
  void aTerminalAnswerIsMarkedReportedOnceItLeftAndARunningOneIsNot() throws Exception {
    ByteString meta = ByteString.copyFrom(codec.encode(HANDLE));
    runtime.cachedStatus = h -> Optional.of(status(TaskExecution.Phase.RUNNING));
    propeller.get(meta);
    runtime.cachedStatus = h -> Optional.empty();
    runtime.status = h -> status(TaskExecution.Phase.SUCCEEDED);

    assertThat(propeller.pollUntilTerminal(meta, Duration.ofSeconds(10)).getPhase())
        .isEqualTo(TaskExecution.Phase.SUCCEEDED);

    await().atMost(Duration.ofSeconds(5)).until(() -> runtime.calls("markReported").size() == 1);
    assertThat(runtime.calls("markReported").get(0).argument()).isEqualTo(HANDLE);
  }

  @Test
  void aRejectedTaskIsNotMarkedReported() throws Exception {
    runtime.create =
        (request, deadline) -> {
          throw new TaskCreationException(
              TaskCreationException.Kind.INVALID_TASK, "spec.sparkVersion: not a version");
        };
    ByteString meta = propeller.create(request("rejected"));
    Resource resource = propeller.pollUntilTerminal(meta, Duration.ofSeconds(10));

    assertThat(resource.getPhase()).isEqualTo(TaskExecution.Phase.FAILED);
    assertThat(resource.getMessage()).startsWith("[InvalidTask]");
    Thread.sleep(200); // the close handler would have run by now
    assertThat(runtime.calls("markReported")).isEmpty();
  }

  @Test
  void fakePropellerFailsTheTestWhereRealPropellerWouldStopPolling() {
    runtime.cachedStatus =
        h -> {
          throw new IllegalStateException("cache exploded");
        };
    ByteString meta = ByteString.copyFrom(codec.encode(HANDLE));

    assertThatThrownBy(() -> propeller.pollUntilTerminal(meta, Duration.ofSeconds(10)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("would have stopped polling")
        .hasMessageContaining("SyncFailureCount 6");
    assertThat(propeller.getTaskErrors()).hasSize(6);
  }

  private ByteString uncheckedCreate(CreateTaskRequest request, long deadlineMillis) {
    return propeller
        .agent()
        .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
        .createTask(request)
        .getResourceMeta();
  }

  static TaskStatus status(TaskExecution.Phase phase) {
    return new TaskStatus(phase, "", "", List.of(), Struct.getDefaultInstance(), Optional.empty());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitOpen(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Status.Code code(Throwable e) {
    return ((StatusRuntimeException) e).getStatus().getCode();
  }
}
