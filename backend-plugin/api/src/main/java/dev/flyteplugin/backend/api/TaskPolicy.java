package dev.flyteplugin.backend.api;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What the deployment (not the task author) allows a task to ask of the cluster. The runtime hands
 * it to {@link OperatorPlugin#admit} for every task; a task that asks for more is refused as a
 * permanent failure naming the field. The checks every plugin needs are here ({@link
 * #checkServiceAccount}, {@link #checkConfKeys}), so plugins only say which fields they apply to.
 *
 * @param allowServiceAccountOverride whether a task's own config may choose the service account of
 *     the pods it runs; when false the pods run as the execution's {@code k8s_service_account}
 *     (Flyte's Go plugins always use that one), or the plugin's default when the execution names
 *     none
 * @param deniedConfKeys patterns of operator configuration keys (e.g. Spark conf) a task may not
 *     set: {@code *} matches any run of characters (dots included), matched case-insensitively
 * @param deniedConfKeysChosen whether the deployment chose {@code deniedConfKeys}; when false each
 *     plugin's own defaults apply ({@link #checkConfKeys})
 */
public record TaskPolicy(
    boolean allowServiceAccountOverride,
    List<String> deniedConfKeys,
    boolean deniedConfKeysChosen) {

  public TaskPolicy {
    deniedConfKeys = List.copyOf(requireNonNull(deniedConfKeys, "deniedConfKeys"));
    for (String p : deniedConfKeys) {
      if (p.isBlank()) {
        throw new IllegalArgumentException("deniedConfKeys: a pattern is blank");
      }
    }
  }

  /** No service account override; each plugin's default denied keys. */
  public static TaskPolicy defaults() {
    return new TaskPolicy(false, List.of(), false);
  }

  public TaskPolicy withAllowServiceAccountOverride(boolean value) {
    return new TaskPolicy(value, deniedConfKeys, deniedConfKeysChosen);
  }

  /** The deployment's own denied patterns, instead of the plugins' defaults. */
  public TaskPolicy withDeniedConfKeys(List<String> value) {
    return new TaskPolicy(allowServiceAccountOverride, value, true);
  }

  /**
   * Refuses a service account chosen by the task's config that differs from the one the execution
   * runs as, unless the deployment allows overrides.
   *
   * @param field the config field, e.g. {@code driver.serviceAccount}
   * @param chosen what the built resource asks for ("" = nothing)
   * @param expected the execution's account (else the plugin's default)
   */
  public void checkServiceAccount(String field, String chosen, String expected)
      throws PolicyViolationException {
    if (allowServiceAccountOverride || chosen.isEmpty() || chosen.equals(expected)) {
      return;
    }
    throw new PolicyViolationException(
        field
            + " '"
            + chosen
            + "' differs from the execution's service account '"
            + expected
            + "' (task_execution_metadata.k8s_service_account): this deployment does not let a"
            + " task choose its service account. Remove "
            + field
            + " from the task config, run the execution with that service account, or start the"
            + " agent with --allow-service-account-override");
  }

  /**
   * Refuses the first key matching a denied pattern: the deployment's ({@code --denied-conf-keys})
   * if it chose them, else {@code pluginDefaults}.
   *
   * @param field the config field holding the keys, e.g. {@code sparkConf}
   * @param pluginDefaults the plugin's patterns for keys that reach the node or the cluster's
   *     credentials
   */
  public void checkConfKeys(String field, Collection<?> keys, List<String> pluginDefaults)
      throws PolicyViolationException {
    List<String> patterns = deniedConfKeysChosen ? deniedConfKeys : pluginDefaults;
    for (Object key : keys) {
      String k = String.valueOf(key).toLowerCase(Locale.ROOT);
      for (String pattern : patterns) {
        if (glob(pattern).matcher(k).matches()) {
          throw new PolicyViolationException(
              field
                  + " key '"
                  + key
                  + "' is denied by this deployment (pattern '"
                  + pattern
                  + "': it reaches the node or the cluster's credentials). Remove it from the task"
                  + " config's "
                  + field
                  + "; an administrator can change the list with --denied-conf-keys /"
                  + " FLYTE_AGENT_DENIED_CONF_KEYS");
        }
      }
    }
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
