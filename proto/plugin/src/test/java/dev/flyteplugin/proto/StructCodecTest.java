package dev.flyteplugin.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.flyteplugin.proto.example.v1.Dependencies;
import dev.flyteplugin.proto.example.v1.DriverSpec;
import dev.flyteplugin.proto.example.v1.DynamicAllocation;
import dev.flyteplugin.proto.example.v1.ExecutorSpec;
import dev.flyteplugin.proto.example.v1.Gpu;
import dev.flyteplugin.proto.example.v1.RestartPolicy;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;
import dev.flyteplugin.proto.example.v1.Toleration;
import org.junit.jupiter.api.Test;

public class StructCodecTest {
  private final StructCodec<SparkApplicationConfig> codec =
      StructCodec.of(SparkApplicationConfig.getDefaultInstance());

  /** Every field of every message set, so a field the codec drops fails the round trip. */
  public static SparkApplicationConfig fullyPopulated() {
    Toleration toleration =
        Toleration.newBuilder()
            .setKey("dedicated")
            .setOperator("Equal")
            .setValue("spark")
            .setEffect("NoSchedule")
            .setTolerationSeconds(300)
            .build();
    return SparkApplicationConfig.newBuilder()
        .setApplicationType(SparkApplicationConfig.ApplicationType.SCALA)
        .setMainClass("com.example.Main")
        .setMainApplicationFile("local:///opt/app/app.jar")
        .setSparkVersion("3.5.1")
        .putSparkConf("spark.sql.shuffle.partitions", "64")
        .putHadoopConf("fs.s3a.endpoint", "http://minio:9000")
        .setDriver(
            DriverSpec.newBuilder()
                .setCores(2)
                .setCoreLimit("2500m")
                .setMemory("2g")
                .setMemoryOverhead("512m")
                .setServiceAccount("spark-driver")
                .setJavaOptions("-XX:+UseG1GC")
                .putLabels("team", "data")
                .putAnnotations("example.com/owner", "data-team")
                .putEnv("MODE", "batch")
                .putNodeSelector("pool", "spark")
                .addTolerations(toleration)
                .setImage("ghcr.io/example/driver:1")
                .setGpu(Gpu.newBuilder().setName("nvidia.com/gpu").setQuantity(1)))
        .setExecutor(
            ExecutorSpec.newBuilder()
                .setInstances(4)
                .setCores(3)
                .setCoreLimit("3")
                .setMemory("4g")
                .setMemoryOverhead("1g")
                .setJavaOptions("-Dx=y")
                .putLabels("team", "data")
                .putAnnotations("a", "b")
                .putEnv("E", "1")
                .putNodeSelector("pool", "spark")
                .addTolerations(toleration)
                .setImage("ghcr.io/example/executor:1")
                .setDeleteOnTermination(false)
                .setGpu(Gpu.newBuilder().setName("nvidia.com/gpu").setQuantity(2))
                .setServiceAccount("spark-executor"))
        .setRestartPolicy(
            RestartPolicy.newBuilder()
                .setType(RestartPolicy.Type.ON_FAILURE)
                .setOnFailureRetries(1)
                .setOnFailureRetryIntervalSeconds(10)
                .setOnSubmissionFailureRetries(14)
                .setOnSubmissionFailureRetryIntervalSeconds(20))
        .setTimeToLiveSeconds(3600)
        .setImage("ghcr.io/example/app:1")
        .setImagePullPolicy("IfNotPresent")
        .setDeps(
            Dependencies.newBuilder()
                .addJars("local:///opt/extra.jar")
                .addFiles("s3a://bucket/f.txt")
                .addPyFiles("s3a://bucket/x.py")
                .addPackages("org.apache.spark:spark-avro_2.12:3.5.1")
                .addExcludePackages("com.x:y")
                .addRepositories("https://repo.example.com"))
        .setDynamicAllocation(
            DynamicAllocation.newBuilder()
                .setEnabled(true)
                .setInitialExecutors(1)
                .setMinExecutors(1)
                .setMaxExecutors(10)
                .setShuffleTrackingTimeoutMillis(60000))
        .setBatchScheduler("volcano")
        .setBatchSchedulerQueue("default")
        .addExtraArguments("--verbose")
        .setPriorityClassName("high-priority")
        .build();
  }

