package dev.flyteplugin.backend.agent;

import dev.flyteplugin.backend.api.SimulatedClusterProvider;
import dev.flyteplugin.backend.api.SimulatedClusterProvider.SimulatedCluster;
import io.fabric8.kubernetes.client.Config;
import java.time.Duration;

/**
 * Embedded mode: a SIMULATED cluster in this JVM (the simulation kit, {@code
 * backend-plugin-testing}, found through ServiceLoader) whose simulated operators run the tasks'
 * container args through jflyte, so tasks really run and write their outputs; the agent serves it
 * as it serves a real cluster, through its kubeconfig, with the simulations' default plugin
 * settings (log links that work on a laptop). For demos and tests only.
 */
final class EmbeddedMode {
  private EmbeddedMode() {}

  /**
   * @param runTasks whether the simulated workloads run each task (else they succeed after 500 ms
   *     without running anything: the agent's own cost, for load tests)
   */
  static RuntimeFactory factory(boolean runTasks) {
    return options -> {
      SimulatedClusterProvider provider =
          SimulatedClusterProvider.load(EmbeddedMode.class.getClassLoader());
      SimulatedCluster cluster =
          provider.start(
              RuntimeFactory.plugins(),
              new SimulatedClusterProvider.Options(
                  options.userCode(), runTasks, Duration.ofMillis(200), 0, Duration.ZERO));
      try {
        RuntimeFactory.OpenedRuntime opened =
            RuntimeFactory.open(
                Config.fromKubeconfig(cluster.kubeconfig()), options, provider.embeddedSettings());
        return new RuntimeFactory.OpenedRuntime(
            new OwningRuntime(opened.runtime(), cluster), opened.podLogs());
      } catch (RuntimeException e) {
        cluster.close();
        throw e;
      }
    };
  }
}
