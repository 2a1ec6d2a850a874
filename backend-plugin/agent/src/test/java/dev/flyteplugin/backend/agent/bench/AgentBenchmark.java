package dev.flyteplugin.backend.agent.bench;

import com.google.protobuf.ByteString;
import dev.flyteplugin.backend.agent.AgentMetrics;
import dev.flyteplugin.backend.agent.AgentServer;
import dev.flyteplugin.backend.agent.AsyncAgentService;
import dev.flyteplugin.backend.agent.ResourceMetaCodec;
import dev.flyteplugin.backend.runtime.KubernetesTaskRuntime;
import dev.flyteplugin.backend.runtime.PluginRegistry;
import dev.flyteplugin.backend.runtime.RuntimeConfig;
import dev.flyteplugin.backend.runtime.TaskHandle;
import dev.flyteplugin.backend.spark.SparkOperatorPlugin;
import dev.flyteplugin.backend.spark.SparkPluginConfig;
import dev.flyteplugin.backend.testing.EmbeddedCluster;
import dev.flyteplugin.backend.testing.EmbeddedKubernetes;
import dev.flyteplugin.proto.example.ExamplePlugin;
import dev.flyteplugin.proto.example.v1.DriverSpec;
import dev.flyteplugin.proto.example.v1.ExecutorSpec;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;
import flyteidl.admin.AgentOuterClass.CreateTaskRequest;
import flyteidl.admin.AgentOuterClass.GetTaskRequest;
import flyteidl.admin.AgentOuterClass.GetTaskResponse;
import flyteidl.admin.AgentOuterClass.TaskCategory;
import flyteidl.admin.AgentOuterClass.TaskExecutionMetadata;
import flyteidl.core.IdentifierOuterClass.Identifier;
import flyteidl.core.IdentifierOuterClass.NodeExecutionIdentifier;
import flyteidl.core.IdentifierOuterClass.ResourceType;
import flyteidl.core.IdentifierOuterClass.TaskExecutionIdentifier;
import flyteidl.core.IdentifierOuterClass.WorkflowExecutionIdentifier;
import flyteidl.core.Literals.LiteralMap;
import flyteidl.core.Tasks.Container;
import flyteidl.core.Tasks.TaskTemplate;
import flyteidl.service.AsyncAgentServiceGrpc;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Prints the agent's figures against the fabric8 mock API server (in this JVM): GetTask latency
 * over real loopback gRPC at 1,000 and 10,000 tasks in flight versus a direct API GET of the same
 * resources, heap per task tracked by a runtime, and CreateTask throughput versus a raw fabric8
 * create. A harness, not a test: run it with
 *
 * <pre>mvn -B -ntp -pl backend-plugin/agent -Pbench test-compile exec:java</pre>
 */
public final class AgentBenchmark {
  private static final TaskCategory CATEGORY =
      TaskCategory.newBuilder()
          .setName(ExamplePlugin.TASK_TYPE)
          .setVersion(ExamplePlugin.TASK_TYPE_VERSION)
          .build();
  private static final String NAMESPACE = "bench";
  private static final int CREATE_THREADS = 4;

  private final SparkOperatorPlugin plugin = new SparkOperatorPlugin(SparkPluginConfig.defaults());
  private EmbeddedKubernetes kubernetes;
  private final ResourceMetaCodec codec = new ResourceMetaCodec(new byte[32]);
  private final List<ByteString> metas = new ArrayList<>();
  private AgentServer server;
  private KubernetesTaskRuntime runtime;
  private AsyncAgentService inProcess;
  private ManagedChannel channel;
  private AsyncAgentServiceGrpc.AsyncAgentServiceBlockingStub agent;

  public static void main(String[] args) throws Exception {
    EmbeddedCluster.quietMockServerLog();
    new AgentBenchmark().run();
    System.exit(0);
  }

  private void run() throws Exception {
    kubernetes = EmbeddedKubernetes.start(plugin.identity());
    runtime = newRuntime();
    server =
        AgentServer.start(
            new AgentServer.Settings(
                0,
                -1,
                "bench",
                16 << 20,
                Optional.empty(),
                Duration.ofSeconds(5),
                Duration.ofSeconds(30)),
            runtime,
            codec,
            new PrometheusRegistry());
    runtime.awaitSynced(Duration.ofSeconds(30));
    channel = ManagedChannelBuilder.forAddress("localhost", server.port()).usePlaintext().build();
    agent = AsyncAgentServiceGrpc.newBlockingStub(channel);
    inProcess =
        new AsyncAgentService(
            runtime, codec, new AgentMetrics(new PrometheusRegistry()), Runnable::run);
    System.out.printf(
        "AgentBenchmark: JVM %s, %d cores, max heap %d MiB; fabric8 mock API server in-process%n%n",
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);

    // Warm-up: JIT for both paths.
    createTasks(200);
    getTaskLatencies(20_000);
    serviceLatencies(50_000);
    directGetLatencies(500);

    createThroughput(1_000);
    createTasks(1_000 - metas.size());
    report(1_000);
    createTasks(10_000 - metas.size());
    report(10_000);
    heapPerTrackedTask();

    channel.shutdownNow();
    server.close();
    kubernetes.close();
  }