  @Test
  void fullyPopulatedConfigSurvivesTheStructRoundTrip() {
    SparkApplicationConfig config = fullyPopulated();

    Struct struct = codec.toStruct(config);

    assertThat(codec.fromStruct(struct)).isEqualTo(config);
    // The wire form is the proto3 JSON mapping, as Flyte's plugins expect.
    assertThat(struct.getFieldsOrThrow("sparkVersion").getStringValue()).isEqualTo("3.5.1");
    assertThat(
            struct
                .getFieldsOrThrow("executor")
                .getStructValue()
                .getFieldsOrThrow("instances")
                .getNumberValue())
        .isEqualTo(4);
    assertThat(struct.getFieldsOrThrow("applicationType").getStringValue()).isEqualTo("SCALA");
  }

  @Test
  void explicitZeroOfAnOptionalFieldIsKept() {
    SparkApplicationConfig config =
        SparkApplicationConfig.newBuilder()
            .setSparkVersion("3.5.1")
            .setExecutor(ExecutorSpec.newBuilder().setInstances(0))
            .build();

    SparkApplicationConfig back = codec.fromStruct(codec.toStruct(config));

    assertThat(back.getExecutor().hasInstances()).isTrue();
    assertThat(back.getExecutor().getInstances()).isZero();
  }

  @Test
  void unknownFieldsAreIgnoredForForwardCompatibility() {
    Struct struct =
        Struct.newBuilder()
            .putFields("sparkVersion", string("3.5.1"))
            .putFields("someFutureField", string("x"))
            .putFields(
                "executor",
                object(
                    Struct.newBuilder()
                        .putFields("instances", number(2))
                        .putFields("futureNested", number(1))))
            .build();

    SparkApplicationConfig config = codec.fromStruct(struct);

    assertThat(config.getSparkVersion()).isEqualTo("3.5.1");
    assertThat(config.getExecutor().getInstances()).isEqualTo(2);
  }

  @Test
  void snakeCaseNamesAndIntegersWrittenAsStringsAreAccepted() {
    Struct struct =
        Struct.newBuilder()
            .putFields("spark_version", string("3.4.0"))
            .putFields("time_to_live_seconds", string("600"))
            .putFields("executor", object(Struct.newBuilder().putFields("instances", string("3"))))
            .build();

    SparkApplicationConfig config = codec.fromStruct(struct);

    assertThat(config.getSparkVersion()).isEqualTo("3.4.0");
    assertThat(config.getTimeToLiveSeconds()).isEqualTo(600);
    assertThat(config.getExecutor().getInstances()).isEqualTo(3);
  }

  @Test
  void executorInstancesGivenAsAWordIsRejectedNamingTheField() {
    Struct struct =
        Struct.newBuilder()
            .putFields("sparkVersion", string("3.5.1"))
            .putFields(
                "executor", object(Struct.newBuilder().putFields("instances", string("four"))))
            .build();

    assertThatThrownBy(() -> codec.fromStruct(struct))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("executor.instances")
        .hasMessageContaining("expected a whole number, got the string \"four\"");
  }

  @Test
  void everyWrongTypeIsReportedAtOnceWithItsPath() {
    Struct struct =
        Struct.newBuilder()
            .putFields("sparkVersion", number(3.5))
            .putFields("sparkConf", object(Struct.newBuilder().putFields("spark.x", number(1))))
            .putFields("extraArguments", string("--verbose"))
            .putFields(
                "driver",
                object(
                    Struct.newBuilder()
                        .putFields("cores", number(1.5))
                        .putFields(
                            "tolerations",
                            Value.newBuilder()
                                .setListValue(ListValue.newBuilder().addValues(string("x")))
                                .build())))
            .putFields("applicationType", string("KOTLIN"))
            .putFields("executor", object(Struct.newBuilder().putFields("instances", number(1e12))))
            .putFields("restartPolicy", string("NEVER"))
            .build();

    InvalidConfigException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            InvalidConfigException.class, () -> codec.fromStruct(struct));

    assertThat(e.violations())
        .extracting(ConfigViolation::field)
        .containsExactlyInAnyOrder(
            "sparkVersion",
            "sparkConf[\"spark.x\"]",
            "extraArguments",
            "driver.cores",
            "driver.tolerations[0]",
            "applicationType",
            "executor.instances",
            "restartPolicy");
    assertThat(e.getMessage())
        .contains("applicationType: unknown value the string \"KOTLIN\"; use one of JAVA, SCALA");
  }

  @Test
  void nullMeansNotSet() {
    Struct struct =
        Struct.newBuilder()
            .putFields("sparkVersion", string("3.5.1"))
            .putFields("image", Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build())
            .build();

    assertThat(codec.fromStruct(struct).getImage()).isEmpty();
  }

  private static Value string(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  private static Value number(double d) {
    return Value.newBuilder().setNumberValue(d).build();
  }

  private static Value object(Struct.Builder s) {
    return Value.newBuilder().setStructValue(s).build();
  }
}
