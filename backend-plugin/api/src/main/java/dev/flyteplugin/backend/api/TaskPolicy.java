package dev.flyteplugin.backend.api;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * @param allowedTolerations patterns of taint keys a task's pods may tolerate with effect {@code
 *     NoSchedule} or {@code NoExecute} ({@code *} = any, also a key-less {@code Exists}); empty
 *     allows none ({@link #checkTolerations})
 * @param allowedPriorityClasses patterns of priority class names a task's pods may ask for; empty
 *     allows none ({@link #checkPriorityClass})
 */
public record TaskPolicy(
    boolean allowServiceAccountOverride,
    List<String> deniedConfKeys,
    boolean deniedConfKeysChosen,
    List<String> allowedTolerations,
    List<String> allowedPriorityClasses) {

  public TaskPolicy {
    deniedConfKeys = patterns("deniedConfKeys", deniedConfKeys);
    allowedTolerations = patterns("allowedTolerations", allowedTolerations);
    allowedPriorityClasses = patterns("allowedPriorityClasses", allowedPriorityClasses);
  }

  private static List<String> patterns(String name, List<String> patterns) {
    for (String p : requireNonNull(patterns, name)) {
      if (p.isBlank()) {
        throw new IllegalArgumentException(name + ": a pattern is blank");
      }
    }
    return List.copyOf(patterns);
  }

  /**
   * No service account override; each plugin's default denied keys; no toleration of a NoSchedule
   * or NoExecute taint and no priority class chosen by a task.
   */
  public static TaskPolicy defaults() {
    return new TaskPolicy(false, List.of(), false, List.of(), List.of());
  }

  public TaskPolicy withAllowServiceAccountOverride(boolean value) {
    return new TaskPolicy(
        value, deniedConfKeys, deniedConfKeysChosen, allowedTolerations, allowedPriorityClasses);
  }

  /** The deployment's own denied patterns, instead of the plugins' defaults. */
  public TaskPolicy withDeniedConfKeys(List<String> value) {
    return new TaskPolicy(
        allowServiceAccountOverride, value, true, allowedTolerations, allowedPriorityClasses);
  }

  /** Taint keys (patterns) a task may tolerate; {@code *} allows every toleration. */
  public TaskPolicy withAllowedTolerations(List<String> value) {
    return new TaskPolicy(
        allowServiceAccountOverride,
        deniedConfKeys,
        deniedConfKeysChosen,
        value,
        allowedPriorityClasses);
  }

  /** Priority class names (patterns) a task may ask for; {@code *} allows any. */
  public TaskPolicy withAllowedPriorityClasses(List<String> value) {
    return new TaskPolicy(
        allowServiceAccountOverride,
        deniedConfKeys,
        deniedConfKeysChosen,
        allowedTolerations,
        value);
  }

  /**
   * Refuses a toleration that lets a task's pods onto nodes the cluster reserved with a {@code
   * NoSchedule} or {@code NoExecute} taint (dedicated, GPU or system nodes), unless the deployment
   * allows its key. A {@code PreferNoSchedule} toleration is only a preference and passes. An empty
   * effect tolerates every effect, and {@code Exists} without a key every taint (Kubernetes'
   * Toleration semantics), so those need {@code *}.
   *
   * @param field the config field, e.g. {@code driver.tolerations}
   * @param tolerations the built resource's tolerations (maps with key, operator, effect)
   */
  public void checkTolerations(String field, List<?> tolerations) throws PolicyViolationException {
    for (int i = 0; i < tolerations.size(); i++) {
      Map<?, ?> t = tolerations.get(i) instanceof Map<?, ?> m ? m : Map.of();
      String key = text(t.get("key"));
      String effect = text(t.get("effect"));
      if (effect.equals("PreferNoSchedule")) {
        continue;
      }
      boolean everyKey = key.isEmpty();
      if (anyMatches(allowedTolerations, everyKey ? "*" : key, everyKey)) {
        continue;
      }
      throw new PolicyViolationException(
          field
              + "["
              + i
              + "] tolerates "
              + (everyKey ? "every taint" : "taint '" + key + "'")
              + " with effect "
              + (effect.isEmpty() ? "any (NoSchedule and NoExecute included)" : effect)
              + ": this deployment does not let a task place pods on nodes reserved by taints."
              + " Remove the toleration (or use effect PreferNoSchedule), or an administrator"
              + " allows the key with --allowed-tolerations / FLYTE_AGENT_ALLOWED_TOLERATIONS"
              + (everyKey ? " ('*': every taint)" : " (e.g. '" + key + "')"));
    }
  }

  /**
   * Refuses a priority class the deployment does not allow: a higher priority preempts other
   * workloads' pods, which the deployment, not a task author, decides.
   *
   * @param field the config field, e.g. {@code priorityClassName}
   * @param name the built resource's priority class ("" = none)
   */
  public void checkPriorityClass(String field, String name) throws PolicyViolationException {
    if (name.isEmpty() || anyMatches(allowedPriorityClasses, name, false)) {
      return;
    }
    throw new PolicyViolationException(
        field
            + " '"
            + name
            + "' is not allowed by this deployment (a priority class can preempt other"
            + " workloads). Remove it from the task config, or an administrator allows it with"
            + " --allowed-priority-classes / FLYTE_AGENT_ALLOWED_PRIORITY_CLASSES (e.g. '"
            + name
            + "')");
  }

  /** Whether a pattern matches {@code value}; {@code onlyStar}: only the pattern "*" counts. */
  private static boolean anyMatches(List<String> patterns, String value, boolean onlyStar) {
    for (String pattern : patterns) {
      if (onlyStar
          ? pattern.trim().equals("*")
          : glob(pattern).matcher(value.toLowerCase(Locale.ROOT)).matches()) {
        return true;
      }
    }
    return false;
  }

  private static String text(Object value) {
    return value == null ? "" : value.toString();
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
