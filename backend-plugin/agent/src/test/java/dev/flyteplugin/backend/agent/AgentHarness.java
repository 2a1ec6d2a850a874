package dev.flyteplugin.backend.agent;

import dev.flyteplugin.backend.runtime.KubernetesTaskRuntime;
import dev.flyteplugin.backend.runtime.TaskHandle;
import dev.flyteplugin.backend.runtime.TaskRuntime;
import dev.flyteplugin.backend.spark.SparkOperatorPlugin;
import dev.flyteplugin.backend.testing.EmbeddedCluster;
import dev.flyteplugin.backend.testing.JflyteWorkload;
import flyteidl.core.Literals.Literal;
import flyteidl.core.Literals.LiteralMap;
import flyteidl.core.Literals.Primitive;
import flyteidl.core.Literals.Scalar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The agent under test as the embedded mode builds it: the real runtime and Spark plugin on the
 * fabric8 mock API server, the simulated Spark operator running the tasks' container args through
 * jflyte's TaskExecutor. {@link #restartAgent()} replaces the agent process's parts (server,
 * runtime, client) and keeps the cluster and the HMAC key.
 */
final class AgentHarness implements AutoCloseable {
  static final String SUCCEEDING_TASK = "dev.flyteplugin.backend.agent.tasks.SquareTask";
  static final String SLOW_TASK = "dev.flyteplugin.backend.agent.tasks.SlowTask";
  static final String FAILING_TASK = "dev.flyteplugin.backend.agent.tasks.FailingTask";

  static final String LOG_LINKS = "Driver logs=https://logs.example/{namespace}/{podName}";
  private static final byte[] KEY = "harness-hmac-key-0123456789abcdef".getBytes();

  private final RuntimeOptions options;
  private final EmbeddedCluster cluster;
  private final dev.flyteplugin.backend.runtime.PluginRegistry registry;
  private final ResourceMetaCodec codec = new ResourceMetaCodec(KEY);
  private final FlyteRelease minFlyteRelease;
  private final UnaryOperator<TaskRuntime> wrap;
  private final UnaryOperator<AgentServer.Settings> settings;
  private TaskRuntime runtime;
  private AgentServer server;

  private AgentHarness(
      Path work,
      FlyteRelease minFlyteRelease,
      UnaryOperator<TaskRuntime> wrap,
      UnaryOperator<RuntimeOptions> customize,
      UnaryOperator<AgentServer.Settings> settings)
      throws Exception {
    this.minFlyteRelease = minFlyteRelease;
    this.wrap = wrap;
    this.settings = settings;
    this.options =
        customize.apply(
            new RuntimeOptions(
                Optional.empty(),
                List.of(),
                Duration.ofHours(1),
                java.util.Map.of("spark.log-links", LOG_LINKS),
                Optional.empty()));
    this.registry = RuntimeFactory.registry(options, java.util.Map.of());
    this.cluster =
        EmbeddedCluster.start(
            registry.plugins(),
            JflyteWorkload.of(JflyteWorkload.userCodeLoader(options.userCode())),
            Duration.ofMillis(20));
    startAgent();
  }

  /** The agent serving Flyte 1.16 and later (RETRYABLE_FAILED understood). */
  static AgentHarness start(Path work) throws Exception {
    return start(work, FlyteRelease.RETRYABLE_FAILED_PHASE, r -> r);
  }

  /**
   * @param minFlyteRelease the agent's {@code --min-flyte-release}
   * @param wrap wraps the real runtime (e.g. to record calls)
   */
  static AgentHarness start(
      Path work, FlyteRelease minFlyteRelease, UnaryOperator<TaskRuntime> wrap) throws Exception {
    return new AgentHarness(work, minFlyteRelease, wrap, o -> o, s -> s);
  }

  /**
   * @param options changes the agent's runtime options (namespaces, policy)
   * @param settings changes the agent server's settings
   */
  static AgentHarness start(
      Path work,
      UnaryOperator<TaskRuntime> wrap,
      UnaryOperator<RuntimeOptions> options,
      UnaryOperator<AgentServer.Settings> settings)
      throws Exception {
    return new AgentHarness(work, FlyteRelease.RETRYABLE_FAILED_PHASE, wrap, options, settings);
  }

