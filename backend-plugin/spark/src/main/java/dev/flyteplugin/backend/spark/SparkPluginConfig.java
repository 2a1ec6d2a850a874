package dev.flyteplugin.backend.spark;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Backend-side settings of the Spark plugin (the task's own settings travel in {@code
 * TaskTemplate.custom}).
 *
 * @param defaultMainClass main class when the task config sets none: the jflyte entrypoint, which
 *     runs the task's {@code run} in the driver with the container args propeller rendered
 * @param defaultMainApplicationFile application jar when the task config sets none; {@code
 *     local://} means inside the image
 * @param defaultServiceAccount driver service account when neither the task config nor the
 *     execution names one; empty leaves it to the operator
 * @param logLinks log links shown for the driver, as URL templates
 * @param historyServerUrl base URL of the Spark history server; empty disables {@code
 *     sparkHistoryUI}
 */
public record SparkPluginConfig(
    String defaultMainClass,
    String defaultMainApplicationFile,
    String defaultServiceAccount,
    List<LogLinkTemplate> logLinks,
    String historyServerUrl) {

  /** The jflyte CLI's main class: runs a flytekit-java task in the driver. */
  public static final String JFLYTE_MAIN_CLASS = "dev.flyteplugin.jflyte.Jflyte";

  /** Where task images built for this toolkit keep the jflyte jar. */
  public static final String DEFAULT_APPLICATION_JAR = "local:///app/jflyte.jar";

  static final String ENV_PREFIX = "FLYTEPLUGIN_SPARK_";

  public SparkPluginConfig {
    requireNonNull(defaultMainClass, "defaultMainClass");
    requireNonNull(defaultMainApplicationFile, "defaultMainApplicationFile");
    requireNonNull(defaultServiceAccount, "defaultServiceAccount");
    logLinks = List.copyOf(logLinks);
    requireNonNull(historyServerUrl, "historyServerUrl");
    if (defaultMainClass.isBlank() || defaultMainApplicationFile.isBlank()) {
      throw new IllegalArgumentException(
          "defaultMainClass and defaultMainApplicationFile must not be blank");
    }
    historyServerUrl = historyServerUrl.replaceAll("/+$", "");
  }

  /** jflyte entrypoint and jar, no default service account, no log links, no history server. */
  public static SparkPluginConfig defaults() {
    return new SparkPluginConfig(JFLYTE_MAIN_CLASS, DEFAULT_APPLICATION_JAR, "", List.of(), "");
  }

  /**
   * Reads the settings from environment variables (the plugin is created by ServiceLoader): {@code
   * FLYTEPLUGIN_SPARK_MAIN_CLASS}, {@code FLYTEPLUGIN_SPARK_MAIN_APPLICATION_FILE}, {@code
   * FLYTEPLUGIN_SPARK_SERVICE_ACCOUNT}, {@code FLYTEPLUGIN_SPARK_HISTORY_SERVER_URL} and {@code
   * FLYTEPLUGIN_SPARK_LOG_LINKS} as {@code name=template} entries separated by {@code |}, e.g.
   * {@code Driver logs=https://dash.example/#/log/{namespace}/{podName}/pod}.
   *
   * @throws IllegalArgumentException naming the variable that is malformed
   */
  public static SparkPluginConfig fromEnvironment(Map<String, String> env) {
    SparkPluginConfig defaults = defaults();
    List<LogLinkTemplate> links = new ArrayList<>();
    String rawLinks = env.getOrDefault(ENV_PREFIX + "LOG_LINKS", "").trim();
    if (!rawLinks.isEmpty()) {
      for (String entry : rawLinks.split("\\|")) {
        int eq = entry.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException(
              ENV_PREFIX
                  + "LOG_LINKS: entry '"
                  + entry
                  + "' is not name=template (entries are separated by '|')");
        }
        try {
          links.add(
              new LogLinkTemplate(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim()));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(ENV_PREFIX + "LOG_LINKS: " + e.getMessage(), e);
        }
      }
    }
    return new SparkPluginConfig(
        nonBlank(env.get(ENV_PREFIX + "MAIN_CLASS"), defaults.defaultMainClass()),
        nonBlank(
            env.get(ENV_PREFIX + "MAIN_APPLICATION_FILE"), defaults.defaultMainApplicationFile()),
        nonBlank(env.get(ENV_PREFIX + "SERVICE_ACCOUNT"), ""),
        links,
        nonBlank(env.get(ENV_PREFIX + "HISTORY_SERVER_URL"), ""));
  }

  public SparkPluginConfig withLogLinks(List<LogLinkTemplate> value) {
    return new SparkPluginConfig(
        defaultMainClass,
        defaultMainApplicationFile,
        defaultServiceAccount,
        value,
        historyServerUrl);
  }

  public SparkPluginConfig withHistoryServerUrl(String value) {
    return new SparkPluginConfig(
        defaultMainClass, defaultMainApplicationFile, defaultServiceAccount, logLinks, value);
  }

  public SparkPluginConfig withDefaultServiceAccount(String value) {
    return new SparkPluginConfig(
        defaultMainClass, defaultMainApplicationFile, value, logLinks, historyServerUrl);
  }

  public SparkPluginConfig withDefaultEntrypoint(String mainClass, String mainApplicationFile) {
    return new SparkPluginConfig(
        mainClass, mainApplicationFile, defaultServiceAccount, logLinks, historyServerUrl);
  }

  private static String nonBlank(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value.trim();
  }
}
