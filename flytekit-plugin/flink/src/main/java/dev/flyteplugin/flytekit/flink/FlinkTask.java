package dev.flyteplugin.flytekit.flink;

import dev.flyteplugin.flytekit.ConfigField;
import dev.flyteplugin.flytekit.PluginTaskAnnotation;
import dev.flyteplugin.proto.flink.FlinkContract;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a {@link FlinkRunnableTask} as a Flink application (a FlinkDeployment): its {@code run} is
 * the job's entry point in the JobManager. Each attribute sets one field of {@code FlinkJobConfig}
 * (flink.proto); unset ones leave the backend's default. Checked at compile time by the plugin
 * processor with the contract's rules.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@PluginTaskAnnotation(contract = FlinkContract.class, base = FlinkRunnableTask.class)
public @interface FlinkTask {
  /** The operator's FlinkVersion of the image, e.g. "v1_20". Required. */
  String flinkVersion();

  /** Image of JobManager and TaskManagers. Default: the task container's image. */
  String image() default "";

  /** The job's parallelism, at least 1. */
  int parallelism() default ConfigField.UNSET;

  @ConfigField("jobManager.memory")
  String jobManagerMemory() default "";

  @ConfigField("taskManager.memory")
  String taskManagerMemory() default "";

  /**
   * Number of TaskManager pods; the job then runs with replicas x taskmanager.numberOfTaskSlots and
   * {@link #parallelism} must stay unset.
   */
  @ConfigField("taskManager.replicas")
  int taskManagerReplicas() default ConfigField.UNSET;

  /** Ephemeral storage of each TaskManager pod, a Kubernetes quantity ("10Gi"). */
  @ConfigField("taskManager.ephemeralStorage")
  String taskManagerEphemeralStorage() default "";

  /** Node selector of the JobManager pod. */
  @ConfigField("jobManager.nodeSelector")
  Conf[] jobManagerNodeSelector() default {};

  /** Node selector of the TaskManager pods. */
  @ConfigField("taskManager.nodeSelector")
  Conf[] taskManagerNodeSelector() default {};

  /** Labels of the TaskManager pods (the execution's own labels are added and win). */
  @ConfigField("taskManager.labels")
  Conf[] taskManagerLabels() default {};

  /** Priority class of the TaskManager pods; the deployment must allow it. */
  @ConfigField("taskManager.priorityClassName")
  String taskManagerPriorityClassName() default "";

  /** Flink configuration entries; keys must be unique. */
  Conf[] flinkConfiguration() default {};

  /** One configuration entry. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target({})
  @interface Conf {
    String key();

    String value();
  }
}
