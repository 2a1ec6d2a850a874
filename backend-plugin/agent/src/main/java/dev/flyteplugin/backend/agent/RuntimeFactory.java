package dev.flyteplugin.backend.agent;

import dev.flyteplugin.backend.api.OperatorPlugin;
import dev.flyteplugin.backend.runtime.KubernetesTaskRuntime;
import dev.flyteplugin.backend.runtime.PluginRegistry;
import dev.flyteplugin.backend.runtime.RuntimeConfig;
import dev.flyteplugin.backend.runtime.TaskRuntime;
import dev.flyteplugin.backend.spark.SparkOperatorPlugin;
import dev.flyteplugin.backend.spark.SparkPluginConfig;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;

/** Builds the runtime the agent serves: against a real cluster, or the embedded simulation. */
interface RuntimeFactory {
  OpenedRuntime open(RuntimeOptions options) throws Exception;

  /** The runtime and a reader of its pods' logs (same cluster). */
  record OpenedRuntime(TaskRuntime runtime, PodLogs podLogs) {}

  /** A real cluster: {@code --kubeconfig}, else fabric8's defaults (in-cluster, $KUBECONFIG). */
  static RuntimeFactory cluster() {
    return options -> {
      Config config =
          options.kubeconfig().isPresent()
              ? Config.fromKubeconfig(
                  Files.readString(options.kubeconfig().get(), StandardCharsets.UTF_8))
              : Config.autoConfigure(null);
      KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
      TaskRuntime runtime =
          KubernetesTaskRuntime.builder()
              .client(client)
              .registry(registry(options))
              .config(runtimeConfig(options))
              .build();
      return new OpenedRuntime(new OwningRuntime(runtime, client), PodLogs.of(client));
    };
  }

  /**
   * Every plugin on the class path (ServiceLoader); the Spark plugin gets the agent's log link and
   * history server flags on top of its {@code FLYTEPLUGIN_SPARK_*} environment.
   */
  static PluginRegistry registry(RuntimeOptions options) {
    Map<String, String> env = new HashMap<>(System.getenv());
    options.logLinks().ifPresent(v -> env.put("FLYTEPLUGIN_SPARK_LOG_LINKS", v));
    options.sparkHistoryServer().ifPresent(v -> env.put("FLYTEPLUGIN_SPARK_HISTORY_SERVER_URL", v));
    List<OperatorPlugin> plugins = new ArrayList<>();
    plugins.add(new SparkOperatorPlugin(SparkPluginConfig.fromEnvironment(env)));
    ServiceLoader.load(OperatorPlugin.class, AgentMain.class.getClassLoader()).stream()
        .filter(provider -> provider.type() != SparkOperatorPlugin.class)
        .map(ServiceLoader.Provider::get)
        .forEach(plugins::add);
    return PluginRegistry.of(plugins);
  }

  static RuntimeConfig runtimeConfig(RuntimeOptions options) {
    Duration sweep =
        options.ttl().compareTo(Duration.ofMinutes(1)) < 0
            ? Duration.ofSeconds(Math.max(1, options.ttl().toSeconds()))
            : Duration.ofMinutes(1);
    return RuntimeConfig.defaults()
        .withAllowedNamespaces(Set.copyOf(options.namespaces()))
        .withPolicy(options.policy())
        .withCleanup(options.ttl(), sweep);
  }
}
