package dev.flyteplugin.flytekit;

import dev.flyteplugin.proto.InvalidConfigException;
import dev.flyteplugin.proto.example.ExamplePlugin;
import dev.flyteplugin.proto.example.SparkConfigValidator;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;
import java.lang.reflect.InvocationTargetException;
import java.util.Optional;
import org.flyte.api.v1.RunnableTask;
import org.flyte.flytekit.SdkRunnableTask;

/**
 * Reads the config of example_plugin tasks, for modules that handle tasks (registration, runners)
 * without re-parsing annotations.
 */
public final class ExamplePluginTasks {
  private ExamplePluginTasks() {}

  /** Whether the task is an example_plugin task. */
  public static boolean isExamplePluginTask(SdkRunnableTask<?, ?> task) {
    return task instanceof ExamplePluginRunnableTask;
  }

  /**
   * The config of a task instance.
   *
   * @throws IllegalArgumentException if the task is not an {@link ExamplePluginRunnableTask}
   * @throws InvalidConfigException if its config is invalid
   */
  public static SparkApplicationConfig configOf(SdkRunnableTask<?, ?> task) {
    if (task instanceof ExamplePluginRunnableTask<?, ?> pluginTask) {
      return validated(pluginTask);
    }
    throw new IllegalArgumentException(
        task.getClass().getName()
            + " is not an example_plugin task: extend ExamplePluginRunnableTask");
  }

  /**
   * The config of a task class, through its public no-argument constructor (the one ServiceLoader
   * uses), so a config computed in code is read as well as an annotated one.
   *
   * @throws IllegalArgumentException if the class is not a concrete {@link
   *     ExamplePluginRunnableTask} with a public no-argument constructor
   * @throws InvalidConfigException if its config is invalid
   */
  public static SparkApplicationConfig configOf(Class<?> taskClass) {
    if (!ExamplePluginRunnableTask.class.isAssignableFrom(taskClass)) {
      throw new IllegalArgumentException(
          taskClass.getName() + " is not an example_plugin task: extend ExamplePluginRunnableTask");
    }
    Object task;
    try {
      task = taskClass.getConstructor().newInstance();
    } catch (NoSuchMethodException | InstantiationException | IllegalAccessException e) {
      throw new IllegalArgumentException(
          "cannot instantiate "
              + taskClass.getName()
              + ": a task needs a public no-argument constructor and must not be abstract",
          e);
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException(
          "the constructor of " + taskClass.getName() + " failed: " + e.getCause(), e.getCause());
    }
    return validated((ExamplePluginRunnableTask<?, ?>) task);
  }

  private static SparkApplicationConfig validated(ExamplePluginRunnableTask<?, ?> task) {
    SparkApplicationConfig config = task.getSparkConfig();
    SparkConfigValidator.check(config); // a config computed in code is not validated elsewhere
    return config;
  }

  /**
   * The config of a task as flytekit-api sees it (what the registrars return): present when its
   * type is {@link ExamplePlugin#TASK_TYPE}, decoded from {@code custom} by the plugin codec.
   *
   * @throws InvalidConfigException if the task has the plugin's type but an invalid custom
   */
  public static Optional<SparkApplicationConfig> findConfig(RunnableTask task) {
    if (!ExamplePlugin.TASK_TYPE.equals(task.getType())) {
      return Optional.empty();
    }
    return Optional.of(ExamplePlugin.decode(Structs.toProtobuf(task.getCustom())));
  }
}
