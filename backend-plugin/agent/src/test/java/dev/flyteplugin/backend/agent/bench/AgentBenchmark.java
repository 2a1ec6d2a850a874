package dev.flyteplugin.backend.agent.bench;

import com.google.protobuf.ByteString;
import dev.flyteplugin.backend.agent.AgentMetrics;
import dev.flyteplugin.backend.agent.AgentServer;
import dev.flyteplugin.backend.agent.AsyncAgentService;
import dev.flyteplugin.backend.agent.ClusterModeAgent;
import dev.flyteplugin.backend.agent.ResourceMetaCodec;
import dev.flyteplugin.backend.runtime.ExecutionLabels;
import dev.flyteplugin.backend.runtime.KubernetesTaskRuntime;
import dev.flyteplugin.backend.runtime.PluginRegistry;
import dev.flyteplugin.backend.runtime.RuntimeConfig;
import dev.flyteplugin.backend.runtime.TaskCategory;
import dev.flyteplugin.backend.runtime.TaskHandle;
import dev.flyteplugin.backend.spark.SparkOperatorPlugin;
import dev.flyteplugin.backend.spark.SparkPluginConfig;
import dev.flyteplugin.backend.testing.EmbeddedCluster;
import dev.flyteplugin.proto.example.ExamplePlugin;
import dev.flyteplugin.proto.example.v1.DriverSpec;
import dev.flyteplugin.proto.example.v1.ExecutorSpec;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;
import flyteidl.admin.AgentOuterClass.CreateTaskRequest;
import flyteidl.admin.AgentOuterClass.GetTaskRequest;
import flyteidl.admin.AgentOuterClass.GetTaskResponse;
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
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Prints the agent's figures against the fabric8 mock API server in CRUD mode (in this JVM), each
 * with its target (issue 16): GetTask latency over real loopback gRPC at 100,000 tasks in flight
 * versus a direct API GET, heap per task tracked by a runtime, CreateTask throughput versus a raw
 * fabric8 create of the same objects, and cluster mode's start to SERVING with 10,000 resources to
 * relist. A harness, not a test; the command is in {@code docs/performance.md}.
 *
 * <p>Only the first few thousand tasks are created through CreateTask; the rest are loaded into the
 * API server's store directly ({@link BenchApiServer#bulkLoad}), as copies of an object the agent
 * created, carrying a running Spark application's status. Runtimes started after the load see them
 * in their initial LIST, as an agent restarted in a large deployment does.
 */
public final class AgentBenchmark {
  private static final flyteidl.admin.AgentOuterClass.TaskCategory CATEGORY =
      flyteidl.admin.AgentOuterClass.TaskCategory.newBuilder()
          .setName(ExamplePlugin.TASK_TYPE)
          .setVersion(ExamplePlugin.TASK_TYPE_VERSION)
          .build();
  private static final String NAMESPACE = "bench";

  /** Where the raw creates go (-Dbench.rawNamespace): by default beside the agent's. */
  private static final String RAW_NAMESPACE = System.getProperty("bench.rawNamespace", NAMESPACE);

  private static final int CREATE_THREADS = Integer.getInteger("bench.createThreads", 4);
  private static final byte[] KEY = new byte[32];

  private final int tasks = Integer.getInteger("bench.tasks", 100_000);
  private final int startupResources = Integer.getInteger("bench.startupResources", 10_000);
  private final int createRound = Integer.getInteger("bench.createRound", 200);
  private final int createRounds = Integer.getInteger("bench.createRounds", 8);
  private final boolean onlyCreate = Boolean.getBoolean("bench.onlyCreate");

  private final SparkOperatorPlugin plugin = new SparkOperatorPlugin(SparkPluginConfig.defaults());
  private final ResourceMetaCodec codec = new ResourceMetaCodec(KEY);
  private final KubernetesSerialization json = new KubernetesSerialization();
  private final List<ByteString> metas = new ArrayList<>();
  private final List<String[]> figures = new ArrayList<>();
  private BenchApiServer api;
  private int rawCreated;

