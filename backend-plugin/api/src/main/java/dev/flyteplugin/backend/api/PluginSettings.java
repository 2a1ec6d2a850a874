package dev.flyteplugin.backend.api;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The deployment's settings for one plugin: what {@code --plugin-config <plugin>.<key>=<value>}
 * flags and {@code FLYTEPLUGIN_<PLUGIN>_<KEY>} environment variables said (flags win). A value
 * type; the plugin reads it in {@link OperatorPlugin#configure}.
 *
 * @param plugin the plugin's {@link OperatorPlugin#name()}
 * @param values key to value, keys as the plugin declared them
 */
public record PluginSettings(String plugin, Map<String, String> values) {
  public static final String ENV_PREFIX = "FLYTEPLUGIN_";

  public PluginSettings {
    requireNonNull(plugin, "plugin");
    values = Map.copyOf(values);
  }

  /** No settings: every plugin's defaults. */
  public static PluginSettings none(String plugin) {
    return new PluginSettings(plugin, Map.of());
  }

  /**
   * The settings of {@code plugin} out of the environment and the {@code --plugin-config} entries
   * (flags win over the environment), checked against what the plugin declares.
   *
   * @param flags {@code <plugin>.<key>} to value, for every plugin; other plugins' entries are
   *     ignored here
   * @throws InvalidSettingException naming an unknown key and the keys that exist
   */
  public static PluginSettings resolve(
      String plugin,
      List<PluginSetting> declared,
      Map<String, String> environment,
      Map<String, String> flags) {
    Map<String, String> values = new LinkedHashMap<>();
    for (PluginSetting setting : declared) {
      String env = environment.get(setting.environmentVariable(plugin));
      if (env != null && !env.isBlank()) {
        values.put(setting.key(), env.trim());
      }
    }
    List<String> known = declared.stream().map(PluginSetting::key).toList();
    for (Map.Entry<String, String> flag : new TreeMap<>(flags).entrySet()) {
      if (!flag.getKey().startsWith(plugin + ".")) {
        continue;
      }
      String key = flag.getKey().substring(plugin.length() + 1);
      if (!known.contains(key)) {
        throw new InvalidSettingException(
            "--plugin-config "
                + flag.getKey()
                + ": plugin '"
                + plugin
                + "' has no setting '"
                + key
                + "'; its settings: "
                + known
                + " (see --help)");
      }
      values.put(key, flag.getValue().trim());
    }
    return new PluginSettings(plugin, values);
  }

  /** The value of {@code key}, empty when not set or blank. */
  public Optional<String> get(String key) {
    return Optional.ofNullable(values.get(key)).filter(v -> !v.isBlank());
  }

  /** The value of {@code key}, else {@code fallback}. */
  public String get(String key, String fallback) {
    return get(key).orElse(fallback);
  }

  /** An error naming the setting's flag and environment variable, for a malformed value. */
  public InvalidSettingException invalid(String key, String problem) {
    return new InvalidSettingException(
        "--plugin-config "
            + plugin
            + "."
            + key
            + " ("
            + new PluginSetting(key, "").environmentVariable(plugin)
            + "): "
            + problem);
  }
}
