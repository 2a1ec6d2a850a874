package dev.flyteplugin.backend.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpServer;
import dev.flyteplugin.backend.runtime.TaskHandle;
import flyteidl.admin.AgentOuterClass.GetTaskLogsRequest;
import flyteidl.admin.AgentOuterClass.GetTaskLogsResponse;
import flyteidl.admin.AgentOuterClass.LogLine;
import flyteidl.service.AsyncAgentServiceGrpc;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * GetTaskLogs of a 100 MB driver log: an HTTP server answering the Kubernetes {@code pods/log} path
 * streams 100 MB (generated, never held in memory, ignoring {@code limitBytes} as a misbehaving
 * server might); the agent reads at most its cap, closes the stream, and says so in the last
 * message. Memory is measured as the bytes the agent's worker thread allocated.
 */
class AgentLogBoundsTest {
  private static final long LOG_BYTES = 100L << 20;
  private static final long CAP = 1L << 20;
  private static final byte[] LINE =
      "2026-12-02 04:00:00 INFO executor 1: task 42 finished, 1024 records in 3 ms ....\n"
          .getBytes(StandardCharsets.UTF_8);

  private HttpServer api;
  private final AtomicLong served = new AtomicLong();
  private KubernetesClient client;
  private ExecutorService worker;
  private Server agent;
  private final ResourceMetaCodec codec = new ResourceMetaCodec(new byte[32]);

