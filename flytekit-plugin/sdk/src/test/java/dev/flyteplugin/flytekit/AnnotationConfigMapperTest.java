package dev.flyteplugin.flytekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flyteplugin.proto.ConfigViolation;
import dev.flyteplugin.proto.InvalidConfigException;
import dev.flyteplugin.proto.example.SparkContract;
import dev.flyteplugin.proto.example.v1.Dependencies;
import dev.flyteplugin.proto.example.v1.DynamicAllocation;
import dev.flyteplugin.proto.example.v1.ExecutorSpec;
import dev.flyteplugin.proto.example.v1.RestartPolicy;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import org.flyte.flytekit.SdkTypes;
import org.junit.jupiter.api.Test;

/**
 * The generic mapper on a test annotation that exercises every attribute kind, against the example
 * plugin's config message and contract (any message and contract would do).
 */
class AnnotationConfigMapperTest {
  @Retention(RetentionPolicy.RUNTIME)
  @PluginTaskAnnotation(contract = SparkContract.class, base = TestTask.class)
  @interface TestTaskAnnotation {
    String sparkVersion();

    String image() default "";

    @ConfigField("executor.instances")
    int executors() default ConfigField.UNSET;

    long timeToLiveSeconds() default ConfigField.UNSET;

    @ConfigField("restartPolicy.type")
    RestartPolicy.Type restart() default RestartPolicy.Type.TYPE_UNSPECIFIED;

    @ConfigField("deps.jars")
    String[] jars() default {};

    @ConfigField("sparkConf")
    Entry[] conf() default {};

    @ConfigField("dynamicAllocation.enabled")
    boolean dynamic() default false;

    @Retention(RetentionPolicy.RUNTIME)
    @interface Entry {
      String key();

      String value();
    }
  }

  /** A task base of the test plugin: the ~10 lines a plugin needs besides running its tasks. */
  abstract static class TestTask extends PluginRunnableTask<Void, Void, SparkApplicationConfig> {
    TestTask() {
      super(SdkTypes.nulls(), SdkTypes.nulls());
    }

    @Override
    protected Class<TestTaskAnnotation> pluginAnnotation() {
      return TestTaskAnnotation.class;
    }

    @Override
    public Void run(Void input) {
      return null;
    }
  }

  @TestTaskAnnotation(sparkVersion = "3.5.1")
  static class Minimal extends TestTask {}

  @TestTaskAnnotation(
      sparkVersion = "3.5.1",
      image = "ghcr.io/a/b:1",
      executors = 3,
      timeToLiveSeconds = 60,
      restart = RestartPolicy.Type.NEVER,
      jars = {"local:///a.jar", "local:///b.jar"},
      conf = {
        @TestTaskAnnotation.Entry(key = "spark.a", value = "1"),
        @TestTaskAnnotation.Entry(key = "spark.b", value = "2")
      },
      dynamic = true)
  static class Everything extends TestTask {}

  @TestTaskAnnotation(
      sparkVersion = "3.5.1",
      executors = 0,
      conf = {
        @TestTaskAnnotation.Entry(key = "spark.a", value = "1"),
        @TestTaskAnnotation.Entry(key = "spark.a", value = "2")
      })
  static class Invalid extends TestTask {}

  static class Unannotated extends TestTask {}

  private static final AnnotationConfigMapper<?> MAPPER =
      AnnotationConfigMapper.forAnnotationType(TestTaskAnnotation.class);

  @Test
  void unsetAttributesAreNotWrittenSoNestedMessagesStayAbsent() {
    SparkApplicationConfig config = new Minimal().getConfig();

    assertThat(config)
        .isEqualTo(SparkApplicationConfig.newBuilder().setSparkVersion("3.5.1").build());
    assertThat(config.hasExecutor()).isFalse();
    assertThat(config.hasRestartPolicy()).isFalse();
    assertThat(config.hasTimeToLiveSeconds()).isFalse();
    assertThat(config.hasDeps()).isFalse();
    assertThat(config.hasDynamicAllocation()).isFalse();
  }

