package dev.flyteplugin.backend.agent;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/** Reads the last lines of a pod's log (for GetTaskLogs). */
@FunctionalInterface
public interface PodLogs {

  /**
   * @param lines how many lines from the end; 0 = the whole log
   */
  List<String> tail(String namespace, String pod, int lines);

  /** Through the Kubernetes API ({@code pods/log}, which the agent's role allows). */
  static PodLogs of(KubernetesClient client) {
    return (namespace, pod, lines) -> {
      var podResource = client.pods().inNamespace(namespace).withName(pod);
      String log = lines > 0 ? podResource.tailingLines(lines).getLog() : podResource.getLog();
      return log == null || log.isEmpty() ? List.of() : List.of(log.split("\r?\n"));
    };
  }
}