  private KubernetesTaskRuntime newRuntime() {
    return KubernetesTaskRuntime.builder()
        .client(kubernetes.newClient(b -> {}))
        .registry(PluginRegistry.of(plugin))
        .config(RuntimeConfig.defaults().withCacheGracePeriod(Duration.ofMinutes(5)))
        .build();
  }

  private void report(int inFlight) throws Exception {
    long[] agentNanos = getTaskLatencies(Math.max(50_000, inFlight * 5));
    long[] serviceNanos = serviceLatencies(Math.max(50_000, inFlight * 5));
    long[] apiNanos = directGetLatencies(2_000);
    System.out.printf("== %,d tasks in flight ==%n", inFlight);
    System.out.printf(
        "GetTask (gRPC loopback)  p50 %7.3f ms  p99 %7.3f ms  (%,d calls)%n",
        ms(pct(agentNanos, 50)), ms(pct(agentNanos, 99)), agentNanos.length);
    System.out.printf(
        "GetTask (service, no net) p50 %7.3f ms  p99 %7.3f ms  (%,d calls)%n",
        ms(pct(serviceNanos, 50)), ms(pct(serviceNanos, 99)), serviceNanos.length);
    System.out.printf(
        "direct API GET (fabric8) p50 %7.3f ms  p99 %7.3f ms  (%,d calls)%n",
        ms(pct(apiNanos, 50)), ms(pct(apiNanos, 99)), apiNanos.length);
    System.out.printf(
        "GetTask over gRPC is %.1fx faster than the direct GET at p50, %.1fx at p99%n",
        (double) pct(apiNanos, 50) / pct(agentNanos, 50),
        (double) pct(apiNanos, 99) / pct(agentNanos, 99));
    System.out.printf(
        "GetTask service time is %.1fx faster than the direct GET at p50, %.1fx at p99%n%n",
        (double) pct(apiNanos, 50) / pct(serviceNanos, 50),
        (double) pct(apiNanos, 99) / pct(serviceNanos, 99));
  }