  @Test
  void everyAttributeKindIsWrittenToItsField() {
    assertThat(new Everything().getConfig())
        .isEqualTo(
            SparkApplicationConfig.newBuilder()
                .setSparkVersion("3.5.1")
                .setImage("ghcr.io/a/b:1")
                .setExecutor(ExecutorSpec.newBuilder().setInstances(3))
                .setTimeToLiveSeconds(60)
                .setRestartPolicy(RestartPolicy.newBuilder().setType(RestartPolicy.Type.NEVER))
                .setDeps(
                    Dependencies.newBuilder().addJars("local:///a.jar").addJars("local:///b.jar"))
                .putSparkConf("spark.a", "1")
                .putSparkConf("spark.b", "2")
                .setDynamicAllocation(DynamicAllocation.newBuilder().setEnabled(true))
                .build());
  }

  @Test
  void theTaskTakesTypeAndCustomFromTheContract() {
    Everything task = new Everything();

    assertThat(task.getType()).isEqualTo("example_plugin");
    assertThat(task.contract()).isInstanceOf(SparkContract.class);
    assertThat(
            task.contract()
                .decode(
                    Structs.toProtobuf(Structs.toFlyte(task.contract().encode(task.getConfig())))))
        .isEqualTo(task.getConfig());
  }

  @Test
  void violationsNameTheAttributeNotTheConfigField() {
    assertThat(MAPPER.violations(Invalid.class.getAnnotation(TestTaskAnnotation.class)))
        .extracting(ConfigViolation::message)
        .containsExactly(
            "conf[\"spark.a\"]: the key is given twice (values \"1\" and \"2\"); keep one @Entry per key",
            "executors: must be at least 1, got 0; ask for at least one executor");
    assertThatThrownBy(() -> new Invalid().getCustom())
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("executors: must be at least 1");
  }

  @Test
  void configPathsMapBackToAttributePaths() {
    assertThat(MAPPER.attributePath("executor.instances")).isEqualTo("executors");
    assertThat(MAPPER.attributePath("restartPolicy.type")).isEqualTo("restart");
    assertThat(MAPPER.attributePath("deps.jars[1]")).isEqualTo("jars[1]");
    assertThat(MAPPER.attributePath("sparkConf[\"k\"]")).isEqualTo("conf[\"k\"]");
    // A field no attribute sets keeps its config path.
    assertThat(MAPPER.attributePath("driver.memory")).isEqualTo("driver.memory");
    assertThat(MAPPER.attributePath("executor.instancesX")).isEqualTo("executor.instancesX");
    assertThat(AnnotationConfigMapper.attributeName("conf[\"a.b\"]")).isEqualTo("conf");
    assertThat(AnnotationConfigMapper.attributeName("executors")).isEqualTo("executors");
  }

  @Test
  void aTaskWithoutAnnotationSaysWhatToDo() {
    assertThatThrownBy(() -> new Unannotated().getConfig())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(
            "Unannotated has no @TestTaskAnnotation: annotate the class, or override getConfig()");
  }

  @Retention(RetentionPolicy.RUNTIME)
  @interface UnknownField {
    @ConfigField("executor.replicas")
    int replicas() default 1;
  }

  @Retention(RetentionPolicy.RUNTIME)
  @interface WrongType {
    @ConfigField("executor.instances")
    String instances() default "";
  }

  @Retention(RetentionPolicy.RUNTIME)
  @interface ThroughARepeatedField {
    @ConfigField("extraArguments.x")
    String x() default "";
  }

  @Retention(RetentionPolicy.RUNTIME)
  @interface NotMarked {}

  @Test
  void aBadTableFailsNamingTheAttributeAndTheField() {
    SparkContract contract = new SparkContract();
    assertThatThrownBy(() -> AnnotationConfigMapper.of(UnknownField.class, contract))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "@UnknownField.replicas(): config field \"executor.replicas\" names no field")
        .hasMessageContaining("instances");
    assertThatThrownBy(() -> AnnotationConfigMapper.of(WrongType.class, contract))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("@WrongType.instances()")
        .hasMessageContaining("a String attribute cannot set int field");
    assertThatThrownBy(() -> AnnotationConfigMapper.of(ThroughARepeatedField.class, contract))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("extraArguments is not a single message field");
    assertThatThrownBy(() -> AnnotationConfigMapper.forAnnotationType(NotMarked.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("@NotMarked is not a plugin task annotation");
  }
}