  public static void main(String[] args) throws Exception {
    // The mock server answers a LIST of 100,000 objects on its one event loop thread, for seconds;
    // vert.x would print a stack trace every second of it. Said in docs/performance.md.
    System.setProperty(
        "org.slf4j.simpleLogger.log.io.vertx.core.impl.BlockedThreadChecker", "error");
    // The agents' start lines (plaintext warning, listening, readiness) for each agent started.
    System.setProperty("org.slf4j.simpleLogger.log.dev.flyteplugin.backend.agent", "error");
    System.setProperty(
        "org.slf4j.simpleLogger.log.io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils",
        "error");
    EmbeddedCluster.quietMockServerLog();
    long start = System.nanoTime();
    int status = 0;
    try {
      new AgentBenchmark().run(start);
    } catch (Throwable t) {
      t.printStackTrace();
      status = 1;
    }
    System.out.flush();
    System.exit(status); // the mock server's event loop need not wind down
  }

  /** An agent in this JVM: the gRPC server, its runtime and stubs to it. */
  private final class Agent implements AutoCloseable {
    final KubernetesTaskRuntime runtime;
    final AgentServer server;
    final ManagedChannel channel;
    final AsyncAgentServiceGrpc.AsyncAgentServiceBlockingStub stub;
    final AsyncAgentService inProcess;
    final double secondsToServing;