  private long[] getTaskLatencies(int calls) {
    long[] nanos = new long[calls];
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < calls; i++) {
      ByteString meta = metas.get(random.nextInt(metas.size()));
      long start = System.nanoTime();
      agent.getTask(
          GetTaskRequest.newBuilder().setResourceMeta(meta).setTaskCategory(CATEGORY).build());
      nanos[i] = System.nanoTime() - start;
    }
    return nanos;
  }

  /** GetTask through the service object itself: what the agent adds, without gRPC transport. */
  private long[] serviceLatencies(int calls) {
    long[] nanos = new long[calls];
    ThreadLocalRandom random = ThreadLocalRandom.current();
    StreamObserver<GetTaskResponse> sink =
        new StreamObserver<>() {
          @Override
          public void onNext(GetTaskResponse value) {}

          @Override
          public void onError(Throwable t) {
            throw new IllegalStateException(t);
          }

          @Override
          public void onCompleted() {}
        };
    for (int i = 0; i < calls; i++) {
      GetTaskRequest request =
          GetTaskRequest.newBuilder()
              .setResourceMeta(metas.get(random.nextInt(metas.size())))
              .setTaskCategory(CATEGORY)
              .build();
      long start = System.nanoTime();
      inProcess.getTask(request, sink);
      nanos[i] = System.nanoTime() - start;
    }
    return nanos;
  }

  private long[] directGetLatencies(int calls) throws Exception {
    KubernetesClient client = kubernetes.client();
    long[] nanos = new long[calls];
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < calls; i++) {
      TaskHandle handle = codec.decode(metas.get(random.nextInt(metas.size())).toByteArray());
      long start = System.nanoTime();
      GenericKubernetesResource found =
          client
              .genericKubernetesResources(KubernetesTaskRuntime.context(plugin.identity()))
              .inNamespace(handle.namespace())
              .withName(handle.name())
              .get();
      nanos[i] = System.nanoTime() - start;
      if (found == null) {
        throw new IllegalStateException("resource " + handle + " not found by the direct GET");
      }
    }
    return nanos;
  }

  private void createThroughput(int count) throws Exception {
    long start = System.nanoTime();
    createTasks(count);
    double agentPerSecond = count / ((System.nanoTime() - start) / 1e9);

    // The same resources, created directly with fabric8 (same threads, no agent, no informer).
    TaskHandle sample = codec.decode(metas.get(0).toByteArray());
    GenericKubernetesResource template =
        kubernetes
            .client()
            .genericKubernetesResources(KubernetesTaskRuntime.context(plugin.identity()))
            .inNamespace(sample.namespace())
            .withName(sample.name())
            .get();
    ExecutorService pool = Executors.newFixedThreadPool(CREATE_THREADS);
    long rawStart = System.nanoTime();
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < CREATE_THREADS; t++) {
      int thread = t;
      futures.add(
          pool.submit(
              () -> {
                for (int i = thread; i < count; i += CREATE_THREADS) {
                  GenericKubernetesResource copy = new GenericKubernetesResource();
                  copy.setApiVersion(template.getApiVersion());
                  copy.setKind(template.getKind());
                  copy.setMetadata(
                      new ObjectMetaBuilder()
                          .withName("raw-" + i)
                          .withNamespace("raw")
                          .withLabels(Map.of("bench", "raw"))
                          .build());
                  copy.setAdditionalProperties(template.getAdditionalProperties());
                  kubernetes
                      .client()
                      .genericKubernetesResources(KubernetesTaskRuntime.context(plugin.identity()))
                      .inNamespace("raw")
                      .resource(copy)
                      .create();
                }
                return null;
              }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    double rawPerSecond = count / ((System.nanoTime() - rawStart) / 1e9);
    pool.shutdown();
    System.out.printf(
        "== CreateTask throughput (%d threads, %,d tasks) ==%n", CREATE_THREADS, count);
    System.out.printf("CreateTask via agent     %8.0f tasks/s%n", agentPerSecond);
    System.out.printf("raw fabric8 create       %8.0f resources/s%n", rawPerSecond);
    System.out.printf("agent / raw              %8.2f%n%n", agentPerSecond / rawPerSecond);
  }

  private void heapPerTrackedTask() throws Exception {
    int tracked = metas.size();
    long before = usedHeapAfterGc();
    KubernetesTaskRuntime second = newRuntime();
    second.start();
    if (!second.awaitSynced(Duration.ofSeconds(60))) {
      throw new IllegalStateException("second runtime did not sync");
    }
    long after = usedHeapAfterGc();
    System.out.printf(
        "== heap per tracked task (a second runtime syncing %,d tasks) ==%n", tracked);
    System.out.printf(
        "%,d bytes total, %,d bytes per task%n%n", after - before, (after - before) / tracked);
    second.close();
  }

  private void createTasks(int count) throws Exception {
    if (count <= 0) {
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(CREATE_THREADS);
    List<Future<List<ByteString>>> futures = new ArrayList<>();
    int base = metas.size();
    for (int t = 0; t < CREATE_THREADS; t++) {
      int thread = t;
      futures.add(
          pool.submit(
              () -> {
                List<ByteString> created = new ArrayList<>();
                for (int i = thread; i < count; i += CREATE_THREADS) {
                  created.add(agent.createTask(request(base + i)).getResourceMeta());
                }
                return created;
              }));
    }
    for (Future<List<ByteString>> f : futures) {
      metas.addAll(f.get());
    }
    pool.shutdown();
  }

  private static CreateTaskRequest request(int i) {
    SparkApplicationConfig config =
        SparkApplicationConfig.newBuilder()
            .setApplicationType(SparkApplicationConfig.ApplicationType.JAVA)
            .setSparkVersion("3.5.3")
            .setDriver(DriverSpec.newBuilder().setCores(1).setMemory("1g"))
            .setExecutor(ExecutorSpec.newBuilder().setInstances(2).setCores(1).setMemory("2g"))
            .build();
    Identifier taskId =
        Identifier.newBuilder()
            .setResourceType(ResourceType.TASK)
            .setProject("flytesnacks")
            .setDomain("development")
            .setName("bench.Task")
            .setVersion("v1")
            .build();
    String prefix = "s3://bucket/metadata/bench/e" + i + "/n0/0";
    return CreateTaskRequest.newBuilder()
        .setInputs(LiteralMap.getDefaultInstance())
        .setOutputPrefix(prefix)
        .setTemplate(
            TaskTemplate.newBuilder()
                .setId(taskId)
                .setType(ExamplePlugin.TASK_TYPE)
                .setCustom(ExamplePlugin.encode(config))
                .setContainer(
                    Container.newBuilder()
                        .setImage("example/app:v1")
                        .addAllArgs(
                            List.of(
                                "jflyte",
                                "execute",
                                "--task",
                                "bench.Task",
                                "--inputs",
                                prefix + "/inputs.pb",
                                "--outputPrefix",
                                prefix))))
        .setTaskExecutionMetadata(
            TaskExecutionMetadata.newBuilder()
                .setNamespace(NAMESPACE)
                .setTaskExecutionId(
                    TaskExecutionIdentifier.newBuilder()
                        .setTaskId(taskId)
                        .setNodeExecutionId(
                            NodeExecutionIdentifier.newBuilder()
                                .setNodeId("n0")
                                .setExecutionId(
                                    WorkflowExecutionIdentifier.newBuilder()
                                        .setProject("flytesnacks")
                                        .setDomain("development")
                                        .setName("e" + i)))))
        .build();
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }

  private static long pct(long[] values, int percentile) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[
        Math.min(sorted.length - 1, (int) Math.ceil(percentile / 100.0 * sorted.length) - 1)];
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
