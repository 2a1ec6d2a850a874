package dev.flyteplugin.proto;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Kubernetes' own rules for values a plugin config passes through to pods: quantities, object
 * names, labels, tolerations, images, pull policies, environment variable names. Written once for
 * every plugin's validator: each check is one call with the field's JSON path, adds at most a few
 * {@link ConfigViolation}s to {@code out}, and accepts an empty value (unset: the operator's or
 * cluster's default applies).
 */
public final class KubernetesRules {
  /** A CPU quantity: "1", "0.5", "1500m". */
  static final Pattern CPU_QUANTITY = Pattern.compile("(\\d+(\\.\\d+)?|\\.\\d+)m?");

  /** A memory quantity: "512Mi", "4Gi", "1G", "1500000", "1e9". */
  static final Pattern MEMORY_QUANTITY =
      Pattern.compile("(\\d+(\\.\\d+)?|\\.\\d+)([eE]\\d+|Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?");

  /** A label value (and the name part of a key): at most 63 characters, alphanumeric ends. */
  static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");

  /** A DNS-1123 subdomain: the name of most Kubernetes objects. */
  static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  /** What the API server accepts as an environment variable name (C identifiers and more). */
  static final Pattern ENV_VAR_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");

  private static final Set<String> PULL_POLICIES = Set.of("Always", "IfNotPresent", "Never");
  private static final Set<String> TOLERATION_OPERATORS = Set.of("", "Exists", "Equal");
  private static final Set<String> TOLERATION_EFFECTS =
      Set.of("", "NoSchedule", "PreferNoSchedule", "NoExecute");

  private KubernetesRules() {}

  /** A CPU quantity ("2", "0.5", "1500m"). */
  public static void cpu(String field, String value, List<ConfigViolation> out) {
    if (!value.isEmpty() && !CPU_QUANTITY.matcher(value).matches()) {
      out.add(
          new ConfigViolation(
              field,
              "\"" + value + "\" is not a Kubernetes CPU quantity",
              "write cores (\"2\", \"0.5\") or millicores (\"1500m\")"));
    }
  }

  /** A memory quantity ("512Mi", "4Gi"). */
  public static void memory(String field, String value, List<ConfigViolation> out) {
    if (!value.isEmpty() && !MEMORY_QUANTITY.matcher(value).matches()) {
      out.add(
          new ConfigViolation(
              field,
              "\"" + value + "\" is not a Kubernetes memory quantity",
              "write bytes with a unit Ki, Mi, Gi, Ti (or k, M, G, T), e.g. \"512Mi\" or \"4Gi\""
                  + (value.matches("\\d+[kKmMgGtT][bB]?") && !value.matches("\\d+[kMGT]")
                      ? " (Kubernetes does not read \"" + value + "\")"
                      : "")));
    }
  }

  /** The name of a Kubernetes object (service account, priority class, config map ...). */
  public static void objectName(String field, String value, List<ConfigViolation> out) {
    if (!value.isEmpty() && (value.length() > 253 || !DNS_SUBDOMAIN.matcher(value).matches())) {
      out.add(
          new ConfigViolation(
              field,
              "\"" + value + "\" is not a Kubernetes object name",
              "use lower-case letters, digits, '-' and '.'"));
    }
  }

  /** An image reference: not blank, no whitespace. */
  public static void image(String field, String value, List<ConfigViolation> out) {
    if (!value.isEmpty() && (value.isBlank() || value.chars().anyMatch(Character::isWhitespace))) {
      out.add(
          new ConfigViolation(
              field,
              "\"" + value + "\" is not an image reference",
              "give an image such as ghcr.io/org/app:1.0, without spaces"));
    }
  }

  /** An image pull policy: Always, IfNotPresent or Never. */
  public static void pullPolicy(String field, String value, List<ConfigViolation> out) {
    if (!value.isEmpty() && !PULL_POLICIES.contains(value)) {
      out.add(
          new ConfigViolation(
              field, "unknown policy \"" + value + "\"", "use Always, IfNotPresent or Never"));
    }
  }

  /** Labels: every key a label key ({@code [prefix/]name}), every value a label value. */
  public static void labels(String field, Map<String, String> labels, List<ConfigViolation> out) {
    labels.forEach(
        (key, value) -> {
          String name = key.contains("/") ? key.substring(key.lastIndexOf('/') + 1) : key;
          String prefix = key.contains("/") ? key.substring(0, key.lastIndexOf('/')) : "";
          boolean keyOk =
              !name.isEmpty()
                  && name.length() <= 63
                  && LABEL_VALUE.matcher(name).matches()
                  && (prefix.isEmpty()
                      || (prefix.length() <= 253 && DNS_SUBDOMAIN.matcher(prefix).matches()));
          if (!keyOk) {
            out.add(
                new ConfigViolation(
                    field + "[\"" + key + "\"]",
                    "the key is not a Kubernetes label key",
                    "use [prefix/]name, name at most 63 characters of letters, digits, '-', '_', '.'"));
          }
          if (value.length() > 63 || !LABEL_VALUE.matcher(value).matches()) {
            out.add(
                new ConfigViolation(
                    field + "[\"" + key + "\"]",
                    "the value \"" + value + "\" is not a Kubernetes label value",
                    "use at most 63 letters, digits, '-', '_', '.', starting and ending"
                        + " alphanumeric"));
          }
        });
  }

  /**
   * One toleration, given by its parts so any config message's toleration can use it.
   *
   * @param field the toleration's path, e.g. {@code driver.tolerations[0]}
   */
  public static void toleration(
      String field, String operator, String value, String effect, List<ConfigViolation> out) {
    if (!TOLERATION_OPERATORS.contains(operator)) {
      out.add(
          new ConfigViolation(
              field + ".operator", "unknown operator \"" + operator + "\"", "use Exists or Equal"));
    }
    if (!TOLERATION_EFFECTS.contains(effect)) {
      out.add(
          new ConfigViolation(
              field + ".effect",
              "unknown effect \"" + effect + "\"",
              "use NoSchedule, PreferNoSchedule or NoExecute, or leave it empty"));
    }
    if ("Exists".equals(operator) && !value.isEmpty()) {
      out.add(
          new ConfigViolation(
              field + ".value",
              "must be empty with operator Exists",
              "remove the value or use operator Equal"));
    }
  }

  /** Environment variables: every name one the API server accepts. */
  public static void envNames(String field, Map<String, String> env, List<ConfigViolation> out) {
    for (String name : env.keySet()) {
      if (!ENV_VAR_NAME.matcher(name).matches()) {
        out.add(
            new ConfigViolation(
                field + "[\"" + name + "\"]",
                "\"" + name + "\" is not an environment variable name",
                "use letters, digits, '_', '-' and '.', not starting with a digit"));
      }
    }
  }

  /** A count that must be at least 1 (replicas, cores), when set. */
  public static void atLeastOne(String field, long value, String fix, List<ConfigViolation> out) {
    if (value < 1) {
      out.add(new ConfigViolation(field, "must be at least 1, got " + value, fix));
    }
  }

  /** A count or duration that must not be negative, when set. */
  public static void notNegative(
      String field, boolean present, long value, List<ConfigViolation> out) {
    if (present && value < 0) {
      out.add(new ConfigViolation(field, "must not be negative, got " + value, "use 0 or more"));
    }
  }
}
