package dev.flyteplugin.backend.api;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the deployment (not the task author) allows a task to ask of the cluster. The runtime hands
 * it to {@link OperatorPlugin#admit} for every task; a task that asks for more is refused as a
 * permanent failure naming the field.
 *
 * @param allowServiceAccountOverride whether a task's own config may choose the service account of
 *     the pods it runs; when false the pods run as the execution's {@code k8s_service_account}
 *     (Flyte's Go plugins always use that one), or the plugin's default when the execution names
 *     none
 * @param deniedConfKeys patterns of operator configuration keys (e.g. Spark conf) a task may not
 *     set: {@code *} matches any run of characters (dots included), matched case-insensitively
 */
public record TaskPolicy(boolean allowServiceAccountOverride, List<String> deniedConfKeys) {

  /**
   * Keys that reach the node or the cluster's credentials: host-path volumes, secret mounts and
   * secret environment, the driver's API credentials, and pod templates (which can hold any of
   * these).
   */
  public static final List<String> DEFAULT_DENIED_CONF_KEYS =
      List.of(
          "spark.kubernetes.*.volumes.hostPath.*",
          "spark.kubernetes.*.secrets.*",
          "spark.kubernetes.*.secretKeyRef.*",
          "spark.kubernetes.authenticate.*",
          "spark.kubernetes.*.podTemplateFile",
          "spark.kubernetes.*.podTemplateContainerName");

  public TaskPolicy {
    deniedConfKeys = List.copyOf(requireNonNull(deniedConfKeys, "deniedConfKeys"));
    for (String p : deniedConfKeys) {
      if (p.isBlank()) {
        throw new IllegalArgumentException("deniedConfKeys: a pattern is blank");
      }
    }
  }

  /** No service account override, {@link #DEFAULT_DENIED_CONF_KEYS}. */
  public static TaskPolicy defaults() {
    return new TaskPolicy(false, DEFAULT_DENIED_CONF_KEYS);
  }

  public TaskPolicy withAllowServiceAccountOverride(boolean value) {
    return new TaskPolicy(value, deniedConfKeys);
  }

  public TaskPolicy withDeniedConfKeys(List<String> value) {
    return new TaskPolicy(allowServiceAccountOverride, value);
  }

  /** The first denied pattern {@code key} matches, if any. */
  public Optional<String> deniedPattern(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    for (String pattern : deniedConfKeys) {
      if (glob(pattern).matcher(k).matches()) {
        return Optional.of(pattern);
      }
    }
    return Optional.empty();
  }

  private static Pattern glob(String pattern) {
    StringBuilder regex = new StringBuilder();
    for (String part : pattern.toLowerCase(Locale.ROOT).split("\\*", -1)) {
      if (regex.length() > 0) {
        regex.append(".*");
      }
      regex.append(Pattern.quote(part));
    }
    // split drops nothing with limit -1, so "a*" gives ["a", ""] -> quote(a).*quote("")
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }
}
