package dev.flyteplugin.backend.runtime;

import dev.flyteplugin.backend.api.InvalidSettingException;
import dev.flyteplugin.backend.api.OperatorPlugin;
import dev.flyteplugin.backend.api.PluginSetting;
import dev.flyteplugin.backend.api.PluginSettings;
import dev.flyteplugin.backend.api.TaskType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The registered operator plugins, keyed by task category (type + version). Immutable. Two plugins
 * for one category, or a registry without plugins, are errors at construction, not at first use.
 */
public final class PluginRegistry {
  private final Map<TaskCategory, OperatorPlugin> plugins;

  private PluginRegistry(Map<TaskCategory, OperatorPlugin> plugins) {
    this.plugins = plugins;
  }

  /**
   * The plugins found by {@link ServiceLoader} ({@code @AutoService(OperatorPlugin.class)}) on the
   * class path of {@code classLoader}.
   *
   * @throws IllegalStateException when none is found or two serve the same category
   */
  public static PluginRegistry load(ClassLoader classLoader) {
    List<OperatorPlugin> found = new ArrayList<>();
    ServiceLoader.load(OperatorPlugin.class, classLoader).forEach(found::add);
    if (found.isEmpty()) {
      throw new IllegalStateException(
          "no OperatorPlugin found on the class path: add a plugin jar (e.g."
              + " dev.flyteplugin:backend-plugin-spark) or register one with"
              + " @AutoService(OperatorPlugin.class)");
    }
    return of(found);
  }

  /**
   * The plugins found on the class path of {@code classLoader}, each configured with its settings:
   * {@code defaults} (e.g. embedded mode's), then {@code FLYTEPLUGIN_<PLUGIN>_<KEY>} variables of
   * {@code environment}, then {@code flags} ({@code --plugin-config plugin.key=value}).
   *
   * @throws InvalidSettingException naming a malformed or unknown setting, or a flag for a plugin
   *     that is not on the class path
   */
  public static PluginRegistry configured(
      ClassLoader classLoader,
      Map<String, String> defaults,
      Map<String, String> environment,
      Map<String, String> flags) {
    List<OperatorPlugin> found = load(classLoader).plugins();
    java.util.Set<String> names = new java.util.TreeSet<>();
    found.forEach(plugin -> names.add(plugin.name()));
    for (String key : flags.keySet()) {
      int dot = key.indexOf('.');
      if (dot <= 0 || !names.contains(key.substring(0, dot))) {
        throw new InvalidSettingException(
            "--plugin-config "
                + key
                + ": write it as <plugin>.<key>=<value> with one of the plugins "
                + names
                + " (their settings are listed in --help)");
      }
    }
    List<OperatorPlugin> configured = new ArrayList<>();
    for (OperatorPlugin plugin : found) {
      Map<String, String> merged = new LinkedHashMap<>();
      for (PluginSetting setting : plugin.settings()) {
        String key = plugin.name() + "." + setting.key();
        // A default yields to the environment, as any default does.
        if (defaults.containsKey(key)
            && !environment.containsKey(setting.environmentVariable(plugin.name()))) {
          merged.put(key, defaults.get(key));
        }
      }
      merged.putAll(flags);
      configured.add(
          plugin.configure(
              PluginSettings.resolve(plugin.name(), plugin.settings(), environment, merged)));
    }
    return of(configured);
  }

  /** {@link #load(ClassLoader)} with this class's class loader. */
  public static PluginRegistry load() {
    return load(PluginRegistry.class.getClassLoader());
  }

  /**
   * A registry of exactly these plugins.
   *
   * @throws IllegalStateException when two plugins serve the same category
   */
  public static PluginRegistry of(List<? extends OperatorPlugin> plugins) {
    Map<TaskCategory, OperatorPlugin> byCategory = new LinkedHashMap<>();
    for (OperatorPlugin plugin : plugins) {
      if (plugin.taskTypes().isEmpty()) {
        throw new IllegalStateException(
            "plugin " + plugin.getClass().getName() + " serves no task type: list at least one");
      }
      for (TaskType type : plugin.taskTypes()) {
        TaskCategory category = category(type);
        OperatorPlugin previous = byCategory.putIfAbsent(category, plugin);
        if (previous != null) {
          throw new IllegalStateException(
              "two plugins serve task category "
                  + category
                  + ": "
                  + previous.getClass().getName()
                  + " and "
                  + plugin.getClass().getName()
                  + "; keep one of them on the class path");
        }
      }
    }
    return new PluginRegistry(java.util.Collections.unmodifiableMap(byCategory));
  }

  /** A registry of exactly these plugins. */
  public static PluginRegistry of(OperatorPlugin... plugins) {
    return of(List.of(plugins));
  }

  /**
   * The plugins {@code keep} accepts.
   *
   * @throws IllegalStateException when none is left
   */
  public PluginRegistry filter(java.util.function.Predicate<OperatorPlugin> keep) {
    List<OperatorPlugin> kept = plugins().stream().filter(keep).toList();
    if (kept.isEmpty()) {
      throw new IllegalStateException(
          "no plugin left to serve of " + plugins().stream().map(OperatorPlugin::name).toList());
    }
    return of(kept);
  }

  /** Every category served, sorted by name then version. */
  public List<TaskCategory> categories() {
    return plugins.keySet().stream()
        .sorted(Comparator.comparing(TaskCategory::name).thenComparing(TaskCategory::version))
        .toList();
  }

  /** Every distinct plugin. */
  public List<OperatorPlugin> plugins() {
    return plugins.values().stream().distinct().toList();
  }

  public Optional<OperatorPlugin> find(TaskCategory category) {
    return Optional.ofNullable(plugins.get(category));
  }

  /**
   * The plugin serving {@code category}.
   *
   * @throws UnknownTaskTypeException naming the categories that exist
   */
  public OperatorPlugin require(TaskCategory category) {
    OperatorPlugin plugin = plugins.get(category);
    if (plugin == null) {
      throw new UnknownTaskTypeException(
          category,
          "no plugin serves task type "
              + category
              + "; registered: "
              + categories()
              + " (is the plugin's jar on the class path, and does the task's"
              + " task_type_version match?)");
    }
    return plugin;
  }

  static TaskCategory category(TaskType type) {
    return new TaskCategory(type.name(), type.version());
  }
}
