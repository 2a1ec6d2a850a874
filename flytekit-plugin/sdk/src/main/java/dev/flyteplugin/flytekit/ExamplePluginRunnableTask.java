package dev.flyteplugin.flytekit;

import dev.flyteplugin.proto.InvalidConfigException;
import dev.flyteplugin.proto.example.ExamplePlugin;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.SdkStruct;
import org.flyte.flytekit.SdkType;

/**
 * A flytekit-java runnable task that runs as a Spark application: {@link #run} is what the Spark
 * driver executes, and it still runs in flytekit-java's LocalEngine for unit tests.
 *
 * <p>The task's TaskTemplate gets type {@link ExamplePlugin#TASK_TYPE} and, as {@code custom}, the
 * config of {@link #getSparkConfig()} encoded by {@link ExamplePlugin#encode}; the container is the
 * usual runnable-task container. Configure it with {@link ExamplePluginTask} on the class, or
 * override {@link #getSparkConfig()} for a config computed in code.
 *
 * <p>Register it like any flytekit-java task with {@code @AutoService(SdkRunnableTask.class)}; the
 * annotation processor makes forgetting that a compile error for annotated tasks.
 *
 * @param <InputT> input type
 * @param <OutputT> output type
 *     <p>PLUGIN AUTHOR SEAM: your task type and your config message in {@code getType()} and {@code
 *     getCustom()}.
 */
public abstract class ExamplePluginRunnableTask<InputT, OutputT>
    extends SdkRunnableTask<InputT, OutputT> {
  private static final long serialVersionUID = 1L;

  protected ExamplePluginRunnableTask(SdkType<InputT> inputType, SdkType<OutputT> outputType) {
    super(inputType, outputType);
  }

  /** Returns {@link ExamplePlugin#TASK_TYPE}. */
  @Override
  public final String getType() {
    return ExamplePlugin.TASK_TYPE;
  }

  /**
   * The validated config in its wire form.
   *
   * @throws InvalidConfigException naming every offending field and its fix
   */
  @Override
  public final SdkStruct getCustom() {
    return Structs.toSdkStruct(ExamplePlugin.encode(getSparkConfig()));
  }

  /**
   * The Spark application config of this task. By default the one of the class's {@link
   * ExamplePluginTask}; override it to compute the config, e.g. starting from {@code
   * super.getSparkConfig().toBuilder()} to add what the annotation cannot say. The result is
   * validated when the task is registered or serialized.
   *
   * @throws InvalidConfigException if the annotation is invalid, naming the attribute and the fix
   * @throws IllegalStateException if the class has no annotation and does not override this method
   */
  public SparkApplicationConfig getSparkConfig() {
    ExamplePluginTask annotation = getClass().getAnnotation(ExamplePluginTask.class);
    if (annotation == null) {
      throw new IllegalStateException(
          getClass().getName()
              + " has no @ExamplePluginTask: annotate the class, or override getSparkConfig()");
    }
    return ExamplePluginTaskAnnotations.toConfig(annotation);
  }
}
