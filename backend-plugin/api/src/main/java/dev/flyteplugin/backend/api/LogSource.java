package dev.flyteplugin.backend.api;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;

/**
 * Which pod's log GetTaskLogs streams for a task: a pod by name (read with {@code pods/log} get
 * only), or, when the operator names its pods unpredictably, the first pod matching labels (which
 * also needs {@code pods} list).
 *
 * @param pod the pod's name; empty to find it by {@code selector}
 * @param selector labels of the pod when {@code pod} is empty
 * @param container the container whose log is read
 */
public record LogSource(Optional<String> pod, Map<String, String> selector, String container) {
  public LogSource {
    requireNonNull(pod, "pod");
    selector = Map.copyOf(selector);
    requireNonNull(container, "container");
    if (pod.isEmpty() && selector.isEmpty()) {
      throw new IllegalArgumentException("a log source needs a pod name or a label selector");
    }
  }

  public static LogSource pod(String name, String container) {
    return new LogSource(Optional.of(name), Map.of(), container);
  }

  public static LogSource selector(Map<String, String> labels, String container) {
    return new LogSource(Optional.empty(), labels, container);
  }
}