    Agent() throws Exception {
      long start = System.nanoTime();
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
                      Duration.ofSeconds(120))
                  .withHealthInterval(Duration.ofMillis(10)),
              runtime,
              codec,
              new PrometheusRegistry());
      channel = ManagedChannelBuilder.forAddress("localhost", server.port()).usePlaintext().build();
      secondsToServing = awaitServing(channel, start);
      stub = AsyncAgentServiceGrpc.newBlockingStub(channel);
      inProcess =
          new AsyncAgentService(
              runtime, codec, new AgentMetrics(new PrometheusRegistry()), Runnable::run);
    }

    @Override
    public void close() {
      channel.shutdownNow();
      server.close();
    }
  }

  private void run(long start) throws Exception {
    api = new BenchApiServer(plugin.identity());
    System.out.printf(
        "AgentBenchmark: JVM %s %s, %d cores, max heap %d MiB, load average at start %s;"
            + " fabric8 mock API server (CRUD mode) in this JVM%n%n",
        System.getProperty("java.version"),
        gcNames(),
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20,
        loadAverage());

    GenericKubernetesResource template;
    double[] create;
    long[] apiFloor;
    try (Agent agent = new Agent()) {
      // Warm-up: JIT for both create paths and for GetTask.
      createTasks(agent, 300);
      rawCreates(300);
      if (!onlyCreate) {
        getTaskLatencies(agent, 20_000);
        serviceLatencies(agent, 20_000);
      }
      create = createVsRaw(agent);
      if (onlyCreate) {
        printTable();
        return;
      }
      apiFloor = directGetLatencies(1_000);
      TaskHandle sample = codec.decode(metas.get(0).toByteArray());
      template =
          api.client()
              .genericKubernetesResources(KubernetesTaskRuntime.context(plugin.identity()))
              .inNamespace(sample.namespace())
              .withName(sample.name())
              .get();
    }
    int viaCreateTask = metas.size();

    bulkLoad(template, startupResources - metas.size());
    double startup = clusterModeStartToServing();
    System.out.printf(
        "cluster mode (flyte-agent --kubeconfig), %,d resources to relist: start to SERVING"
            + " %.2f s%n%n",
        metas.size(), startup);

    bulkLoad(template, tasks - metas.size());
    try (Agent agent = new Agent()) {
      System.out.printf(
          "in-process agent, %,d resources to relist: start to SERVING %.2f s%n",
          metas.size(), agent.secondsToServing);
      getTaskLatencies(agent, 50_000); // warm-up at this size
      GcPauses pauses = GcPauses.start();
      long[] grpc = getTaskLatencies(agent, 200_000);
      String gcDuringGrpc = pauses.stop();
      String loadDuringGrpc = loadAverage();
      long[] service = serviceLatencies(agent, 200_000);
      long[] direct = directGetLatencies(200);
      long perTask = heapPerTrackedTask();

      System.out.printf("%n== %,d tasks in flight ==%n", metas.size());
      line("GetTask (gRPC loopback)", grpc);
      System.out.printf(
          "  calls over 1 ms: %,d; GC during them: %s; load average %s%n",
          Arrays.stream(grpc).filter(n -> n > 1_000_000).count(), gcDuringGrpc, loadDuringGrpc);
      line("GetTask (service, no transport)", service);
      line("direct API GET (fabric8), " + metas.size() + " in store", direct);
      line("direct API GET (fabric8), " + (viaCreateTask + rawCreated) + " in store", apiFloor);

      figure(
          "GetTask p99 over gRPC loopback, " + String.format("%,d", metas.size()) + " in flight",
          String.format("%.3f ms (p50 %.3f)", ms(pct(grpc, 99)), ms(pct(grpc, 50))),
          "<= 1 ms",
          ms(pct(grpc, 99)) <= 1.0);
      double speedup = (double) pct(direct, 99) / pct(grpc, 99);
      figure(
          "GetTask vs direct API GET at p99, same store",
          String.format("%.0fx (GET p99 %.1f ms)", speedup, ms(pct(direct, 99))),
          ">= 50x",
          speedup >= 50);
      double floorSpeedup = (double) pct(apiFloor, 99) / pct(grpc, 99);
      figure(
          "GetTask vs direct API GET at p99, small store (" + (viaCreateTask + rawCreated) + ")",
          String.format("%.1fx (GET p99 %.2f ms)", floorSpeedup, ms(pct(apiFloor, 99))),
          "(context)",
          null);
      figure(
          "heap per tracked task, " + String.format("%,d", metas.size()),
          String.format("%,d bytes", perTask),
          "<= 2 KB",
          perTask <= 2048);
    }
    figure(
        "CreateTask vs raw fabric8 create, " + CREATE_THREADS + " threads",
        String.format("%.2fx (%.0f vs %.0f /s)", create[0] / create[1], create[0], create[1]),
        ">= 0.9x",
        create[0] / create[1] >= 0.9);
    figure(
        "cluster mode start to SERVING, " + String.format("%,d", startupResources) + " to relist",
        String.format("%.2f s", startup),
        "<= 3 s",
        startup <= 3.0);
    double minutes = (System.nanoTime() - start) / 60e9;
    figure("this benchmark's run", String.format("%.1f min", minutes), "<= 10 min", minutes <= 10);
    System.out.printf("%nload average at the end %s%n", loadAverage());
    printTable();
  }

  private void figure(String name, String measured, String target, Boolean met) {
    figures.add(new String[] {name, measured, target, met == null ? "" : met ? "met" : "MISSED"});
  }

  private void printTable() {
    System.out.printf("%n| figure | measured | target | |%n|---|---|---|---|%n");
    for (String[] f : figures) {
      System.out.printf("| %s | %s | %s | %s |%n", f[0], f[1], f[2], f[3]);
    }
  }

  private static void line(String what, long[] nanos) {
    System.out.printf(
        Locale.ROOT,
        "%-42s p50 %8.3f ms  p99 %8.3f ms  (%,d calls)%n",
        what,
        ms(pct(nanos, 50)),
        ms(pct(nanos, 99)),
        nanos.length);
  }

  private KubernetesTaskRuntime newRuntime() {
    return KubernetesTaskRuntime.builder()
        .client(api.newClient())
        .registry(PluginRegistry.of(plugin))
        .config(RuntimeConfig.defaults().withCacheGracePeriod(Duration.ofMinutes(5)))
        .build();
  }

  /** Seconds from {@code start} until the agent's health says SERVING. */
  private static double awaitServing(ManagedChannel channel, long start) throws Exception {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
    long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < giveUp) {
      try {
        if (health
                .withDeadlineAfter(1, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance())
                .getStatus()
            == ServingStatus.SERVING) {
          return (System.nanoTime() - start) / 1e9;
        }
      } catch (io.grpc.StatusRuntimeException notYet) {
        // not listening yet
      }
      Thread.sleep(5);
    }
    throw new IllegalStateException("the agent did not become SERVING within 3 minutes");
  }

  /**
   * The agent as {@code flyte-agent --kubeconfig FILE} starts it (cluster mode: its own client from
   * the kubeconfig, informers restricted to the namespace), timed from the start call to SERVING on
   * its health service. JVM start and class loading are not included (this JVM is warm).
   */
  private double clusterModeStartToServing() throws Exception {
    Path kubeconfig = Files.createTempFile("bench-kubeconfig", ".yaml");
    Files.writeString(kubeconfig, api.kubeconfig(), StandardCharsets.UTF_8);
    long start = System.nanoTime();
    AgentServer server =
        ClusterModeAgent.start(
            "--kubeconfig",
            kubeconfig.toString(),
            "--namespaces",
            NAMESPACE,
            "--hmac-key",
            Base64.getEncoder().encodeToString(KEY),
            "--port",
            "0",
            "--metrics-port",
            "-1");
    System.out.printf(
        "cluster mode: flyte-agent's start() returned after %.2f s%n",
        (System.nanoTime() - start) / 1e9);
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("localhost", server.port()).usePlaintext().build();
    try {
      return awaitServing(channel, start);
    } finally {
      channel.shutdownNow();
      server.close();
      Files.deleteIfExists(kubeconfig);
    }
  }

  /**
   * {@code count} more tasks in the API server, as copies of {@code template} (an object the agent
   * created) with their own name, execution and hashes, and a running application's status.
   */
  private void bulkLoad(GenericKubernetesResource template, int count) throws Exception {
    if (count <= 0) {
      return;
    }
    long start = System.nanoTime();
    String text = json.asJson(template);
    List<GenericKubernetesResource> batch = new ArrayList<>();
    int base = metas.size();
    for (int i = 0; i < count; i++) {
      int n = base + i;
      GenericKubernetesResource copy = json.unmarshal(text, GenericKubernetesResource.class);
      ObjectMeta meta = copy.getMetadata();
      String suffix = String.format("%010d", Integer.toUnsignedLong(("b" + n).hashCode()));
      String name = "b" + n + "-n0-0-" + suffix;
      meta.setName(name);
      meta.setNamespace(NAMESPACE);
      Map<String, String> labels = new LinkedHashMap<>(meta.getLabels());
      labels.put(ExecutionLabels.EXECUTION_ID, "b" + n);
      labels.put(ExecutionLabels.ATTEMPT_KEY, hex(n, 1));
      labels.put(ExecutionLabels.LINEAGE_KEY, hex(n, 2));
      meta.setLabels(labels);
      copy.setAdditionalProperty("status", runningStatus(name));
      batch.add(copy);
      metas.add(
          ByteString.copyFrom(
              codec.encode(
                  new TaskHandle(
                      new TaskCategory(ExamplePlugin.TASK_TYPE, ExamplePlugin.TASK_TYPE_VERSION),
                      NAMESPACE,
                      name))));
      if (batch.size() == 5_000) {
        api.bulkLoad(batch);
        batch.clear();
      }
    }
    api.bulkLoad(batch);
    System.out.printf(
        "loaded %,d resources into the API server's store in %.1f s (%,d tasks in flight)%n",
        count, (System.nanoTime() - start) / 1e9, metas.size());
  }

  private static String hex(int n, int salt) {
    return String.format("%016x", (n * 0x9E3779B97F4A7C15L) ^ salt);
  }

  /** What the Spark operator writes while the application runs (SimulatedSparkOperator's shape). */
  private static Map<String, Object> runningStatus(String name) {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("applicationState", Map.of("state", "RUNNING"));
    status.put("submissionAttempts", 1);
    status.put("lastSubmissionAttemptTime", "2026-12-02T05:00:00Z");
    status.put("sparkApplicationId", "spark-" + Integer.toHexString(name.hashCode()));
    Map<String, Object> driver = new LinkedHashMap<>();
    driver.put("podName", name + "-driver");
    driver.put("webUIServiceName", name + "-ui-svc");
    driver.put("webUIPort", 4040);
    driver.put("webUIAddress", "10.96.0.10:4040");
    status.put("driverInfo", driver);
    status.put("executorState", Map.of(name + "-exec-1", "RUNNING", name + "-exec-2", "RUNNING"));
    return status;
  }

  private long[] getTaskLatencies(Agent agent, int calls) {
    long[] nanos = new long[calls];
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < calls; i++) {
      ByteString meta = metas.get(random.nextInt(metas.size()));
      long start = System.nanoTime();
      agent.stub.getTask(
          GetTaskRequest.newBuilder().setResourceMeta(meta).setTaskCategory(CATEGORY).build());
      nanos[i] = System.nanoTime() - start;
    }
    return nanos;
  }

  /** GetTask through the service object itself: what the agent adds, without gRPC transport. */
  private long[] serviceLatencies(Agent agent, int calls) {
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
      agent.inProcess.getTask(request, sink);
      nanos[i] = System.nanoTime() - start;
    }
    return nanos;
  }

  private long[] directGetLatencies(int calls) throws Exception {
    KubernetesClient client = api.client();
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

  /**
   * CreateTask through the agent against a raw fabric8 create of the same objects (same body,
   * labels and annotations, another name), same threads, in alternating rounds so that both see the
   * same store size and machine load.
   *
   * @return tasks per second through the agent, resources per second raw
   */
  private double[] createVsRaw(Agent agent) throws Exception {
    long agentNanos = 0;
    long rawNanos = 0;
    long agentRequests = 0;
    long rawRequests = 0;
    long agentCpu = 0;
    long rawCpu = 0;
    Map<String, Long> agentThreads = new java.util.TreeMap<>();
    Map<String, Long> rawThreads = new java.util.TreeMap<>();
    for (int round = 0; round < createRounds; round++) {
      long before = api.requests();
      long cpuBefore = processCpuNanos();
      Map<String, Long> threadsBefore = threadCpu();
      agentNanos += createTasks(agent, createRound);
      long between = api.requests();
      long cpuBetween = processCpuNanos();
      Map<String, Long> threadsBetween = threadCpu();
      addDiff(agentThreads, threadsBefore, threadsBetween);
      rawNanos += rawCreates(createRound);
      addDiff(rawThreads, threadsBetween, threadCpu());
      agentRequests += between - before;
      rawRequests += api.requests() - between;
      agentCpu += cpuBetween - cpuBefore;
      rawCpu += processCpuNanos() - cpuBetween;
    }
    int count = createRound * createRounds;
    double agentPerSecond = count / (agentNanos / 1e9);
    double rawPerSecond = count / (rawNanos / 1e9);
    System.out.printf(
        "== CreateTask throughput (%d threads, %d rounds of %,d, alternating) ==%n",
        CREATE_THREADS, createRounds, createRound);
    System.out.printf("CreateTask via agent     %8.0f tasks/s%n", agentPerSecond);
    System.out.printf("raw fabric8 create       %8.0f resources/s%n", rawPerSecond);
    System.out.printf("agent / raw              %8.2f%n", agentPerSecond / rawPerSecond);
    System.out.printf(
        "API requests per task: agent %.2f, raw %.2f%n",
        (double) agentRequests / count, (double) rawRequests / count);
    System.out.printf(
        "CPU of this JVM (API server, agent, clients) per task: agent %.2f ms, raw %.2f ms"
            + " (raw's includes building its copies)%n%n",
        agentCpu / 1e6 / count, rawCpu / 1e6 / count);
    if (Boolean.getBoolean("bench.threadCpu")) {
      System.out.println("thread CPU per task (ms), agent rounds: " + perTask(agentThreads, count));
      System.out.println("thread CPU per task (ms), raw rounds:   " + perTask(rawThreads, count));
    }
    return new double[] {agentPerSecond, rawPerSecond};
  }

  /**
   * Raw creates: the object the agent made for its first task, under new names in another
   * namespace, with another managed-by value (so that no runtime's informer receives them).
   */
  private long rawCreates(int count) throws Exception {
    TaskHandle sample = codec.decode(metas.get(0).toByteArray());
    KubernetesClient client = api.client();
    GenericKubernetesResource template =
        client
            .genericKubernetesResources(KubernetesTaskRuntime.context(plugin.identity()))
            .inNamespace(sample.namespace())
            .withName(sample.name())
            .get();
    String text = json.asJson(template);
    GenericKubernetesResource[] copies = new GenericKubernetesResource[count];
    for (int i = 0; i < count; i++) {
      GenericKubernetesResource copy = json.unmarshal(text, GenericKubernetesResource.class);
      ObjectMeta meta = copy.getMetadata();
      meta.setName("raw-" + (rawCreated + i) + "-" + sample.name());
      meta.setNamespace(RAW_NAMESPACE);
      meta.setUid(null);
      meta.setResourceVersion(null);
      meta.setCreationTimestamp(null);
      meta.setManagedFields(null);
      meta.getLabels().put(ExecutionLabels.MANAGED_BY, "bench-raw");
      copies[i] = copy;
    }
    rawCreated += count;
    long start = System.nanoTime();
    parallel(
        count,
        i ->
            client
                .genericKubernetesResources(KubernetesTaskRuntime.context(plugin.identity()))
                .inNamespace(RAW_NAMESPACE)
                .resource(copies[i])
                .create());
    return System.nanoTime() - start;
  }

  /**
   * CreateTask calls with propeller's default deadline (10 s); the requests are built before the
   * clock starts (propeller has them at hand).
   *
   * @return the nanoseconds the calls took
   */
  private long createTasks(Agent agent, int count) throws Exception {
    int base = metas.size();
    CreateTaskRequest[] requests = new CreateTaskRequest[count];
    for (int i = 0; i < count; i++) {
      requests[i] = request(base + i);
    }
    ByteString[] created = new ByteString[count];
    long start = System.nanoTime();
    parallel(
        count,
        i ->
            created[i] =
                agent
                    .stub
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .createTask(requests[i])
                    .getResourceMeta());
    long nanos = System.nanoTime() - start;
    metas.addAll(Arrays.asList(created));
    return nanos;
  }

  private static void parallel(int count, IntConsumer call) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(CREATE_THREADS);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < CREATE_THREADS; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = thread; i < count; i += CREATE_THREADS) {
                    call.accept(i);
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  /**
   * Used heap after GC before and after a second runtime lists and caches every task (its client
   * and informer included; the transient list response is collected before the second figure).
   */
  private long heapPerTrackedTask() throws Exception {
    int tracked = metas.size();
    long before = usedHeapAfterGc();
    histogram("before");
    KubernetesTaskRuntime second = newRuntime();
    second.start();
    if (!second.awaitSynced(Duration.ofMinutes(3))) {
      throw new IllegalStateException("second runtime did not sync");
    }
    long after = usedHeapAfterGc();
    histogram("after");
    System.out.printf(
        "heap: a second runtime syncing %,d tasks holds %,d bytes, %,d per task%n",
        tracked, after - before, (after - before) / tracked);
    second.close();
    return (after - before) / tracked;
  }

  /** The JVM's GC pauses while it runs, from the collectors' notifications. */
  private static final class GcPauses implements javax.management.NotificationListener {
    private final List<Long> millis = java.util.Collections.synchronizedList(new ArrayList<>());

    static GcPauses start() {
      GcPauses pauses = new GcPauses();
      for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
        ((javax.management.NotificationEmitter) gc).addNotificationListener(pauses, null, null);
      }
      return pauses;
    }

    @Override
    public void handleNotification(javax.management.Notification notification, Object handback) {
      if (notification
          .getType()
          .equals(
              com.sun.management.GarbageCollectionNotificationInfo
                  .GARBAGE_COLLECTION_NOTIFICATION)) {
        var info =
            com.sun.management.GarbageCollectionNotificationInfo.from(
                (javax.management.openmbean.CompositeData) notification.getUserData());
        millis.add(info.getGcInfo().getDuration());
      }
    }

    String stop() throws Exception {
      for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
        ((javax.management.NotificationEmitter) gc).removeNotificationListener(this);
      }
      synchronized (millis) {
        return String.format(
            "%d collections, %d ms in all, longest %d ms",
            millis.size(),
            millis.stream().mapToLong(Long::longValue).sum(),
            millis.stream().mapToLong(Long::longValue).max().orElse(0));
      }
    }
  }

  /** With -Dbench.histogram=DIR: the live-object histogram (jcmd) at this point, to DIR. */
  private static void histogram(String name) throws Exception {
    String dir = System.getProperty("bench.histogram");
    if (dir == null) {
      return;
    }
    new ProcessBuilder("jcmd", Long.toString(ProcessHandle.current().pid()), "GC.class_histogram")
        .redirectOutput(Path.of(dir, "histogram-" + name + ".txt").toFile())
        .start()
        .waitFor();
  }

  private static Map<String, Long> threadCpu() {
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    Map<String, Long> cpu = new java.util.HashMap<>();
    for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null) {
        cpu.put(
            info.getThreadId() + " " + info.getThreadName(),
            threads.getThreadCpuTime(info.getThreadId()));
      }
    }
    return cpu;
  }

  private static void addDiff(
      Map<String, Long> sum, Map<String, Long> before, Map<String, Long> after) {
    after.forEach(
        (thread, nanos) -> {
          String group = thread.substring(thread.indexOf(' ') + 1).replaceAll("[0-9]+", "N");
          sum.merge(group, nanos - before.getOrDefault(thread, 0L), Long::sum);
        });
  }

  private static String perTask(Map<String, Long> groups, int count) {
    StringBuilder text = new StringBuilder();
    groups.entrySet().stream()
        .filter(e -> e.getValue() > count * 50_000L)
        .sorted(Map.Entry.comparingByValue(java.util.Comparator.reverseOrder()))
        .forEach(
            e -> text.append(String.format("%s=%.2f ", e.getKey(), e.getValue() / 1e6 / count)));
    return text.toString();
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static String gcNames() {
    return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
        .map(java.lang.management.GarbageCollectorMXBean::getName)
        .toList()
        .toString();
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (Exception e) {
      return "unknown";
    }
  }

  private static final com.google.protobuf.Struct CUSTOM = ExamplePlugin.encode(sparkConfig());

  private static SparkApplicationConfig sparkConfig() {
    return SparkApplicationConfig.newBuilder()
        .setApplicationType(SparkApplicationConfig.ApplicationType.JAVA)
        .setSparkVersion("3.5.3")
        .setDriver(DriverSpec.newBuilder().setCores(1).setMemory("1g"))
        .setExecutor(ExecutorSpec.newBuilder().setInstances(2).setCores(1).setMemory("2g"))
        .build();
  }

  private static CreateTaskRequest request(int i) {
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
                .setCustom(CUSTOM)
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
    for (int i = 0; i < 10; i++) {
      System.gc();
      Thread.sleep(200);
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
