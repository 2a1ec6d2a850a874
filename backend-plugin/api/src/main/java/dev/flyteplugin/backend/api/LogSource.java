package dev.flyteplugin.backend.api;

import static java.util.Objects.requireNonNull;

/**
 * Which pod's log GetTaskLogs streams for a task, by name: the agent reads it with {@code pods/log}
 * get only. There is deliberately no lookup by labels: that needs {@code pods} list, and pod specs
 * hold env values the agent has no business reading. A plugin whose operator names the pod
 * unpredictably (Flink's JobManager, named after a Deployment) names none and relies on links.
 *
 * @param pod the pod's name
 * @param container the container whose log is read
 */
public record LogSource(String pod, String container) {
  public LogSource {
    requireNonNull(pod, "pod");
    requireNonNull(container, "container");
  }

  public static LogSource pod(String name, String container) {
    return new LogSource(name, container);
  }
}