  private void startAgent() throws Exception {
    runtime =
        wrap.apply(
            TestRuntimes.newRuntime(cluster, registry, RuntimeFactory.runtimeConfig(options)));
    server =
        AgentServer.start(
            settings.apply(
                new AgentServer.Settings(
                        0,
                        0,
                        "flyte-operator-agent",
                        4 << 20,
                        Optional.empty(),
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(10))
                    .withMinFlyteRelease(minFlyteRelease)
                    .withHealthInterval(Duration.ofMillis(50))),
            runtime,
            codec,
            new PrometheusRegistry(),
            Optional.of(PodLogs.of(cluster.kubernetes().client())));
  }

  /** Stops the agent (server and runtime) and starts a new one on the same cluster and key. */
  void restartAgent() throws Exception {
    server.close();
    startAgent();
  }

  int port() {
    return server.port();
  }

  /** The runtime the agent serves (as wrapped). */
  TaskRuntime runtime() {
    return runtime;
  }

  int metricsPort() {
    return server.metricsPort();
  }

  ResourceMetaCodec codec() {
    return codec;
  }

  /** The SparkApplications in the simulated cluster. */
  List<GenericKubernetesResource> applications() {
    return cluster
        .kubernetes()
        .client()
        .genericKubernetesResources(
            KubernetesTaskRuntime.context(new SparkOperatorPlugin().identity()))
        .inAnyNamespace()
        .list()
        .getItems();
  }

  /** Requests the mock API server has received so far. */
  long apiRequestCount() {
    return cluster.kubernetes().server().getRequestCount();
  }

  /** From now on the API server answers 500 to every GET of this task's resource. */
  void failApiGetsOf(TaskHandle handle) {
    cluster
        .kubernetes()
        .server()
        .expect()
        .get()
        .withPath(
            "/apis/sparkoperator.k8s.io/v1beta2/namespaces/"
                + handle.namespace()
                + "/sparkapplications/"
                + handle.name())
        .andReturn(500, "{\"kind\":\"Status\",\"code\":500,\"message\":\"etcd unavailable\"}")
        .always();
  }

  /** Deletes the task's resource through the API, behind the agent's back. */
  void deleteDirectly(TaskHandle handle) {
    cluster
        .kubernetes()
        .client()
        .genericKubernetesResources(
            KubernetesTaskRuntime.context(new SparkOperatorPlugin().identity()))
        .inNamespace(handle.namespace())
        .withName(handle.name())
        .delete();
  }

  /** A direct API read of the task's resource, as an agent without a cache would do. */
  GenericKubernetesResource directGet(TaskHandle handle) {
    return cluster
        .kubernetes()
        .newClientWithoutRetries(5_000)
        .genericKubernetesResources(
            KubernetesTaskRuntime.context(new SparkOperatorPlugin().identity()))
        .inNamespace(handle.namespace())
        .withName(handle.name())
        .get();
  }

  /** The API server answers the driver pod's log request with these lines. */
  void serveDriverLog(TaskHandle handle, int tailLines, String log) {
    cluster
        .kubernetes()
        .server()
        .expect()
        .get()
        .withPath(
            "/api/v1/namespaces/"
                + handle.namespace()
                + "/pods/"
                + handle.name()
                + "-driver/log?container="
                + dev.flyteplugin.backend.spark.SparkOperatorPlugin.DRIVER_CONTAINER
                + "&limitBytes="
                + (AgentServer.Settings.DEFAULT_MAX_LOG_BYTES + 1)
                + "&tailLines="
                + tailLines)
        .andReturn(200, log)
        .always();
  }

  @Override
  public void close() {
    server.close();
    cluster.close();
  }

  static LiteralMap inputs(long n) {
    return LiteralMap.newBuilder().putLiterals("n", integer(n)).build();
  }

  static long expectedOutput(long n) {
    return n * n;
  }

  static long outputOf(LiteralMap outputs) {
    return outputs.getLiteralsOrThrow("square").getScalar().getPrimitive().getInteger();
  }

  static Literal integer(long value) {
    return Literal.newBuilder()
        .setScalar(Scalar.newBuilder().setPrimitive(Primitive.newBuilder().setInteger(value)))
        .build();
  }
}
