package dev.flyteplugin.proto.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.flyteplugin.proto.ConfigViolation;
import dev.flyteplugin.proto.InvalidConfigException;
import dev.flyteplugin.proto.example.v1.DriverSpec;
import dev.flyteplugin.proto.example.v1.DynamicAllocation;
import dev.flyteplugin.proto.example.v1.ExecutorSpec;
import dev.flyteplugin.proto.example.v1.RestartPolicy;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;
import dev.flyteplugin.proto.example.v1.Toleration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SparkConfigValidatorTest {

  private static SparkApplicationConfig.Builder minimal() {
    return SparkApplicationConfig.newBuilder().setSparkVersion("3.5.1");
  }

  private static List<String> fields(SparkApplicationConfig config) {
    return SparkConfigValidator.violations(config).stream().map(ConfigViolation::field).toList();
  }

  @Test
  void perRoleMemoryLimitAndNodeSelectorAreChecked() {
    SparkApplicationConfig config =
        minimal()
            .setDriver(DriverSpec.newBuilder().setMemoryLimit("3g").putNodeSelector("pool", "cpu"))
            .setExecutor(
                ExecutorSpec.newBuilder()
                    .setMemoryLimit("three gigs")
                    .putNodeSelector("pool", "not a value!"))
            .build();
    assertThat(fields(config))
        .containsExactlyInAnyOrder("executor.memoryLimit", "executor.nodeSelector[\"pool\"]");
  }

  @Test
  void minimalConfigIsValid() {
    assertThat(SparkConfigValidator.violations(minimal().build())).isEmpty();
  }

  @Test
  void fullyPopulatedConfigIsValid() {
    assertThat(
            SparkConfigValidator.violations(dev.flyteplugin.proto.StructCodecTest.fullyPopulated()))
        .isEmpty();
  }

  @Test
  void extraArgumentsNeedAMainClassOfTheUsers() {
    // The default main runs `jflyte execute`, which rejects arguments it does not know.
    List<ConfigViolation> violations =
        SparkConfigValidator.violations(minimal().addExtraArguments("--verbose").build());
    assertThat(violations)
        .singleElement()
        .extracting(ConfigViolation::field)
        .isEqualTo("extraArguments");
    assertThat(violations.get(0).toString()).contains("jflyte execute").contains("mainClass");
    assertThat(
            SparkConfigValidator.violations(
                minimal().setMainClass("org.example.Main").addExtraArguments("--verbose").build()))
        .isEmpty();
  }

  @Test
  void aPythonOrRApplicationNeedsItsOwnScriptAndNoMainClass() {
    // The default artifact is the task's jar: only a JVM application can run it.
    for (var type :
        List.of(
            SparkApplicationConfig.ApplicationType.PYTHON,
            SparkApplicationConfig.ApplicationType.R)) {
      assertThat(fields(minimal().setApplicationType(type).build()))
          .containsExactly("applicationType");
      assertThat(
              fields(
                  minimal()
                      .setApplicationType(type)
                      .setMainApplicationFile("local:///opt/app/main.py")
                      .setMainClass("org.example.Main")
                      .build()))
          .containsExactly("mainClass");
      assertThat(
              SparkConfigValidator.violations(
                  minimal()
                      .setApplicationType(type)
                      .setMainApplicationFile("local:///opt/app/main.py")
                      .addExtraArguments("--verbose")
                      .build()))
          .isEmpty();
    }
    assertThat(
            fields(
                minimal().setApplicationType(SparkApplicationConfig.ApplicationType.SCALA).build()))
        .isEmpty();
  }

  @Test
  void missingSparkVersionIsNamedWithAnExample() {
    List<ConfigViolation> violations =
        SparkConfigValidator.violations(SparkApplicationConfig.getDefaultInstance());

    assertThat(violations).hasSize(1);
    assertThat(violations.get(0).message())
        .isEqualTo(
            "sparkVersion: is required and missing; give the Spark version of the image, e.g."
                + " \"3.5.1\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"3", "three", "3.5.x", " 3.5.1", "v3.5.1"})
  void malformedSparkVersionIsRejected(String version) {
    assertThat(fields(minimal().setSparkVersion(version).build())).containsExactly("sparkVersion");
  }

  @ParameterizedTest
  @ValueSource(strings = {"3.5", "3.5.1", "3.5.1-custom1"})
  void wellFormedSparkVersionIsAccepted(String version) {
    assertThat(fields(minimal().setSparkVersion(version).build())).isEmpty();
  }

  @Test
  void zeroExecutorsAndCoresAreRejected() {
    SparkApplicationConfig config =
        minimal()
            .setExecutor(ExecutorSpec.newBuilder().setInstances(0).setCores(0))
            .setDriver(DriverSpec.newBuilder().setCores(-1))
            .build();

    assertThat(fields(config))
        .containsExactlyInAnyOrder("executor.instances", "executor.cores", "driver.cores");
  }

  @ParameterizedTest
  @ValueSource(strings = {"4Gi", "4 g", "lots", "4.5g", "-1g"})
  void memoryThatIsNotASparkSizeIsRejected(String memory) {
    List<ConfigViolation> violations =
        SparkConfigValidator.violations(
            minimal().setExecutor(ExecutorSpec.newBuilder().setMemory(memory)).build());

    assertThat(violations).extracting(ConfigViolation::field).containsExactly("executor.memory");
    assertThat(violations.get(0).fix()).contains("\"4g\"");
  }

  @Test
  void kubernetesStyleMemoryGetsAHintAboutSpark() {
    assertThat(SparkConfigValidator.checkSparkSize("driver.memory", "4Gi").get(0).fix())
        .contains("Spark does not read Kubernetes' \"4Gi\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"512m", "4g", "4G", "1024", "2gb", "100k", "1t"})
  void sparkSizesAreAccepted(String memory) {
    assertThat(SparkConfigValidator.checkSparkSize("driver.memory", memory)).isEmpty();
  }

  @Test
  void badKubernetesValuesAreRejected() {
    SparkApplicationConfig config =
        minimal()
            .setDriver(
                DriverSpec.newBuilder()
                    .setCoreLimit("two")
                    .setServiceAccount("Spark_Driver")
                    .putLabels("ok", "-bad-")
                    .addTolerations(Toleration.newBuilder().setOperator("Like").setEffect("Now")))
            .setImagePullPolicy("Sometimes")
            .setTimeToLiveSeconds(0)
            .setImage("my image")
            .setMainClass("com.example.")
            .build();

    assertThat(fields(config))
        .containsExactlyInAnyOrder(
            "driver.coreLimit",
            "driver.serviceAccount",
            "driver.labels[\"ok\"]",
            "driver.tolerations[0].operator",
            "driver.tolerations[0].effect",
            "imagePullPolicy",
            "timeToLiveSeconds",
            "image",
            "mainClass");
  }

  @Test
  void inconsistentPoliciesAreRejected() {
    SparkApplicationConfig config =
        minimal()
            .setRestartPolicy(
                RestartPolicy.newBuilder().setType(RestartPolicy.Type.NEVER).setOnFailureRetries(2))
            .setDynamicAllocation(
                DynamicAllocation.newBuilder()
                    .setEnabled(true)
                    .setMinExecutors(5)
                    .setMaxExecutors(2))
            .putSparkConf(" spark.x", "1")
            .build();

    assertThat(fields(config))
        .containsExactlyInAnyOrder(
            "restartPolicy.type", "dynamicAllocation.minExecutors", "sparkConf[\" spark.x\"]");
  }

  @Test
  void decodeChecksTypesThenRules() {
    Struct wrongRule =
        Struct.newBuilder()
            .putFields("sparkVersion", Value.newBuilder().setStringValue("3.5.1").build())
            .putFields(
                "executor",
                Value.newBuilder()
                    .setStructValue(
                        Struct.newBuilder()
                            .putFields("memory", Value.newBuilder().setStringValue("4Gi").build()))
                    .build())
            .build();

    assertThatThrownBy(() -> ExamplePlugin.decode(wrongRule))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith("invalid plugin config: executor.memory: \"4Gi\" is not a Spark");
  }

  @Test
  void encodeRefusesAnInvalidConfigAndDecodeReadsWhatEncodeWrote() {
    assertThatThrownBy(() -> ExamplePlugin.encode(SparkApplicationConfig.getDefaultInstance()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("sparkVersion");

    SparkApplicationConfig config =
        minimal().setExecutor(ExecutorSpec.newBuilder().setInstances(3)).build();
    assertThat(ExamplePlugin.decode(ExamplePlugin.encode(config))).isEqualTo(config);
  }

  @Test
  void envNamesOfDriverAndExecutorMustBeOnesKubernetesAccepts() {
    SparkApplicationConfig config =
        minimal()
            .setDriver(DriverSpec.newBuilder().putEnv("JAVA_OPTS", "x").putEnv("1BAD", "y"))
            .setExecutor(ExecutorSpec.newBuilder().putEnv("has space", "z"))
            .build();

    assertThat(fields(config))
        .containsExactly("driver.env[\"1BAD\"]", "executor.env[\"has space\"]");
  }
}
