package dev.flyteplugin.backend.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flyteplugin.backend.api.LogLinkTemplate;
import dev.flyteplugin.backend.api.ResourceLabels;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Links that always work (flyte#3623, #1378: links rendered wrong): every placeholder renders, a
 * link waits for a value it needs, and a malformed template is refused when the agent starts,
 * naming the link.
 */
class LogLinkTemplateTest {
  private static final Map<String, String> VALUES =
      Map.of(
          "namespace", "flytesnacks-development",
          "podName", "app-driver",
          "appName", "app",
          "sparkAppId", "spark-1234");

  @ParameterizedTest
  @CsvSource({
    "https://dash/{namespace}/{podName}, https://dash/flytesnacks-development/app-driver",
    "https://k8s/apps/{appName}, https://k8s/apps/app",
    "http://history:18080/history/{sparkAppId}/jobs, http://history:18080/history/spark-1234/jobs",
    "https://logs/?q=pod%3D{podName}, https://logs/?q=pod%3Dapp-driver"
  })
  void everyPlaceholderRenders(String template, String expected) {
    assertThat(SparkPluginConfig.link("link", template).render(VALUES)).contains(expected);
  }

  @org.junit.jupiter.api.Test
  void aLinkWaitsForTheValuesItNeeds() {
    // Before submission there is no Spark application id: no link rather than a broken one.
    assertThat(
            SparkPluginConfig.link("events", "https://events/{sparkAppId}")
                .render(Map.of("namespace", "ns", "sparkAppId", "")))
        .isEmpty();
  }

  @org.junit.jupiter.api.Test
  void theExecutionIdAndTheOtherCommonPlaceholdersComeFromTheResourcesLabels() {
    io.fabric8.kubernetes.api.model.GenericKubernetesResource app =
        new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
            .withNewMetadata()
            .withName("app")
            .withNamespace("ns")
            .addToLabels(ResourceLabels.EXECUTION_ID, "f3a9b2c1d0")
            .addToLabels(ResourceLabels.PROJECT, "flytesnacks")
            .addToLabels(ResourceLabels.DOMAIN, "development")
            .addToLabels(ResourceLabels.NODE_ID, "n0")
            .addToLabels(ResourceLabels.RETRY_ATTEMPT, "1")
            .endMetadata()
            .build();
    var links =
        LogLinkTemplate.renderAll(
            java.util.List.of(
                SparkPluginConfig.link(
                    "Console",
                    "https://console/{project}/{domain}/{executionId}/{nodeId}/{retryAttempt}"
                        + "/{namespace}/{resourceName}/{podName}")),
            app,
            Map.of("podName", "app-driver"));
    assertThat(links)
        .extracting(flyteidl.core.Execution.TaskLog::getUri)
        .containsExactly(
            "https://console/flytesnacks/development/f3a9b2c1d0/n0/1/ns/app/app-driver");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://dash/{namespace/{podName}",
        "https://dash/namespace}/{podName}",
        "https://dash/{{namespace}}",
        "https://dash/{pod}",
        "dash.example/{podName}",
        "kubectl logs {podName}"
      })
  void aMalformedTemplateIsRefusedNamingTheLink(String template) {
    assertThatThrownBy(() -> SparkPluginConfig.link("Driver logs", template))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'Driver logs'");
  }
}
