package dev.flyteplugin.backend.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Pieces of Kubernetes objects every plugin writes into its resource's spec the same way, so a
 * plugin maps its config's fields onto them with one call (Spark's and Flink's pod tolerations).
 */
public final class KubernetesObjects {
  private KubernetesObjects() {}

  /** A pod toleration ({@code core/v1 Toleration}), its empty fields left out. */
  public static Map<String, Object> toleration(
      String key, String operator, String value, String effect, Optional<Long> seconds) {
    Map<String, Object> toleration = new LinkedHashMap<>();
    putIfNotEmpty(toleration, "key", key);
    putIfNotEmpty(toleration, "operator", operator);
    putIfNotEmpty(toleration, "value", value);
    putIfNotEmpty(toleration, "effect", effect);
    seconds.ifPresent(s -> toleration.put("tolerationSeconds", s));
    return toleration;
  }

  /** Puts {@code value} under {@code key} unless it is null or empty (the operator's default). */
  public static void putIfNotEmpty(Map<String, Object> map, String key, String value) {
    if (value != null && !value.isEmpty()) {
      map.put(key, value);
    }
  }
}
