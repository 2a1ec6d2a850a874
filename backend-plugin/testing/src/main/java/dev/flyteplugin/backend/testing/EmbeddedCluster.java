package dev.flyteplugin.backend.testing;

import dev.flyteplugin.backend.api.OperatorPlugin;
import dev.flyteplugin.backend.api.ResourceIdentity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * A SIMULATED cluster in this JVM: the fabric8 mock API server (CRUD mode) with the plugins' custom
 * resource kinds, and for each plugin the simulated operator its {@link OperatorSimulation}
 * describes, running a {@link SimulatedWorkload} for each resource. Used by embedded mode, tests,
 * the examples and the benchmark; never by a deployment.
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

  private final EmbeddedKubernetes kubernetes;
  private final List<SimulatedOperator> operators = new ArrayList<>();
  private final Object idle = new Object();
  private int runningWorkloads;

  private EmbeddedCluster(
      List<? extends OperatorPlugin> plugins,
      SimulatedWorkload workload,
      Duration operatorStepDelay,
      EmbeddedKubernetes.Options options) {
    quietMockServerLog();
    List<ResourceIdentity> kinds =
        plugins.stream().map(OperatorPlugin::identity).distinct().toList();
    this.kubernetes = EmbeddedKubernetes.start(kinds, options);
    Map<ResourceIdentity, OperatorScript> scripts = scripts();
    for (ResourceIdentity kind : kinds) {
      OperatorScript script = scripts.get(kind);
      if (script == null) {
        continue; // a plugin without a simulation: its resources stay as created
      }
      operators.add(
          SimulatedOperator.automatic(
                  kubernetes.newClient(builder -> {}), script, tracked(workload), operatorStepDelay)
              .start());
    }
  }

  /** Every simulation on the class path, by the kind it simulates. */
  public static Map<ResourceIdentity, OperatorScript> scripts() {
    Map<ResourceIdentity, OperatorScript> scripts = new LinkedHashMap<>();
    for (OperatorSimulation simulation :
        ServiceLoader.load(OperatorSimulation.class, EmbeddedCluster.class.getClassLoader())) {
      OperatorScript script = simulation.script();
      scripts.put(script.identity(), script);
    }
    return scripts;
  }

  public static EmbeddedCluster start(
      List<? extends OperatorPlugin> plugins, SimulatedWorkload workload, Duration stepDelay) {
    return start(plugins, workload, stepDelay, EmbeddedKubernetes.Options.defaults());
  }

  /**
   * @param options the API server's port and create latency
   */
  public static EmbeddedCluster start(
      List<? extends OperatorPlugin> plugins,
      SimulatedWorkload workload,
      Duration stepDelay,
      EmbeddedKubernetes.Options options) {
    return new EmbeddedCluster(plugins, workload, stepDelay, options);
  }

  public EmbeddedKubernetes kubernetes() {
    return kubernetes;
  }

  /** A new client of the API server, as a new agent process would have. */
  public KubernetesClient newClient() {
    return kubernetes.newClient(builder -> {});
  }

  /** The simulated operator of {@code kind}. */
  public Optional<SimulatedOperator> operator(ResourceIdentity kind) {
    return operators.stream().filter(o -> o.script().identity().equals(kind)).findFirst();
  }

  /** Counts running workloads so that {@link #close()} can wait for them to stop writing. */
  private SimulatedWorkload tracked(SimulatedWorkload workload) {
    return task -> {
      synchronized (idle) {
        runningWorkloads++;
      }
      try {
        return workload.run(task);
      } finally {
        synchronized (idle) {
          runningWorkloads--;
          idle.notifyAll();
        }
      }
    };
  }

  /** Stops the operators (interrupting running workloads, then waiting up to 10 s for them). */
  @Override
  public void close() {
    operators.forEach(SimulatedOperator::close);
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
