package dev.flyteplugin.backend.testing;

import com.google.auto.service.AutoService;
import dev.flyteplugin.backend.api.OperatorPlugin;
import dev.flyteplugin.backend.api.SimulatedClusterProvider;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** Embedded mode's simulated cluster for the agent, found through ServiceLoader. */
@AutoService(SimulatedClusterProvider.class)
public final class EmbeddedClusterProvider implements SimulatedClusterProvider {

  @Override
  public SimulatedCluster start(List<OperatorPlugin> plugins, Options options) {
    SimulatedWorkload workload =
        options.runTasks()
            ? JflyteWorkload.of(JflyteWorkload.userCodeLoader(options.userCode()))
            : SimulatedWorkload.succeedAfter(Duration.ofMillis(500));
    EmbeddedCluster cluster =
        EmbeddedCluster.start(
            plugins,
            workload,
            options.operatorStepDelay(),
            new EmbeddedKubernetes.Options(options.port(), options.createLatency()));
    return new SimulatedCluster() {
      @Override
      public String kubeconfig() {
        return cluster.kubernetes().kubeconfig();
      }

      @Override
      public void close() {
        cluster.close();
      }
    };
  }

  /** Every simulation's embedded settings, as {@code plugin.key}. */
  @Override
  public Map<String, String> embeddedSettings() {
    return settings();
  }

  /** Every simulation's embedded settings, as {@code plugin.key} (also for the runner). */
  public static Map<String, String> settings() {
    Map<String, String> settings = new LinkedHashMap<>();
    for (OperatorSimulation simulation :
        ServiceLoader.load(OperatorSimulation.class, EmbeddedCluster.class.getClassLoader())) {
      settings.putAll(simulation.embeddedSettings());
    }
    return settings;
  }
}
