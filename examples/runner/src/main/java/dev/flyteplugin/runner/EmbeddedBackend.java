package dev.flyteplugin.runner;

import dev.flyteplugin.backend.agent.ContainerArgsWorkload;
import dev.flyteplugin.backend.agent.EmbeddedCluster;
import dev.flyteplugin.backend.runtime.KubernetesTaskRuntime;
import dev.flyteplugin.backend.runtime.PluginRegistry;
import dev.flyteplugin.backend.runtime.RuntimeConfig;
import dev.flyteplugin.backend.runtime.TaskRuntime;
import dev.flyteplugin.backend.spark.LogLinkTemplate;
import dev.flyteplugin.backend.spark.SparkOperatorPlugin;
import dev.flyteplugin.backend.spark.SparkPluginConfig;
import dev.flyteplugin.backend.spark.simulation.SimulatedWorkload;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;

/**
 * The embedded default: an in-process Kubernetes API (fabric8 mock server, CRUD mode) with the
 * SIMULATED Spark operator, and the real backend runtime on top. The simulated driver runs the
 * task's container args ({@code jflyte execute ...}) in this JVM, so tasks really run and write
 * their outputs. For trying things and for tests; nothing here is a cluster.
 */
public final class EmbeddedBackend implements AutoCloseable {
  private final EmbeddedCluster cluster;
  private final KubernetesTaskRuntime runtime;

  private EmbeddedBackend(EmbeddedCluster cluster, RuntimeConfig config) {
    this.cluster = cluster;
    this.runtime = cluster.newRuntime(config);
    runtime.start();
  }

  /** Tasks run through jflyte's entrypoint with the user code of {@code userCode}. */
  public static EmbeddedBackend start(ClassLoader userCode) {
    return start(ContainerArgsWorkload.jflyte(userCode), Duration.ofMillis(100), defaultConfig());
  }

  /** A custom simulated workload (e.g. one that fails) and runtime settings. */
  public static EmbeddedBackend start(
      SimulatedWorkload workload, Duration operatorStepDelay, RuntimeConfig config) {
    return new EmbeddedBackend(
        EmbeddedCluster.start(registry(), workload, operatorStepDelay), config);
  }

  /**
   * The Spark plugin with the log links a cluster user would configure: the driver's log through
   * {@code kubectl proxy} (its default port), and the Spark history server.
   *
   * <p>PLUGIN AUTHOR SEAM: your plugin (and, in {@code EmbeddedCluster}, your simulated operator).
   */
  static PluginRegistry registry() {
    return PluginRegistry.of(
        new SparkOperatorPlugin(
            SparkPluginConfig.defaults()
                .withLogLinks(
                    List.of(
                        new LogLinkTemplate(
                            "Spark driver log (kubectl proxy)",
                            "http://localhost:8001/api/v1/namespaces/{namespace}/pods/{podName}/log")))
                .withHistoryServerUrl("http://localhost:18080")));
  }

  /**
   * Finished resources are swept a few seconds after the runner saw their result, as in a cluster
   * (hours there). No minimum TTL: the runner is the only poller and reads the result at once.
   */
  public static RuntimeConfig defaultConfig() {
    return RuntimeConfig.defaults()
        .withDefaultNamespace("flytesnacks-development")
        .withMinCleanupTtl(Duration.ZERO)
        .withCleanup(Duration.ofSeconds(2), Duration.ofMillis(500));
  }

  public TaskRuntime runtime() {
    return runtime;
  }

  /** A client of the in-process API server, to look at the resources. */
  public KubernetesClient client() {
    return cluster.kubernetes().client();
  }

  @Override
  public void close() {
    runtime.close();
    cluster.close();
  }
}
