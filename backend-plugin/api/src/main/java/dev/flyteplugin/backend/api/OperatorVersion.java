package dev.flyteplugin.backend.api;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * The operator release a deployment declares it runs (plugin setting {@code operator-version}), so
 * a plugin can refuse, at build time, a config field that release does not know. Why: operators
 * decode their CRDs leniently (unknown fields are dropped or stored and ignored), so a field an
 * older operator does not know would silently do nothing instead of failing.
 *
 * @param operator the operator's name for messages, e.g. {@code spark-operator}
 * @param plugin the plugin whose setting declared it, e.g. {@code spark}
 * @param version the declared release as written ({@code 2.5.2}, {@code v2.5.2})
 */
public record OperatorVersion(String operator, String plugin, String version) {
  /** The setting's key: {@code --plugin-config <plugin>.operator-version}. */
  public static final String KEY = "operator-version";

  public OperatorVersion {
    requireNonNull(operator, "operator");
    requireNonNull(plugin, "plugin");
    parse(version); // refuses a malformed one
  }

  /** The plugin's {@link PluginSetting} for {@code --help}. */
  public static PluginSetting setting(String operator, String defaultVersion) {
    return new PluginSetting(
        KEY,
        "the "
            + operator
            + " release this deployment runs (e.g. "
            + defaultVersion
            + ", the default); task config fields an older release does not know are refused"
            + " naming the release they need");
  }

  /**
   * The declared version, else {@code defaultVersion}.
   *
   * @throws InvalidSettingException naming the setting when the value is not a release number
   */
  public static OperatorVersion from(
      PluginSettings settings, String operator, String defaultVersion) {
    String value = settings.get(KEY, defaultVersion);
    try {
      return new OperatorVersion(operator, settings.plugin(), value);
    } catch (IllegalArgumentException e) {
      throw settings.invalid(KEY, e.getMessage());
    }
  }

  /** Whether the declared release is {@code minimum} or newer. */
  public boolean atLeast(String minimum) {
    return Arrays.compare(parse(version), parse(minimum)) >= 0;
  }

  /**
   * Refuses {@code field} unless the declared release is {@code minimum} or newer.
   *
   * @param field the config field's path, e.g. {@code driver.memoryLimit}
   * @param minimum the first release that has it, as the operator's source shows
   */
  public void require(String field, String minimum) throws ResourceBuildException {
    if (!atLeast(minimum)) {
      throw new ResourceBuildException(
          field
              + " needs "
              + operator
              + " "
              + minimum
              + " or newer, and this deployment declares "
              + version
              + ": that release would ignore it. Remove "
              + field
              + " from the task config, or upgrade the operator and declare it with"
              + " --plugin-config "
              + plugin
              + "."
              + KEY
              + " ("
              + new PluginSetting(KEY, "").environmentVariable(plugin)
              + ")");
    }
  }

  private static int[] parse(String version) {
    requireNonNull(version, "version");
    String v = version.trim();
    if (!v.matches("v?\\d{1,6}(\\.\\d{1,6}){0,2}")) {
      throw new IllegalArgumentException(
          "'" + version + "' is not a release number; write e.g. 1.15.0 or v2.5.2");
    }
    int[] parts = new int[3];
    String[] split = v.replaceFirst("^v", "").split("\\.");
    for (int i = 0; i < split.length; i++) {
      parts[i] = Integer.parseInt(split[i]);
    }
    return parts;
  }
}
