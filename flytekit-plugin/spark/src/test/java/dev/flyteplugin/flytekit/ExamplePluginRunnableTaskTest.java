package dev.flyteplugin.flytekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flyteplugin.flytekit.fixtures.ComputedConfigTask;
import dev.flyteplugin.flytekit.fixtures.FullyAnnotatedTask;
import dev.flyteplugin.flytekit.wordcount.CountWords;
import dev.flyteplugin.flytekit.wordcount.Report;
import dev.flyteplugin.proto.InvalidConfigException;
import dev.flyteplugin.proto.PluginContracts;
import dev.flyteplugin.proto.example.ExamplePlugin;
import dev.flyteplugin.proto.example.SparkContract;
import dev.flyteplugin.proto.example.v1.Dependencies;
import dev.flyteplugin.proto.example.v1.DriverSpec;
import dev.flyteplugin.proto.example.v1.ExecutorSpec;
import dev.flyteplugin.proto.example.v1.RestartPolicy;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.flyte.api.v1.RunnableTask;
import org.flyte.flytekit.SdkTypes;
import org.junit.jupiter.api.Test;

/**
 * What goes into the TaskTemplate of a plugin task, read the way registration reads it: through
 * flytekit-java's registrar ({@link RunnableTask#getType()}, {@link RunnableTask#getCustom()}), and
 * decoded back by the plugin codec.
 */
class ExamplePluginRunnableTaskTest {
  private static final Map<String, RunnableTask> TASKS = LocalEngineWorkflowTest.discoveredTasks();

  @Test
  void annotatedTaskHasThePluginTypeAndEveryAttributeInCustom() {
    RunnableTask task = TASKS.get(FullyAnnotatedTask.class.getName());

    assertThat(task.getType()).isEqualTo(ExamplePlugin.TASK_TYPE);
    SparkApplicationConfig decoded = ExamplePlugin.decode(Structs.toProtobuf(task.getCustom()));
    assertThat(decoded)
        .isEqualTo(
            SparkApplicationConfig.newBuilder()
                .setSparkVersion("3.5.1")
                .setImage("ghcr.io/example/spark:3.5.1")
                .setImagePullPolicy("IfNotPresent")
                .putSparkConf("spark.sql.shuffle.partitions", "64")
                .putSparkConf("spark.eventLog.enabled", "true")
                .putHadoopConf("fs.s3a.endpoint", "http://minio:9000")
                .setDriver(
                    DriverSpec.newBuilder()
                        .setCores(2)
                        .setCoreLimit("2500m")
                        .setMemory("2g")
                        .setMemoryOverhead("512m")
                        .setServiceAccount("spark-driver")
                        .setJavaOptions("-XX:+UseG1GC"))
                .setExecutor(
                    ExecutorSpec.newBuilder()
                        .setInstances(4)
                        .setCores(3)
                        .setCoreLimit("3")
                        .setMemory("4g")
                        .setMemoryOverhead("1g")
                        .setJavaOptions("-Dx=y"))
                .setRestartPolicy(
                    RestartPolicy.newBuilder()
                        .setType(RestartPolicy.Type.ON_FAILURE)
                        .setOnFailureRetries(1)
                        .setOnSubmissionFailureRetries(5))
                .setTimeToLiveSeconds(3600)
                .setDeps(
                    Dependencies.newBuilder()
                        .addJars("local:///opt/extra.jar")
                        .addPackages("org.apache.spark:spark-avro_2.12:3.5.1"))
                .setBatchScheduler("volcano")
                .setBatchSchedulerQueue("batch")
                .setPriorityClassName("high-priority")
                .build());
    // The custom is exactly the codec's Struct, not merely something that decodes to the config.
    assertThat(task.getCustom()).isEqualTo(Structs.toFlyte(ExamplePlugin.encode(decoded)));
  }

  @Test
  void unsetAttributesAreLeftOutSoTheBackendDefaultsApply() {
    SparkApplicationConfig decoded =
        ExamplePlugin.decode(Structs.toProtobuf(TASKS.get(CountWords.class.getName()).getCustom()));

    assertThat(decoded.hasDriver()).isFalse();
    assertThat(decoded.hasRestartPolicy()).isFalse();
    assertThat(decoded.hasTimeToLiveSeconds()).isFalse();
    assertThat(decoded.getExecutor().hasCores()).isFalse();
    assertThat(decoded.getImage()).isEmpty();
    assertThat(TASKS.get(CountWords.class.getName()).getCustom().fields())
        .containsOnlyKeys("sparkVersion", "sparkConf", "executor");
  }

