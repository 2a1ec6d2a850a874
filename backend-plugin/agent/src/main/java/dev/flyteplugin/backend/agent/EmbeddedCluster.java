package dev.flyteplugin.backend.agent;

import dev.flyteplugin.backend.api.OperatorPlugin;
import dev.flyteplugin.backend.runtime.KubernetesTaskRuntime;
import dev.flyteplugin.backend.runtime.PluginRegistry;
import dev.flyteplugin.backend.runtime.RuntimeConfig;
import dev.flyteplugin.backend.runtime.embedded.EmbeddedKubernetes;
import dev.flyteplugin.backend.spark.simulation.SimulatedSparkOperator;
import dev.flyteplugin.backend.spark.simulation.SimulatedWorkload;
import java.time.Duration;

/**
 * A SIMULATED cluster in this JVM: the fabric8 mock API server (CRUD mode) with the plugins' custom
 * resource kinds, and the {@link SimulatedSparkOperator} running a {@link SimulatedWorkload} for
 * each application. Used by the agent's embedded mode, its tests and the benchmark; never by a
 * deployment.
 */
public final class EmbeddedCluster implements AutoCloseable {
  // The mock web server logs every request at INFO through java.util.logging; keep a strong
  // reference so the level sticks.
  private static final java.util.logging.Logger MOCK_SERVER_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  /** Silences the mock API server's per-request log lines. */
  public static void quietMockServerLog() {
    MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private final PluginRegistry registry;
  private final EmbeddedKubernetes kubernetes;
  private final SimulatedSparkOperator operator;
  private final Object idle = new Object();
  private int runningWorkloads;

  private EmbeddedCluster(
      PluginRegistry registry,
      SimulatedWorkload workload,
      Duration operatorStepDelay,
      EmbeddedKubernetes.Options options) {
    this.registry = registry;
    quietMockServerLog();
    this.kubernetes =
        EmbeddedKubernetes.start(
            registry.plugins().stream().map(OperatorPlugin::identity).distinct().toList(), options);
    this.operator =
        SimulatedSparkOperator.automatic(
                kubernetes.newClient(builder -> {}), tracked(workload), operatorStepDelay)
            .start();
  }

  public static EmbeddedCluster start(
      PluginRegistry registry, SimulatedWorkload workload, Duration operatorStepDelay) {
    return start(registry, workload, operatorStepDelay, EmbeddedKubernetes.Options.defaults());
  }

  /**
   * @param options the API server's port and create latency ({@code embedded-cluster})
   */
  public static EmbeddedCluster start(
      PluginRegistry registry,
      SimulatedWorkload workload,
      Duration operatorStepDelay,
      EmbeddedKubernetes.Options options) {
    return new EmbeddedCluster(registry, workload, operatorStepDelay, options);
  }

  public EmbeddedKubernetes kubernetes() {
    return kubernetes;
  }

  public SimulatedSparkOperator operator() {
    return operator;
  }

  /**
   * A new runtime with its own client to the simulated API server, as a new agent process would
   * have. Closing the runtime leaves the cluster running.
   */
  public KubernetesTaskRuntime newRuntime(RuntimeConfig config) {
    return KubernetesTaskRuntime.builder()
        .client(kubernetes.newClient(builder -> {}))
        .registry(registry)
        .config(config)
        .build();
  }

  /** Counts running workloads so that {@link #close()} can wait for them to stop writing. */
  private SimulatedWorkload tracked(SimulatedWorkload workload) {
    return application -> {
      synchronized (idle) {
        runningWorkloads++;
      }
      try {
        return workload.run(application);
      } finally {
        synchronized (idle) {
          runningWorkloads--;
          idle.notifyAll();
        }
      }
    };
  }

  /** Stops the operator (interrupting running workloads, then waiting up to 10 s for them). */
  @Override
  public void close() {
    operator.close();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    synchronized (idle) {
      while (runningWorkloads > 0 && System.nanoTime() < deadline) {
        try {
          idle.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    kubernetes.close();
  }
}
