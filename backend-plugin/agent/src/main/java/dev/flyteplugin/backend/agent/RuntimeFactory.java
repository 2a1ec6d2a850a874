package dev.flyteplugin.backend.agent;

import dev.flyteplugin.backend.api.OperatorPlugin;
import dev.flyteplugin.backend.api.PluginSetting;
import dev.flyteplugin.backend.runtime.KubernetesTaskRuntime;
import dev.flyteplugin.backend.runtime.PluginRegistry;
import dev.flyteplugin.backend.runtime.RuntimeConfig;
import dev.flyteplugin.backend.runtime.TaskRuntime;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
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
      return open(config, options, Map.of());
    };
  }

  /** The runtime on a cluster reached through {@code config}. */
  static OpenedRuntime open(
      Config config, RuntimeOptions options, Map<String, String> defaultSettings) {
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    TaskRuntime runtime =
        KubernetesTaskRuntime.builder()
            .client(client)
            .registry(registry(options, defaultSettings))
            .config(runtimeConfig(options))
            .build();
    return new OpenedRuntime(new OwningRuntime(runtime, client), PodLogs.of(client));
  }

  /** Every plugin on the agent's class path (ServiceLoader), found with its defaults. */
  static List<OperatorPlugin> plugins() {
    List<OperatorPlugin> plugins = new ArrayList<>();
    ServiceLoader.load(OperatorPlugin.class, AgentMain.class.getClassLoader())
        .forEach(plugins::add);
    if (plugins.isEmpty()) {
      throw new IllegalStateException(
          "no OperatorPlugin on the agent's class path: put a plugin's jar in lib/ (e.g."
              + " backend-plugin-spark)");
    }
    return plugins;
  }

  /**
   * Every plugin on the class path, configured with its settings: {@code defaultSettings} (embedded
   * mode's), then {@code FLYTEPLUGIN_<PLUGIN>_<KEY>} variables, then {@code --plugin-config}.
   */
  static PluginRegistry registry(RuntimeOptions options, Map<String, String> defaultSettings) {
    return PluginRegistry.configured(
        AgentMain.class.getClassLoader(), defaultSettings, System.getenv(), options.pluginConfig());
  }

  /** The end of {@code --help}: every plugin on the class path with its settings. */
  static String pluginSettingsHelp() {
    StringBuilder help = new StringBuilder("%nPlugins on the class path and their settings:%n");
    try {
      for (OperatorPlugin plugin : plugins()) {
        help.append(String.format("%n  %s (task types %s)%n", plugin.name(), plugin.taskTypes()));
        for (PluginSetting setting : plugin.settings()) {
          help.append(
              String.format(
                  "    --plugin-config %s.%s=...  (env %s)%n        %s%n",
                  plugin.name(),
                  setting.key(),
                  setting.environmentVariable(plugin.name()),
                  setting.description().replace("%", "%%")));
        }
      }
    } catch (IllegalStateException e) {
      help.append("  ").append(e.getMessage()).append("%n");
    }
    return help.toString();
  }

  static RuntimeConfig runtimeConfig(RuntimeOptions options) {
    Duration sweep =
        options.ttl().compareTo(Duration.ofMinutes(1)) < 0
            ? Duration.ofSeconds(Math.max(1, options.ttl().toSeconds()))
            : Duration.ofMinutes(1);
    return RuntimeConfig.defaults()
        .withAllowedNamespaces(Set.copyOf(options.namespaces()))
        .withPolicy(options.policy())
        .withMaxPreRunning(options.maxPreRunning())
        .withCleanup(options.ttl(), sweep);
  }
}