  @Test
  void programmaticTaskCarriesItsComputedConfigIncludingNestedListsAndMaps() {
    RunnableTask task = TASKS.get(ComputedConfigTask.class.getName());

    assertThat(task.getType()).isEqualTo(ExamplePlugin.TASK_TYPE);
    assertThat(ExamplePlugin.decode(Structs.toProtobuf(task.getCustom())))
        .isEqualTo(ComputedConfigTask.CONFIG);
    assertThat(task.getCustom())
        .isEqualTo(Structs.toFlyte(ExamplePlugin.encode(ComputedConfigTask.CONFIG)));
  }

  @Test
  void pluginTaskKeepsTheRunnableTaskInterface() {
    RunnableTask task = TASKS.get(CountWords.class.getName());

    assertThat(task.getInterface().inputs()).containsOnlyKeys("text");
    assertThat(task.getInterface().outputs()).containsOnlyKeys("words");
  }

  @Test
  void configIsReadableFromInstanceAndRegisteredTask() {
    SparkApplicationConfig fromInstance = new CountWords().getSparkConfig();

    assertThat(fromInstance.getExecutor().getInstances()).isEqualTo(4);
    assertThat(new CountWords().getConfig()).isEqualTo(fromInstance);
    assertThat(
            ExamplePlugin.decode(
                Structs.toProtobuf(TASKS.get(CountWords.class.getName()).getCustom())))
        .isEqualTo(fromInstance);
    assertThat(new ComputedConfigTask().getConfig()).isEqualTo(ComputedConfigTask.CONFIG);
    assertThat(new CountWords().contract()).isInstanceOf(SparkContract.class);
    assertThat(new CountWords()).isInstanceOf(PluginRunnableTask.class);
    assertThat(new Report()).isNotInstanceOf(PluginRunnableTask.class);
  }

  @Test
  void plainTasksHaveNoPluginContract() {
    RunnableTask report = TASKS.get(Report.class.getName());

    assertThat(report.getType()).isNotEqualTo(ExamplePlugin.TASK_TYPE);
    assertThat(PluginContracts.forTaskType(report.getType(), getClass().getClassLoader()))
        .isEmpty();
    assertThat(
            PluginContracts.forTaskType(
                TASKS.get(CountWords.class.getName()).getType(), getClass().getClassLoader()))
        .get()
        .isInstanceOf(SparkContract.class);
  }

  @Test
  void invalidAnnotationFailsAtRuntimeWithTheCompileTimeMessage() {
    // The processor reports the same text for the same annotation (see the processor's tests).
    assertThatThrownBy(() -> new ZeroExecutors().getCustom())
        .isInstanceOf(InvalidConfigException.class)
        .hasMessage(
            "invalid plugin config: executorInstances: must be at least 1, got 0;"
                + " ask for at least one executor");
  }

  @Test
  void duplicateConfKeyFailsAtRuntimeToo() {
    assertThatThrownBy(() -> new DuplicateKey().getSparkConfig())
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining(
            "sparkConf[\"spark.a\"]: the key is given twice (values \"1\" and \"2\")");
  }

  @Test
  void invalidComputedConfigFailsWithTheValidatorsFieldPath() {
    ExamplePluginRunnableTask<Void, Void> task =
        new NoAnnotation() {
          @Override
          public SparkApplicationConfig getSparkConfig() {
            return SparkApplicationConfig.newBuilder()
                .setSparkVersion("3.5.1")
                .setExecutor(ExecutorSpec.newBuilder().setMemory("4 GB"))
                .build();
          }
        };

    assertThatThrownBy(task::getCustom)
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("executor.memory: \"4 GB\" is not a Spark memory size");
    assertThatThrownBy(() -> task.contract().check(task.getConfig()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("executor.memory: \"4 GB\" is not a Spark memory size");
  }

  @Test
  void taskWithoutAnnotationOrOverrideSaysWhatToDo() {
    assertThatThrownBy(() -> new NoAnnotation().getCustom())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("has no @ExamplePluginTask: annotate the class, or override");
  }

  @ExamplePluginTask(sparkVersion = "3.5.1", executorInstances = 0)
  static class ZeroExecutors extends NoAnnotation {}

  @ExamplePluginTask(
      sparkVersion = "3.5.1",
      sparkConf = {
        @ExamplePluginTask.Conf(key = "spark.a", value = "1"),
        @ExamplePluginTask.Conf(key = "spark.a", value = "2")
      })
  static class DuplicateKey extends NoAnnotation {}

  static class NoAnnotation extends ExamplePluginRunnableTask<Void, Void> {
    NoAnnotation() {
      super(SdkTypes.nulls(), SdkTypes.nulls());
    }

    @Override
    protected Void run(SparkSession spark, Void input) {
      return null;
    }
  }
}
