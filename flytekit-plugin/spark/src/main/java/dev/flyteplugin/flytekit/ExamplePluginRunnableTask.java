package dev.flyteplugin.flytekit;

import dev.flyteplugin.proto.InvalidConfigException;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;
import java.lang.annotation.Annotation;
import org.apache.spark.sql.SparkSession;
import org.flyte.api.v1.ContainerError;
import org.flyte.flytekit.SdkType;

/**
 * A flytekit-java runnable task that runs as a Spark application: {@link #run(SparkSession,
 * Object)} is what the Spark driver executes, with the driver's Spark session, and it still runs in
 * flytekit-java's LocalEngine for unit tests (with a local Spark).
 *
 * <p>The session is made for each execution of the task and stopped when {@code run} returns or
 * throws: in the operator's driver pod it is {@code SparkSession.builder().getOrCreate()}, i.e.
 * exactly what spark-submit configured from the SparkApplication (master {@code k8s://...}, the
 * task's {@code sparkConf}, executors); without a Spark master (the embedded default's simulated
 * driver, unit tests) it is a local Spark ({@code local[2]}, no UI, logs at WARN) with the task's
 * {@code sparkConf}. Spark is a {@code provided} dependency: the Spark image, or the user-code
 * directory for local runs, brings it.
 *
 * <p>A Spark exception out of {@code run} becomes the task's user error with Spark's message; the
 * driver running out of memory or Spark failing internally becomes a system error (see {@code
 * SparkFailures}).
 *
 * <p>The task's TaskTemplate gets type {@code example_plugin} and, as {@code custom}, the config of
 * {@link #getSparkConfig()} (see {@link PluginRunnableTask}); the container is the usual
 * runnable-task container. Configure it with {@link ExamplePluginTask} on the class, or override
 * {@link #getSparkConfig()} for a config computed in code.
 *
 * <p>Register it like any flytekit-java task with {@code @AutoService(SdkRunnableTask.class)}; the
 * annotation processor makes forgetting that a compile error for annotated tasks.
 *
 * @param <InputT> input type
 * @param <OutputT> output type
 *     <p>PLUGIN AUTHOR SEAM: your annotation in {@code pluginAnnotation()} (type and custom then
 *     come from its contract), and how your tasks run if plain {@code run(input)} is not enough.
 */
public abstract class ExamplePluginRunnableTask<InputT, OutputT>
    extends PluginRunnableTask<InputT, OutputT, SparkApplicationConfig> {
  private static final long serialVersionUID = 1L;

  protected ExamplePluginRunnableTask(SdkType<InputT> inputType, SdkType<OutputT> outputType) {
    super(inputType, outputType);
  }

  /**
   * Runs the task with a Spark session made for this execution, and stops it afterwards.
   *
   * @throws ContainerError when Spark is not on the class path (naming the fix), for a failed Spark
   *     job (Spark's message), or when the driver ran out of memory
   */
  @Override
  public final OutputT run(InputT input) {
    requireSpark();
    String task = getClass().getSimpleName();
    TaskSparkSession spark;
    try {
      spark = TaskSparkSession.open(task, getSparkConfig(), System.out);
    } catch (Throwable e) { // Scala code throws checked exceptions (SparkException) unchecked
      throw ExamplePluginRunnableTask.<RuntimeException>sneaky(SparkFailures.classify(task, e));
    }
    try (spark) {
      return run(spark.session(), input);
    } catch (Throwable e) {
      throw ExamplePluginRunnableTask.<RuntimeException>sneaky(SparkFailures.classify(task, e));
    }
  }

  /**
   * The task's work, in the Spark driver.
   *
   * @param spark this execution's session; do not stop it (it is stopped when this returns)
   * @param input the task's inputs
   */
  protected abstract OutputT run(SparkSession spark, InputT input);

  private void requireSpark() {
    try {
      Class.forName(
          "org.apache.spark.sql.SparkSession",
          false,
          ExamplePluginRunnableTask.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw ContainerError.create(
          SparkFailures.SYSTEM_PREFIX + "SparkNotOnClassPath",
          getClass().getName()
              + " is a Spark task but Spark is not on its class path ("
              + e
              + "): run it in the Spark task image (FROM apache/spark:"
              + SparkVersion.VERSION
              + "-scala"
              + SparkVersion.SCALA_BINARY_VERSION
              + "-java17-ubuntu), or add org.apache.spark:spark-sql_"
              + SparkVersion.SCALA_BINARY_VERSION
              + ":"
              + SparkVersion.VERSION
              + " as a dependency of the task jar (provided, and copied into the user-code"
              + " directory for local runs)",
          ContainerError.Kind.NON_RECOVERABLE);
    }
  }

  /** Rethrows {@code failure} as it is, checked or not, as Scala code does. */
  @SuppressWarnings("unchecked")
  private static <T extends Throwable> T sneaky(Throwable failure) throws T {
    throw (T) failure;
  }

  @Override
  protected final Class<? extends Annotation> pluginAnnotation() {
    return ExamplePluginTask.class;
  }

  /** Returns {@link #getSparkConfig()}, the method Spark tasks override. */
  @Override
  public final SparkApplicationConfig getConfig() {
    return getSparkConfig();
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
    return annotatedConfig("getSparkConfig");
  }
}
