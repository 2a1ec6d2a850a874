package dev.flyteplugin.backend.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import dev.flyteplugin.backend.runtime.KubernetesTaskRuntime;
import dev.flyteplugin.backend.runtime.PluginRegistry;
import dev.flyteplugin.backend.runtime.TaskCreationException;
import dev.flyteplugin.backend.testing.EmbeddedKubernetes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad {@code TaskTemplate.custom} configs of several kinds: each is a permanent failure whose
 * message names the field, and no resource is created.
 */
class SparkBadConfigTest {
  private static EmbeddedKubernetes k8s;
  private static KubernetesTaskRuntime runtime;

  @BeforeAll
  static void start() {
    k8s = EmbeddedKubernetes.start(SparkApplications.IDENTITY);
    runtime =
        KubernetesTaskRuntime.builder()
            .client(k8s.client())
            .registry(PluginRegistry.of(new SparkOperatorPlugin(SparkPluginConfig.defaults())))
            .build();
  }

  @AfterAll
  static void stop() {
    runtime.close();
    k8s.close();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "missing spark version | {} | sparkVersion",
        "malformed spark version | {\"sparkVersion\": \"three\"} | sparkVersion",
        "wrong JSON type | {\"sparkVersion\": \"3.5.1\", \"driver\": {\"cores\": \"many\"}} | driver.cores",
        "zero executors | {\"sparkVersion\": \"3.5.1\", \"executor\": {\"instances\": 0}} | executor.instances",
        "Kubernetes memory unit | {\"sparkVersion\": \"3.5.1\", \"executor\": {\"memory\": \"4Gi\"}} | executor.memory",
        "unknown pull policy | {\"sparkVersion\": \"3.5.1\", \"imagePullPolicy\": \"Sometimes\"} | imagePullPolicy",
        "unknown enum value | {\"sparkVersion\": \"3.5.1\", \"applicationType\": \"COBOL\"} | applicationType"
      })
  void aBadConfigIsAPermanentFailureNamingTheField(String kind, String json, String field)
      throws Exception {
    Struct.Builder custom = Struct.newBuilder();
    JsonFormat.parser().merge(json, custom);

    assertThatThrownBy(
            () -> runtime.create(SparkTasks.request(kind.replace(' ', '-'), 0, custom.build())))
        .isInstanceOfSatisfying(
            TaskCreationException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(TaskCreationException.Kind.INVALID_TASK);
              assertThat(e.isRetryable()).isFalse();
            })
        .hasMessageContaining("FailedToBuildResource")
        .hasMessageContaining(field);
    assertThat(
            k8s.client()
                .genericKubernetesResources(
                    KubernetesTaskRuntime.context(SparkApplications.IDENTITY))
                .inAnyNamespace()
                .list()
                .getItems())
        .isEmpty();
  }
}
