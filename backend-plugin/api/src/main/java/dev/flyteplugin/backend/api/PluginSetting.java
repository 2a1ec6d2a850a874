package dev.flyteplugin.backend.api;

import static java.util.Objects.requireNonNull;

/**
 * One setting a plugin reads from the deployment, documented in the agent's {@code --help}. Set as
 * {@code --plugin-config <plugin>.<key>=<value>} or the environment variable {@code
 * FLYTEPLUGIN_<PLUGIN>_<KEY>} (upper case, '-' as '_').
 *
 * @param key lower-case words joined by '-', e.g. {@code log-links}
 * @param description what it does, its format and its default, for {@code --help}
 */
public record PluginSetting(String key, String description) {
  public PluginSetting {
    requireNonNull(key, "key");
    requireNonNull(description, "description");
    if (!key.matches("[a-z][a-z0-9]*(-[a-z0-9]+)*")) {
      throw new IllegalArgumentException(
          "setting key '" + key + "' must be lower-case words joined by '-', e.g. log-links");
    }
  }

  /** The environment variable of this setting for plugin {@code plugin}. */
  public String environmentVariable(String plugin) {
    return PluginSettings.ENV_PREFIX
        + plugin.toUpperCase(java.util.Locale.ROOT).replace('-', '_')
        + "_"
        + key.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
  }
}
