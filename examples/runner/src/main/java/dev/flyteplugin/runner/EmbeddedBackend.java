package dev.flyteplugin.runner;

import dev.flyteplugin.backend.runtime.KubernetesTaskRuntime;
import dev.flyteplugin.backend.runtime.PluginRegistry;
import dev.flyteplugin.backend.runtime.RuntimeConfig;
import dev.flyteplugin.backend.runtime.TaskRuntime;
import dev.flyteplugin.backend.testing.EmbeddedCluster;
import dev.flyteplugin.backend.testing.EmbeddedClusterProvider;
import dev.flyteplugin.backend.testing.JflyteWorkload;
import dev.flyteplugin.backend.testing.SimulatedWorkload;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;

/**
 * The embedded default: an in-process Kubernetes API (fabric8 mock server, CRUD mode) with every
 * plugin's SIMULATED operator, and the real backend runtime on top, with every plugin on the class
 * path (ServiceLoader). The simulated workloads run the task's container args ({@code jflyte
 * execute ...}) in this JVM, so tasks really run and write their outputs. For trying things and for
 * tests; nothing here is a cluster.
 */
public final class EmbeddedBackend implements AutoCloseable {
  private final EmbeddedCluster cluster;
  private final KubernetesTaskRuntime runtime;

  private EmbeddedBackend(EmbeddedCluster cluster, PluginRegistry registry, RuntimeConfig config) {
    this.cluster = cluster;
    this.runtime =
        KubernetesTaskRuntime.builder()
            .client(cluster.newClient())
            .registry(registry)
            .config(config)
            .build();
    runtime.start();
  }

  /** Tasks run through jflyte's entrypoint with the user code of {@code userCode}. */
  public static EmbeddedBackend start(ClassLoader userCode) {
    return start(JflyteWorkload.of(userCode), Duration.ofMillis(100), defaultConfig());
  }

  /** A custom simulated workload (e.g. one that fails) and runtime settings. */
  public static EmbeddedBackend start(
      SimulatedWorkload workload, Duration operatorStepDelay, RuntimeConfig config) {
    PluginRegistry registry = registry();
    return new EmbeddedBackend(
        EmbeddedCluster.start(registry.plugins(), workload, operatorStepDelay), registry, config);
  }

  /**
   * Every plugin on the class path with the settings a cluster user would configure, as the
   * simulations suggest them (e.g. the driver's log through {@code kubectl proxy}, the Spark
   * history server); {@code FLYTEPLUGIN_*} variables win, as in the agent.
   */
  static PluginRegistry registry() {
    return PluginRegistry.configured(
        EmbeddedBackend.class.getClassLoader(),
        EmbeddedClusterProvider.settings(),
        System.getenv(),
        Map.of());
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
