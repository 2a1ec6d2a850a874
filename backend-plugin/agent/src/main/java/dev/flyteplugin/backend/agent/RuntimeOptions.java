package dev.flyteplugin.backend.agent;

import dev.flyteplugin.backend.api.TaskPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the agent's flags say about the runtime to build.
 *
 * @param kubeconfig the cluster's kubeconfig; empty = in-cluster or the client's defaults
 * @param namespaces namespaces tasks may run in; empty = all
 * @param ttl how long finished resources are kept
 * @param pluginConfig {@code plugin.key} to value ({@code --plugin-config}); over the environment
 * @param userCode embedded mode: jars holding the users' tasks; empty = the agent's class path
 * @param policy what tasks may ask for (service account override, denied conf keys)
 * @param plugins the plugins to serve by name ({@code --plugins}); empty = every plugin on the
 *     class path whose custom resource kind the cluster has
 * @param maxPreRunning the pre-running limit ({@code --max-pre-running}); zero = none
 */
public record RuntimeOptions(
    Optional<Path> kubeconfig,
    List<String> namespaces,
    Duration ttl,
    Map<String, String> pluginConfig,
    Optional<Path> userCode,
    TaskPolicy policy,
    List<String> plugins,
    Duration maxPreRunning) {
  public RuntimeOptions {
    plugins = List.copyOf(plugins);
    namespaces = List.copyOf(namespaces);
    pluginConfig = Map.copyOf(pluginConfig);
    java.util.Objects.requireNonNull(policy, "policy");
    java.util.Objects.requireNonNull(maxPreRunning, "maxPreRunning");
  }

  /** Every plugin the cluster has the kind of; no pre-running limit. */
  public RuntimeOptions(
      Optional<Path> kubeconfig,
      List<String> namespaces,
      Duration ttl,
      Map<String, String> pluginConfig,
      Optional<Path> userCode,
      TaskPolicy policy) {
    this(kubeconfig, namespaces, ttl, pluginConfig, userCode, policy, List.of(), Duration.ZERO);
  }

  /** With the default {@link TaskPolicy}. */
  public RuntimeOptions(
      Optional<Path> kubeconfig,
      List<String> namespaces,
      Duration ttl,
      Map<String, String> pluginConfig,
      Optional<Path> userCode) {
    this(kubeconfig, namespaces, ttl, pluginConfig, userCode, TaskPolicy.defaults());
  }
}
