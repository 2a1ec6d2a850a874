package dev.flyteplugin.jflyte.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.flyte.api.v1.ContainerTaskRegistrar;
import org.flyte.api.v1.DynamicWorkflowTaskRegistrar;
import org.flyte.api.v1.LaunchPlanRegistrar;
import org.flyte.api.v1.PartialIdentifier;
import org.flyte.api.v1.PluginTaskRegistrar;
import org.flyte.api.v1.Registrar;
import org.flyte.api.v1.RunnableTaskRegistrar;
import org.flyte.api.v1.TaskIdentifier;
import org.flyte.api.v1.WorkflowTemplateRegistrar;

/**
 * Loads a flytekit-java project through the Registrar SPI ({@link ServiceLoader}), as jflyte does:
 * the flytekit-java registrars in turn find the user's {@code @AutoService} tasks and workflows.
 */
public final class ProjectLoader {

  /** Environment keys the flytekit-java registrars read project, domain and version from. */
  public static final List<String> IDENTITY_ENV_KEYS =
      List.of("FLYTE_INTERNAL_PROJECT", "FLYTE_INTERNAL_DOMAIN", "FLYTE_INTERNAL_VERSION");

  private ProjectLoader() {}

  /**
   * A child-first class loader over every {@code *.jar} in {@code dir} (the user's packaged jars),
   * with jflyte's own class loader as parent.
   */
  public static ClassLoader forJarDirectory(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new ProjectLoadException(
          "jar directory " + dir.toAbsolutePath() + " does not exist or is not a directory");
    }
    try (Stream<Path> files = Files.list(dir)) {
      URL[] urls =
          files
              .filter(file -> file.getFileName().toString().endsWith(".jar"))
              .sorted()
              .map(ProjectLoader::toUrl)
              .toArray(URL[]::new);
      if (urls.length == 0) {
        throw new ProjectLoadException(
            "no *.jar files in " + dir.toAbsolutePath() + ": package your workflows there");
      }
      return new ChildFirstClassLoader(
          "jflyte-user-code", urls, ProjectLoader.class.getClassLoader());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /** A child-first class loader over {@code jars} (e.g. downloaded staged artifacts). */
  public static ClassLoader forJars(List<Path> jars) {
    return new ChildFirstClassLoader(
        "jflyte-staged-code",
        jars.stream().map(ProjectLoader::toUrl).toArray(URL[]::new),
        ProjectLoader.class.getClassLoader());
  }

  private static URL toUrl(Path path) {
    try {
      return path.toUri().toURL();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException(path.toString(), e);
    }
  }

  /**
   * The environment the registrars see: the {@code FLYTE_*} and {@code JFLYTE_*} entries of {@code
   * env}, with newer backends' {@code FLYTE_INTERNAL_TASK_PROJECT/DOMAIN/VERSION} accepted for the
   * {@code FLYTE_INTERNAL_*} keys flytekit-java 0.4.35 reads.
   */
  public static Map<String, String> registrarEnv(Map<String, String> env) {
    Map<String, String> result = new HashMap<>();
    env.forEach(
        (key, value) -> {
          if (key.startsWith("FLYTE_") || key.startsWith("JFLYTE_")) {
            result.put(key, value);
          }
        });
    for (String key : IDENTITY_ENV_KEYS) {
      String taskKey = key.replace("FLYTE_INTERNAL_", "FLYTE_INTERNAL_TASK_");
      if (!result.containsKey(key) && result.containsKey(taskKey)) {
        result.put(key, result.get(taskKey));
      }
    }
    return Map.copyOf(result);
  }

  /**
   * Loads all tasks, workflows and launch plans visible to {@code classLoader}. Duplicates and
   * failures are {@link ProjectLoadException}s naming the class or entity.
   */
  public static LoadedProject load(ClassLoader classLoader, Map<String, String> env) {
    Map<String, String> registrarEnv = registrarEnv(env);
    return withContextClassLoader(
        classLoader,
        () -> {
          var dynamic = loadAll(DynamicWorkflowTaskRegistrar.class, classLoader, registrarEnv);
          var runnable = loadAll(RunnableTaskRegistrar.class, classLoader, registrarEnv);
          var container = loadAll(ContainerTaskRegistrar.class, classLoader, registrarEnv);
          var plugin = loadAll(PluginTaskRegistrar.class, classLoader, registrarEnv);
          rejectSharedNames(
              runnable.keySet(), container.keySet(), plugin.keySet(), dynamic.keySet());
          return new LoadedProject(
              runnable,
              container,
              plugin,
              dynamic,
              loadAll(WorkflowTemplateRegistrar.class, classLoader, registrarEnv),
              loadAll(LaunchPlanRegistrar.class, classLoader, registrarEnv));
        });
  }

  /** Runs {@code action} with {@code classLoader} as the thread's context class loader. */
  public static <T> T withContextClassLoader(ClassLoader classLoader, Supplier<T> action) {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(classLoader);
    try {
      return action.get();
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  /** Loads one kind of entity from every registrar of {@code type}. */
  public static <K extends PartialIdentifier, V, R extends Registrar<K, V>> Map<K, V> loadAll(
      Class<R> type, ClassLoader classLoader, Map<String, String> env) {
    Map<K, V> items = new LinkedHashMap<>();
    Map<K, String> origin = new HashMap<>();
    Iterator<R> registrars = ServiceLoader.load(type, classLoader).iterator();
    while (true) {
      R registrar;
      try {
        if (!registrars.hasNext()) {
          break;
        }
        registrar = registrars.next();
      } catch (ServiceConfigurationError e) {
        throw new ProjectLoadException(
            "cannot load a " + type.getSimpleName() + ": " + e.getMessage(), e);
      }
      String registrarName = registrar.getClass().getName();
      Map<K, V> loaded;
      try {
        loaded = registrar.load(env, classLoader);
      } catch (RuntimeException | ServiceConfigurationError | LinkageError e) {
        throw new ProjectLoadException(
            registrarName + " failed to load its entities: " + describe(e), e);
      }
      for (Map.Entry<K, V> entry : loaded.entrySet()) {
        String previous = origin.putIfAbsent(entry.getKey(), registrarName);
        if (previous != null) {
          throw new ProjectLoadException(
              String.format(
                  "duplicate %s '%s' (%s): declared through both %s and %s; every task, workflow"
                      + " and launch plan name must be unique",
                  type.getSimpleName().replace("Registrar", ""),
                  entry.getKey().name(),
                  entry.getValue().getClass().getName(),
                  previous,
                  registrarName));
        }
        items.put(entry.getKey(), entry.getValue());
      }
    }
    return items;
  }

  private static String describe(Throwable e) {
    StringBuilder message = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      message.append(" <- ").append(cause);
    }
    return message.toString();
  }

  @SafeVarargs
  private static void rejectSharedNames(Set<TaskIdentifier>... kinds) {
    Map<String, Integer> seen = new HashMap<>();
    for (int kind = 0; kind < kinds.length; kind++) {
      for (TaskIdentifier id : kinds[kind]) {
        Integer previous = seen.putIfAbsent(id.name(), kind);
        if (previous != null) {
          throw new ProjectLoadException(
              "duplicate task '"
                  + id.name()
                  + "': declared as two kinds of task (runnable, container, plugin, dynamic); rename one");
        }
      }
    }
  }
}
