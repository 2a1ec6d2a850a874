package dev.flyteplugin.backend.agent;

import dev.flyteplugin.backend.api.TaskPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the agent's flags say about the runtime to build.
 *
 * @param kubeconfig the cluster's kubeconfig; empty = in-cluster or the client's defaults
 * @param namespaces namespaces tasks may run in; empty = all
 * @param ttl how long finished resources are kept
 * @param logLinks the Spark plugin's log links, {@code name=template|...}; empty = from the
 *     plugin's environment
 * @param sparkHistoryServer the Spark history server's base URL; empty = from the environment
 * @param userCode embedded mode: jars holding the users' tasks; empty = the agent's class path
 * @param policy what tasks may ask for (service account override, denied conf keys)
 */
public record RuntimeOptions(
    Optional<Path> kubeconfig,
    List<String> namespaces,
    Duration ttl,
    Optional<String> logLinks,
    Optional<String> sparkHistoryServer,
    Optional<Path> userCode,
    TaskPolicy policy) {
  public RuntimeOptions {
    namespaces = List.copyOf(namespaces);
    java.util.Objects.requireNonNull(policy, "policy");
  }

  /** With the default {@link TaskPolicy}. */
  public RuntimeOptions(
      Optional<Path> kubeconfig,
      List<String> namespaces,
      Duration ttl,
      Optional<String> logLinks,
      Optional<String> sparkHistoryServer,
      Optional<Path> userCode) {
    this(
        kubeconfig, namespaces, ttl, logLinks, sparkHistoryServer, userCode, TaskPolicy.defaults());
  }
}
