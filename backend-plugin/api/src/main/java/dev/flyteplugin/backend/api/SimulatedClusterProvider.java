package dev.flyteplugin.backend.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Starts a SIMULATED cluster (an in-process API server with every plugin's simulated operator) for
 * the agent's embedded mode. Implemented by {@code backend-plugin-testing} and found through
 * ServiceLoader, so the agent names no simulation and production jars need none: the agent then
 * serves the simulated cluster exactly as a real one, through its kubeconfig.
 */
public interface SimulatedClusterProvider {

  /**
   * @param plugins the plugins to simulate operators for (those with a simulation)
   */
  SimulatedCluster start(List<OperatorPlugin> plugins, Options options);

  /**
   * The plugin settings embedded mode uses unless the user sets them, as {@code plugin.key} to
   * value (e.g. log links that work on a laptop): what the runner prints, the agent reports.
   */
  Map<String, String> embeddedSettings();

  /** A running simulated cluster. */
  interface SimulatedCluster extends AutoCloseable {
    /** A kubeconfig for its API server. */
    String kubeconfig();

    /** Stops the simulated operators, then the API server. */
    @Override
    void close();
  }

  /**
   * @param userCode jars with the users' tasks that the simulated workloads run; empty = the
   *     caller's class path
   * @param runTasks whether simulated workloads run the tasks (else they succeed after a pause
   *     without running anything: the agent's own cost, for load tests)
   * @param operatorStepDelay pause between a simulated operator's state changes
   * @param port the API server's port; 0 picks a free one
   * @param createLatency how late the API server answers a POST of a custom resource
   */
  record Options(
      Optional<Path> userCode,
      boolean runTasks,
      Duration operatorStepDelay,
      int port,
      Duration createLatency) {}

  /**
   * The provider on the class path.
   *
   * @throws IllegalStateException naming the missing jar
   */
  static SimulatedClusterProvider load(ClassLoader classLoader) {
    return ServiceLoader.load(SimulatedClusterProvider.class, classLoader)
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "embedded mode needs the simulation kit on the class path"
                        + " (dev.flyteplugin:backend-plugin-testing; the agent's distribution"
                        + " has it in lib/)"));
  }
}