  @BeforeEach
  void start() throws Exception {
    api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    api.createContext(
        "/",
        exchange -> {
          String path = exchange.getRequestURI().getPath();
          if (!path.endsWith("/log")) {
            byte[] pod =
                ("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"app-driver\","
                        + "\"namespace\":\"ns\"},\"status\":{\"phase\":\"Running\"}}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, pod.length);
            exchange.getResponseBody().write(pod);
            exchange.close();
            return;
          }
          exchange.sendResponseHeaders(200, 0); // chunked: streamed as written
          try (OutputStream out = exchange.getResponseBody()) {
            for (long sent = 0; sent < LOG_BYTES; sent += LINE.length) {
              out.write(LINE);
              served.addAndGet(LINE.length);
            }
          } catch (IOException closedByTheAgent) {
            // expected: the agent stops reading at its cap
          }
        });
    api.start();
    Config config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl("http://127.0.0.1:" + api.getAddress().getPort())
            .withNamespace("ns")
            .withRequestRetryBackoffLimit(0)
            .build();
    client = new KubernetesClientBuilder().withConfig(config).build();
    worker = Executors.newSingleThreadExecutor(r -> new Thread(r, "logs-worker"));
    agent =
        AgentServer.addServices(
                NettyServerBuilder.forAddress(new InetSocketAddress("localhost", 0)),
                "flyte-operator-agent",
                new RecordingRuntime(),
                codec,
                new AgentMetrics(new PrometheusRegistry()),
                worker,
                Optional.of(PodLogs.of(client)),
                FlyteRelease.RETRYABLE_FAILED_PHASE,
                CAP,
                false)
            .directExecutor()
            .build()
            .start();
  }

  @AfterEach
  void stop() throws Exception {
    agent.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    worker.shutdownNow();
    client.close();
    api.stop(0);
  }

  @Test
  void aHundredMegabyteDriverLogIsCutAtTheCapWithBoundedMemoryAndTheCapStated() throws Exception {
    long workerThread = worker.submit(() -> Thread.currentThread().getId()).get();
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long allocatedBefore = threads.getThreadAllocatedBytes(workerThread);

    ByteString meta =
        ByteString.copyFrom(codec.encode(new TaskHandle(RecordingRuntime.EXAMPLE, "ns", "app")));
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("localhost", agent.getPort()).usePlaintext().build();
    List<GetTaskLogsResponse> parts = new ArrayList<>();
    try {
      Iterator<GetTaskLogsResponse> answer =
          AsyncAgentServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(60, TimeUnit.SECONDS)
              .getTaskLogs(
                  GetTaskLogsRequest.newBuilder()
                      .setResourceMeta(meta)
                      .setTaskCategory(FakePropeller.EXAMPLE_PLUGIN)
                      .build());
      answer.forEachRemaining(parts::add);
    } finally {
      channel.shutdownNow();
    }
    long allocated = threads.getThreadAllocatedBytes(workerThread) - allocatedBefore;

    assertThat(parts.get(0).hasHeader()).isTrue();
    List<String> lines =
        parts.stream()
            .skip(1)
            .flatMap(p -> p.getBody().getStructuredLinesList().stream())
            .map(LogLine::getMessage)
            .toList();
    String last = lines.get(lines.size() - 1);
    assertThat(last).contains("log cut at " + CAP + " bytes").contains("--max-log-bytes");
    long logBytes =
        lines.subList(0, lines.size() - 1).stream()
            .mapToLong(l -> l.getBytes(StandardCharsets.UTF_8).length + 1)
            .sum();
    assertThat(logBytes).isBetween(CAP - LINE.length, CAP + 1);
    assertThat(parts.size()).as("bodies of <= 500 lines / 64 KiB").isGreaterThan(2);
    for (GetTaskLogsResponse part : parts) {
      assertThat(part.getSerializedSize()).isLessThan(3 * LogStreamer.BODY_BYTES);
    }
    System.out.printf(
        "GetTaskLogs of a %d MB log: %d bytes of log returned in %d messages, the API server"
            + " wrote %d bytes before the agent closed the stream, the worker thread allocated"
            + " %d bytes%n",
        LOG_BYTES >> 20, logBytes, parts.size(), served.get(), allocated);
    assertThat(allocated).as("allocated by the worker thread").isLessThan(32L << 20);
    // The agent closed the stream: the server could not send the whole log.
    Thread.sleep(500);
    assertThat(served.get()).isLessThan(LOG_BYTES / 2);
  }

  @Test
  void aCallerThatDoesNotReadHoldsTheAgentBackInsteadOfFillingItsHeap() throws Exception {
    long bigCap = 64L << 20;
    Server greedy =
        AgentServer.addServices(
                NettyServerBuilder.forAddress(new InetSocketAddress("localhost", 0)),
                "flyte-operator-agent",
                new RecordingRuntime(),
                codec,
                new AgentMetrics(new PrometheusRegistry()),
                worker,
                Optional.of(PodLogs.of(client)),
                FlyteRelease.RETRYABLE_FAILED_PHASE,
                bigCap,
                false)
            .directExecutor()
            .build()
            .start();
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("localhost", greedy.getPort()).usePlaintext().build();
    try {
      ByteString meta =
          ByteString.copyFrom(codec.encode(new TaskHandle(RecordingRuntime.EXAMPLE, "ns", "app")));
      io.grpc.ClientCall<GetTaskLogsRequest, GetTaskLogsResponse> call =
          channel.newCall(
              AsyncAgentServiceGrpc.getGetTaskLogsMethod(), io.grpc.CallOptions.DEFAULT);
      java.util.concurrent.atomic.AtomicInteger received =
          new java.util.concurrent.atomic.AtomicInteger();
      call.start(
          new io.grpc.ClientCall.Listener<>() {
            @Override
            public void onMessage(GetTaskLogsResponse message) {
              received.incrementAndGet(); // and asks for nothing more
            }
          },
          new io.grpc.Metadata());
      call.sendMessage(
          GetTaskLogsRequest.newBuilder()
              .setResourceMeta(meta)
              .setTaskCategory(FakePropeller.EXAMPLE_PLUGIN)
              .build());
      call.halfClose();
      call.request(2); // the header and one body, then the caller stops reading
      Thread.sleep(3000);
      long readByAgent = served.get();
      System.out.printf(
          "GetTaskLogs to a caller that stopped reading: %d messages taken, the API server could"
              + " write %d bytes in 3 s (cap %d)%n",
          received.get(), readByAgent, bigCap);
      assertThat(received.get()).isEqualTo(2);
      // Flow control: the agent stops reading the log when the caller stops reading, far below
      // its cap (transport windows and socket buffers are a few MB).
      assertThat(readByAgent).isLessThan(bigCap / 4);
      call.cancel("test done", null);
    } finally {
      channel.shutdownNow();
      greedy.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
