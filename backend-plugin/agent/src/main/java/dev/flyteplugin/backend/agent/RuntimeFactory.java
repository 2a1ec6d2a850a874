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
import java.util.List;
import java.util.Map;
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
            .registry(served(registry(options, defaultSettings), options.plugins(), client))
            .config(runtimeConfig(options))
            .build();
    return new OpenedRuntime(new OwningRuntime(runtime, client), PodLogs.of(client));
  }

  /**
   * The plugins to serve: those {@code --plugins} names, else those whose custom resource kind the
   * cluster has. An agent must not wait forever for an informer of a kind whose operator is not
   * installed (its list answers 404 and the agent would never become SERVING).
   *
   * @throws dev.flyteplugin.backend.api.InvalidSettingException naming a plugin that does not exist
   */
  static PluginRegistry served(PluginRegistry all, List<String> names, KubernetesClient client) {
    List<String> known = all.plugins().stream().map(OperatorPlugin::name).sorted().toList();
    if (!names.isEmpty()) {
      for (String name : names) {
        if (!known.contains(name)) {
          throw new dev.flyteplugin.backend.api.InvalidSettingException(
              "--plugins " + name + ": no such plugin on the class path; there are " + known);
        }
      }
      return all.filter(plugin -> names.contains(plugin.name()));
    }
    return all.filter(plugin -> kindInstalled(client, plugin));
  }

  /** Whether the cluster has the plugin's CRD; true when the agent may not read CRDs (403). */
  static boolean kindInstalled(KubernetesClient client, OperatorPlugin plugin) {
    String crd = plugin.identity().plural() + "." + plugin.identity().group();
    try {
      if (client.apiextensions().v1().customResourceDefinitions().withName(crd).get() != null) {
        return true;
      }
      org.slf4j.LoggerFactory.getLogger(RuntimeFactory.class)
          .warn(
              "plugin {} is not served: the cluster has no CRD {} (install its operator, or name"
                  + " the plugins to serve with --plugins)",
              plugin.name(),
              crd);
      return false;
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      return true; // no right to read CRDs (e.g. namespaced Roles only): serve it
    }
  }

  /** Every plugin on the agent's class path (ServiceLoader), found with its defaults. */
  static List<OperatorPlugin> plugins() {
    return PluginRegistry.load(AgentMain.class.getClassLoader()).plugins();
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
