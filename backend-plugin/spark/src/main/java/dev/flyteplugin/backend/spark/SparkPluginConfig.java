package dev.flyteplugin.backend.spark;

import static java.util.Objects.requireNonNull;

import dev.flyteplugin.backend.api.LogLinkTemplate;
import dev.flyteplugin.backend.api.OperatorVersion;
import dev.flyteplugin.backend.api.PluginSetting;
import dev.flyteplugin.backend.api.PluginSettings;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
 * @param operatorVersion the spark-operator release the deployment runs ({@code
 *     spark.operator-version}); config fields it does not know are refused
 */
public record SparkPluginConfig(
    String defaultMainClass,
    String defaultMainApplicationFile,
    String defaultServiceAccount,
    List<LogLinkTemplate> logLinks,
    String historyServerUrl,
    OperatorVersion operatorVersion) {

  static final String OPERATOR = "spark-operator";

  /** The release we target (its source is what this plugin's comments cite). */
  public static final String DEFAULT_OPERATOR_VERSION = "v2.5.2";

  /** The jflyte CLI's main class: runs a flytekit-java task in the driver. */
  public static final String JFLYTE_MAIN_CLASS = "dev.flyteplugin.jflyte.Jflyte";

  /** Where task images built for this toolkit keep the jflyte jar. */
  public static final String DEFAULT_APPLICATION_JAR = "local:///app/jflyte.jar";

  public SparkPluginConfig {
    requireNonNull(defaultMainClass, "defaultMainClass");
    requireNonNull(defaultMainApplicationFile, "defaultMainApplicationFile");
    requireNonNull(defaultServiceAccount, "defaultServiceAccount");
    logLinks = List.copyOf(logLinks);
    requireNonNull(historyServerUrl, "historyServerUrl");
    requireNonNull(operatorVersion, "operatorVersion");
    if (defaultMainClass.isBlank() || defaultMainApplicationFile.isBlank()) {
      throw new IllegalArgumentException(
          "defaultMainClass and defaultMainApplicationFile must not be blank");
    }
    historyServerUrl = historyServerUrl.replaceAll("/+$", "");
  }

  /** jflyte entrypoint and jar, no default service account, no log links, no history server. */
  public static SparkPluginConfig defaults() {
    return new SparkPluginConfig(
        JFLYTE_MAIN_CLASS,
        DEFAULT_APPLICATION_JAR,
        "",
        List.of(),
        "",
        new OperatorVersion(OPERATOR, SparkOperatorPlugin.NAME, DEFAULT_OPERATOR_VERSION));
  }

  /** The placeholders Spark's log links may use besides {@link LogLinkTemplate#COMMON}. */
  public static final Set<String> LINK_PLACEHOLDERS = Set.of("podName", "appName", "sparkAppId");

  /** The deployment settings of the Spark plugin ({@code --plugin-config spark.<key>=...}). */
  public static final List<PluginSetting> SETTINGS =
      List.of(
          new PluginSetting(
              "main-class",
              "the driver's main class when the task config sets none (" + JFLYTE_MAIN_CLASS + ")"),
          new PluginSetting(
              "main-application-file",
              "the application jar when the task config sets none ("
                  + DEFAULT_APPLICATION_JAR
                  + ")"),
          new PluginSetting(
              "service-account",
              "the driver's service account when neither the task nor the execution sets one"),
          new PluginSetting(
              "log-links",
              "driver log links, name=url-template entries separated by '|'; placeholders"
                  + " {podName}, {appName}, {sparkAppId} and the common ones ({namespace},"
                  + " {executionId}, ...)"),
          new PluginSetting(
              "history-server-url", "base URL of the Spark history server, for sparkHistoryUI"),
          OperatorVersion.setting(OPERATOR, DEFAULT_OPERATOR_VERSION));

  /** A log link that may use Spark's placeholders. */
  public static LogLinkTemplate link(String name, String template) {
    return new LogLinkTemplate(name, template, LINK_PLACEHOLDERS);
  }

  /**
   * The settings the deployment gave ({@code --plugin-config spark.<key>} or {@code
   * FLYTEPLUGIN_SPARK_<KEY>}), defaults for the rest.
   *
   * @throws dev.flyteplugin.backend.api.InvalidSettingException naming the setting that is
   *     malformed
   */
  public static SparkPluginConfig from(PluginSettings settings) {
    SparkPluginConfig defaults = defaults();
    return new SparkPluginConfig(
        settings.get("main-class", defaults.defaultMainClass()),
        settings.get("main-application-file", defaults.defaultMainApplicationFile()),
        settings.get("service-account", ""),
        LogLinkTemplate.parse(settings, "log-links", LINK_PLACEHOLDERS),
        historyServerUrl(settings),
        OperatorVersion.from(settings, OPERATOR, DEFAULT_OPERATOR_VERSION));
  }

  /**
   * The history server's base URL: an http(s) URL without spaces or braces, or the agent refuses to
   * start naming the setting (a link rendered wrong at run time is worse: flyte#3623, #3954).
   */
  private static String historyServerUrl(PluginSettings settings) {
    String url = settings.get("history-server-url", "").trim();
    if (!url.isEmpty() && !url.matches("(?i)https?://[^\\s{}/]+(/[^\\s{}]*)?")) {
      throw settings.invalid(
          "history-server-url",
          "'"
              + url
              + "' is not an http(s) URL (e.g. https://spark-history.example.com); sparkHistoryUI"
              + " is <url>/history/<sparkApplicationId>");
    }
    return url;
  }

  /** {@link #from} with the {@code FLYTEPLUGIN_SPARK_*} variables of {@code env} only. */
  public static SparkPluginConfig fromEnvironment(Map<String, String> env) {
    return from(PluginSettings.resolve(SparkOperatorPlugin.NAME, SETTINGS, env, Map.of()));
  }

  public SparkPluginConfig withLogLinks(List<LogLinkTemplate> value) {
    return new SparkPluginConfig(
        defaultMainClass,
        defaultMainApplicationFile,
        defaultServiceAccount,
        value,
        historyServerUrl,
        operatorVersion);
  }

  public SparkPluginConfig withHistoryServerUrl(String value) {
    return new SparkPluginConfig(
        defaultMainClass,
        defaultMainApplicationFile,
        defaultServiceAccount,
        logLinks,
        value,
        operatorVersion);
  }

  public SparkPluginConfig withDefaultServiceAccount(String value) {
    return new SparkPluginConfig(
        defaultMainClass,
        defaultMainApplicationFile,
        value,
        logLinks,
        historyServerUrl,
        operatorVersion);
  }

  public SparkPluginConfig withDefaultEntrypoint(String mainClass, String mainApplicationFile) {
    return new SparkPluginConfig(
        mainClass,
        mainApplicationFile,
        defaultServiceAccount,
        logLinks,
        historyServerUrl,
        operatorVersion);
  }

  /** The spark-operator release the deployment declares, e.g. {@code v2.1.1}. */
  public SparkPluginConfig withOperatorVersion(String version) {
    return new SparkPluginConfig(
        defaultMainClass,
        defaultMainApplicationFile,
        defaultServiceAccount,
        logLinks,
        historyServerUrl,
        new OperatorVersion(OPERATOR, SparkOperatorPlugin.NAME, version));
  }
}
