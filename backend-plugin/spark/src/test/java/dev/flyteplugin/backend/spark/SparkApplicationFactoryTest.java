package dev.flyteplugin.backend.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flyteplugin.backend.api.LogLinkTemplate;
import dev.flyteplugin.backend.api.ResourceBuildException;
import dev.flyteplugin.proto.example.v1.DriverSpec;
import dev.flyteplugin.proto.example.v1.ExecutorSpec;
import dev.flyteplugin.proto.example.v1.RestartPolicy;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig.ApplicationType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SparkApplicationFactoryTest {
  private final SparkOperatorPlugin plugin = new SparkOperatorPlugin(SparkPluginConfig.defaults());

  @SuppressWarnings("unchecked")
  private Map<String, Object> spec(SparkApplicationConfig config) throws ResourceBuildException {
    return (Map<String, Object>)
        plugin
            .build(SparkTasks.context(SparkTasks.request("app", config)))
            .getAdditionalProperties()
            .get("spec");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> sub(Map<String, Object> spec, String key) {
    return (Map<String, Object>) spec.get(key);
  }

  @Test
  void aMinimalConfigRunsTheTaskContainerThroughTheJflyteEntrypointInClusterMode()
      throws Exception {
    Map<String, Object> spec = spec(SparkTasks.minimalConfig());

    assertThat(spec)
        .containsEntry("type", "Java")
        .containsEntry("mode", "cluster")
        .containsEntry("sparkVersion", "3.5.1")
        .containsEntry("image", SparkTasks.IMAGE)
        .containsEntry("mainClass", "dev.flyteplugin.jflyte.Jflyte")
        .containsEntry("mainApplicationFile", "local:///app/jflyte.jar")
        .containsEntry(
            "arguments",
            List.of(
                "execute", "--task", "org.example.WordCount", "--inputs", "s3://bucket/inputs.pb"))
        .doesNotContainKey("timeToLiveSeconds");
    assertThat(sub(spec, "restartPolicy"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("type", "OnFailure", "onSubmissionFailureRetries", 14, "onFailureRetries", 0));
  }

  @Test
  void theConfigOverridesImageTypeEntrypointAndAddsArguments() throws Exception {
    Map<String, Object> spec =
        spec(
            SparkTasks.minimalConfig().toBuilder()
                .setApplicationType(ApplicationType.SCALA)
                .setImage("ghcr.io/example/other:2")
                .setMainClass("org.example.Main")
                .setMainApplicationFile("s3a://bucket/app.jar")
                .addExtraArguments("--verbose")
                .setTimeToLiveSeconds(600)
                .putSparkConf("spark.sql.shuffle.partitions", "64")
                .putHadoopConf("fs.s3a.endpoint", "http://minio:9000")
                .setRestartPolicy(RestartPolicy.newBuilder().setType(RestartPolicy.Type.NEVER))
                .build());

    assertThat(spec)
        .containsEntry("type", "Scala")
        .containsEntry("image", "ghcr.io/example/other:2")
        .containsEntry("mainClass", "org.example.Main")
        .containsEntry("mainApplicationFile", "s3a://bucket/app.jar")
        .containsEntry("timeToLiveSeconds", 600L)
        .containsEntry("sparkConf", Map.of("spark.sql.shuffle.partitions", "64"))
        .containsEntry("hadoopConf", Map.of("fs.s3a.endpoint", "http://minio:9000"));
    assertThat((List<String>) spec.get("arguments")).endsWith("--verbose").startsWith("execute");
    assertThat(sub(spec, "restartPolicy")).containsExactlyEntriesOf(Map.of("type", "Never"));
  }

  @Test
  void driverAndExecutorGetTheEnvTheExecutionLabelsAndTheirSizes() throws Exception {
    Map<String, Object> spec =
        spec(
            SparkTasks.minimalConfig().toBuilder()
                .setDriver(
                    DriverSpec.newBuilder()
                        .setCores(2)
                        .setMemory("2g")
                        .putEnv("ROLE", "driver")
                        .putLabels("team", "data"))
                .setExecutor(ExecutorSpec.newBuilder().setInstances(3).setMemory("4g"))
                .build());

    Map<String, Object> driver = sub(spec, "driver");
    Map<String, Object> executor = sub(spec, "executor");
    assertThat(driver)
        .containsEntry("cores", 2)
        .containsEntry("memory", "2g")
        .containsEntry("serviceAccount", "flyte-task-sa");
    assertThat(executor)
        .containsEntry("instances", 3)
        .containsEntry("cores", 1)
        .containsEntry("memory", "4g");
    assertThat((List<Map<String, Object>>) driver.get("env"))
        .contains(
            Map.of("name", "FLYTE_INTERNAL_IMAGE", "value", SparkTasks.IMAGE),
            Map.of("name", "FLYTE_PLATFORM_URL", "value", "flyteadmin:81"),
            Map.of("name", "ROLE", "value", "driver"));
    assertThat((List<Map<String, Object>>) executor.get("env"))
        .contains(Map.of("name", "FLYTE_INTERNAL_IMAGE", "value", SparkTasks.IMAGE))
        .doesNotContain(Map.of("name", "ROLE", "value", "driver"));
    assertThat((Map<String, String>) driver.get("labels"))
        .containsEntry("team", "data")
        .containsEntry("flyteplugin.dev/execution-id", "app");
    assertThat((Map<String, String>) executor.get("labels"))
        .containsEntry("app.kubernetes.io/managed-by", "flyteplugin-backend");
  }

  @Test
  void theDriverServiceAccountComesFromTheConfigThenTheExecutionThenTheDefault() throws Exception {
    var withConfig =
        SparkTasks.minimalConfig().toBuilder()
            .setDriver(DriverSpec.newBuilder().setServiceAccount("spark-sa"))
            .build();
    assertThat(sub(spec(withConfig), "driver")).containsEntry("serviceAccount", "spark-sa");

    SparkOperatorPlugin withDefault =
        new SparkOperatorPlugin(SparkPluginConfig.defaults().withDefaultServiceAccount("fallback"));
    var request = SparkTasks.request("app", SparkTasks.minimalConfig());
    var noAccount =
        new dev.flyteplugin.backend.runtime.TaskRequest(
            request.template(),
            request.inputs(),
            request.outputPrefix(),
            request.metadata().toBuilder().clearK8SServiceAccount().build());
    @SuppressWarnings("unchecked")
    Map<String, Object> spec =
        (Map<String, Object>)
            withDefault.build(SparkTasks.context(noAccount)).getAdditionalProperties().get("spec");
    assertThat(sub(spec, "driver")).containsEntry("serviceAccount", "fallback");
  }

  @Test
  void aTaskWithoutContainerIsABuildErrorSayingWhy() {
    var request = SparkTasks.request("app", SparkTasks.minimalConfig());
    var noContainer =
        new dev.flyteplugin.backend.runtime.TaskRequest(
            request.template().toBuilder().clearContainer().build(),
            request.inputs(),
            request.outputPrefix(),
            request.metadata());

    assertThatThrownBy(() -> plugin.build(SparkTasks.context(noContainer)))
        .isInstanceOf(ResourceBuildException.class)
        .hasMessageContaining("no container");
  }

  @Test
  void pluginSettingsFromTheEnvironmentAreReadAndMistakesNamed() {
    SparkPluginConfig config =
        SparkPluginConfig.fromEnvironment(
            Map.of(
                "FLYTEPLUGIN_SPARK_HISTORY_SERVER_URL", "https://history.example/",
                "FLYTEPLUGIN_SPARK_LOG_LINKS",
                    "Driver logs=https://logs.example/{namespace}/{podName}|Spark UI=https://ui.example/{sparkAppId}"));
    assertThat(config.historyServerUrl()).isEqualTo("https://history.example");
    assertThat(config.logLinks())
        .extracting(LogLinkTemplate::name)
        .containsExactly("Driver logs", "Spark UI");
    assertThat(config.defaultMainClass()).isEqualTo(SparkPluginConfig.JFLYTE_MAIN_CLASS);

    assertThatThrownBy(
            () ->
                SparkPluginConfig.fromEnvironment(
                    Map.of("FLYTEPLUGIN_SPARK_LOG_LINKS", "Logs=https://x/{pod}")))
        .hasMessageContaining("FLYTEPLUGIN_SPARK_LOG_LINKS")
        .hasMessageContaining("{pod}");
  }

  @Test
  @SuppressWarnings("unchecked")
  void anOperatorTtlBelowTheRuntimesMinimumRetentionIsRaisedToIt() throws Exception {
    var request =
        SparkTasks.request(
            "app", SparkTasks.minimalConfig().toBuilder().setTimeToLiveSeconds(60).build());
    var base = SparkTasks.context(request);
    var context =
        new dev.flyteplugin.backend.api.TaskContext(
            base.template(),
            base.inputs(),
            base.outputPrefix(),
            base.metadata(),
            base.resourceName(),
            base.namespace(),
            base.executionLabels(),
            java.time.Duration.ofMinutes(10));

    Map<String, Object> spec =
        (Map<String, Object>) plugin.build(context).getAdditionalProperties().get("spec");

    // The operator would delete the application a minute after it ends, maybe before propeller
    // polled the result: the runtime's 10 minutes win.
    assertThat(spec).containsEntry("timeToLiveSeconds", 600L);
    var longer =
        SparkTasks.request(
            "app", SparkTasks.minimalConfig().toBuilder().setTimeToLiveSeconds(7200).build());
    Map<String, Object> kept =
        (Map<String, Object>)
            plugin
                .build(
                    new dev.flyteplugin.backend.api.TaskContext(
                        longer.template(),
                        longer.inputs(),
                        longer.outputPrefix(),
                        longer.metadata(),
                        "app",
                        base.namespace(),
                        Map.of(),
                        java.time.Duration.ofMinutes(10)))
                .getAdditionalProperties()
                .get("spec");
    assertThat(kept).containsEntry("timeToLiveSeconds", 7200L);
  }
}
