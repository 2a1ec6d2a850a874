package dev.flyteplugin.backend.agent;

import dev.flyteplugin.backend.runtime.KubernetesTaskRuntime;
import dev.flyteplugin.backend.runtime.PluginRegistry;
import dev.flyteplugin.backend.runtime.RuntimeConfig;
import dev.flyteplugin.backend.testing.EmbeddedCluster;

/** Runtimes on a simulated cluster, as a new agent process would build one. */
public final class TestRuntimes {
  private TestRuntimes() {}

  /** A new runtime with its own client; closing it leaves the cluster running. */
  public static KubernetesTaskRuntime newRuntime(
      EmbeddedCluster cluster, PluginRegistry registry, RuntimeConfig config) {
    return KubernetesTaskRuntime.builder()
        .client(cluster.newClient())
        .registry(registry)
        .config(config)
        .build();
  }
}
