package dev.flyteplugin.backend.api;

/**
 * How the runtime treats a plugin's resources (flyteplugins' {@code k8s.PluginProperties}).
 *
 * @param maxNameLength the longest resource name the operator accepts; names are shortened with a
 *     hash suffix to fit. Flyte's default is 50 (operators derive pod and service names from it).
 */
public record PluginProperties(int maxNameLength) {
  public static final int DEFAULT_MAX_NAME_LENGTH = 50;

  public PluginProperties {
    if (maxNameLength < 20 || maxNameLength > 253) {
      throw new IllegalArgumentException(
          "maxNameLength must be between 20 and 253, got " + maxNameLength);
    }
  }

  public static PluginProperties defaults() {
    return new PluginProperties(DEFAULT_MAX_NAME_LENGTH);
  }
}
