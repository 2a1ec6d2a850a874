package dev.flyteplugin.flytekit;

import dev.flyteplugin.proto.example.SparkContract;
import dev.flyteplugin.proto.example.v1.RestartPolicy;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs an {@link ExamplePluginRunnableTask} as a Spark application: its {@code run} executes in the
 * Spark driver that the backend starts through the Spark operator.
 *
 * <pre>{@code
 * @AutoService(SdkRunnableTask.class)
 * @ExamplePluginTask(sparkVersion = "3.5.1", executorInstances = 4, executorMemory = "4g",
 *     sparkConf = @Conf(key = "spark.sql.shuffle.partitions", value = "64"))
 * public class CountWords extends ExamplePluginRunnableTask<Input, Output> { ... }
 * }</pre>
 *
 * <p>Every attribute maps to one field of {@code SparkApplicationConfig} (plugin.proto), the field
 * of its name or the one its {@link ConfigField} names, through the generic {@link
 * AnnotationConfigMapper}; what the annotation cannot say (labels, tolerations, GPUs, dynamic
 * allocation ...) is said by overriding {@link ExamplePluginRunnableTask#getSparkConfig()}. Numeric
 * attributes left at {@link #UNSET} and string attributes left empty are not written, so the
 * backend's default applies.
 *
 * <p>The annotation is inherited: an abstract base class can hold the config that its concrete task
 * subclasses share.
 *
 * <p>The processor {@code flytekit-plugin-processor} checks the annotation at compile time with the
 * same rules (and messages) as the runtime check.
 *
 * <p>PLUGIN AUTHOR SEAM: one attribute per config field your users set often, {@link ConfigField}
 * where its name is not the field's; the rest through {@link
 * ExamplePluginRunnableTask#getSparkConfig()}.
 */
@PluginTaskAnnotation(contract = SparkContract.class, base = ExamplePluginRunnableTask.class)
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ExamplePluginTask {
  /** Value of a numeric attribute that is not set. */
  int UNSET = ConfigField.UNSET;

  /** Spark version of the image, e.g. "3.5.1". Required. */
  String sparkVersion();

  /** Image of driver and executors. Default: the task container's image. */
  String image() default "";

  /** Always, IfNotPresent or Never. Default: the cluster's default. */
  String imagePullPolicy() default "";

  /** Spark configuration entries; keys must be unique and not blank. */
  Conf[] sparkConf() default {};

  /** Hadoop configuration entries (spark.hadoop.*); keys must be unique and not blank. */
  Conf[] hadoopConf() default {};

  /** Driver cores, at least 1. Default: 1. */
  @ConfigField("driver.cores")
  int driverCores() default UNSET;

  /** Driver CPU limit as a Kubernetes quantity ("1", "1500m"). */
  @ConfigField("driver.coreLimit")
  String driverCoreLimit() default "";

  /** Driver heap in Spark's format ("512m", "2g"). */
  @ConfigField("driver.memory")
  String driverMemory() default "";

  /** Driver non-heap memory in Spark's format ("384m"). */
  @ConfigField("driver.memoryOverhead")
  String driverMemoryOverhead() default "";

  /** Service account of the driver; it needs permission to create executor pods. */
  @ConfigField("driver.serviceAccount")
  String driverServiceAccount() default "";

  /** Extra JVM options of the driver. */
  @ConfigField("driver.javaOptions")
  String driverJavaOptions() default "";

  /** Number of executors, at least 1. Default: 1. */
  @ConfigField("executor.instances")
  int executorInstances() default UNSET;

  /** Cores per executor, at least 1. Default: 1. */
  @ConfigField("executor.cores")
  int executorCores() default UNSET;

  /** CPU limit per executor as a Kubernetes quantity. */
  @ConfigField("executor.coreLimit")
  String executorCoreLimit() default "";

  /** Heap per executor in Spark's format ("4g"). */
  @ConfigField("executor.memory")
  String executorMemory() default "";

  /** Non-heap memory per executor in Spark's format ("1g"). */
  @ConfigField("executor.memoryOverhead")
  String executorMemoryOverhead() default "";

  /** Extra JVM options of the executors. */
  @ConfigField("executor.javaOptions")
  String executorJavaOptions() default "";

  /** The operator's restart policy. Default: ON_FAILURE. */
  @ConfigField("restartPolicy.type")
  RestartPolicy.Type restartPolicy() default RestartPolicy.Type.TYPE_UNSPECIFIED;

  /** Reruns after a failed run (ON_FAILURE only), 0 or more. */
  @ConfigField("restartPolicy.onFailureRetries")
  int onFailureRetries() default UNSET;

  /** Resubmissions after a failed submission (ON_FAILURE only), 0 or more. Default: 14. */
  @ConfigField("restartPolicy.onSubmissionFailureRetries")
  int onSubmissionFailureRetries() default UNSET;

  /** Seconds the finished application is kept, at least 1. Default: the backend's TTL. */
  long timeToLiveSeconds() default UNSET;

  /** Extra jars fetched at submission. */
  @ConfigField("deps.jars")
  String[] jars() default {};

  /** Maven coordinates "group:artifact:version" fetched at submission. */
  @ConfigField("deps.packages")
  String[] packages() default {};

  /** Batch scheduler of the pods, e.g. "volcano". */
  String batchScheduler() default "";

  /** Queue of the batch scheduler. */
  String batchSchedulerQueue() default "";

  /** Kubernetes priority class of the pods. */
  String priorityClassName() default "";

  /** One configuration entry. */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target({})
  @interface Conf {
    String key();

    String value();
  }
}
