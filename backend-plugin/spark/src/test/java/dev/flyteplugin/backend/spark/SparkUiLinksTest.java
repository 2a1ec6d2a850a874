package dev.flyteplugin.backend.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flyteplugin.backend.api.InvalidSettingException;
import dev.flyteplugin.backend.api.PhaseInfo;
import dev.flyteplugin.backend.api.PluginSettings;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Spark UI links of custom info (sparkDriverUI while running, sparkHistoryUI when done) render
 * right whatever the operator writes, and a malformed history server URL is refused at start
 * (flyte#3623: the driver UI rendered as {@code https://http/...}; flyte#3954: links shown with
 * unrendered parts). The driver log link templates are covered by {@link LogLinkTemplateTest}.
 */
class SparkUiLinksTest {

  private static GenericKubernetesResource app(String state, Map<String, Object> driverInfo) {
    GenericKubernetesResource app = new GenericKubernetesResource();
    app.setMetadata(
        new ObjectMetaBuilder()
            .withName("app-n0-0")
            .withNamespace(SparkTasks.NS)
            .withLabels(Map.of("flyteplugin.dev/execution-id", "f1a2b3"))
            .build());
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("applicationState", Map.of("state", state));
    status.put("sparkApplicationId", "spark-0123456789abcdef");
    status.put("driverInfo", driverInfo);
    app.setAdditionalProperty("status", status);
    return app;
  }

  private static String custom(PhaseInfo phase, String key) {
    var value = phase.info().customInfo().getFieldsMap().get(key);
    return value == null ? null : value.getStringValue();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    // v2 writes webUIAddress as host:port; older releases and ingresses carry the scheme.
    "10.96.0.10:4040, http://10.96.0.10:4040",
    "http://10.96.0.10:4040, http://10.96.0.10:4040",
    "https://spark.example/ns/app-n0-0, https://spark.example/ns/app-n0-0"
  })
  @DisplayName("flyte#3623: the driver UI link never gets a second scheme")
  void flyte3623_theDriverUiKeepsExactlyOneScheme(String written, String expected) {
    SparkPhaseMapper mapper = new SparkPhaseMapper(SparkPluginConfig.defaults());

    PhaseInfo viaAddress = mapper.phase(app("RUNNING", Map.of("webUIAddress", written)));
    PhaseInfo viaIngress =
        mapper.phase(
            app(
                "RUNNING",
                Map.of("webUIAddress", "10.0.0.1:4040", "webUIIngressAddress", written)));

    assertThat(custom(viaAddress, SparkPhaseMapper.DRIVER_UI)).isEqualTo(expected);
    assertThat(custom(viaIngress, SparkPhaseMapper.DRIVER_UI)).isEqualTo(expected);
  }

  @Test
  @DisplayName(
      "the history link is <url>/history/<sparkApplicationId>, with or without a trailing slash"
          + " in the setting, and only when the id is known (never half-rendered, flyte#3954)")
  void theHistoryLinkRendersFromTheSettingAndTheApplicationId() {
    SparkPhaseMapper mapper =
        new SparkPhaseMapper(
            SparkPluginConfig.from(
                new PluginSettings(
                    "spark", Map.of("history-server-url", "https://history.example/spark/"))));

    PhaseInfo done = mapper.phase(app("COMPLETED", Map.of()));
    assertThat(custom(done, SparkPhaseMapper.HISTORY_UI))
        .isEqualTo("https://history.example/spark/history/spark-0123456789abcdef");
    assertThat(custom(done, SparkPhaseMapper.DRIVER_UI)).isNull();

    GenericKubernetesResource noId = app("FAILED", Map.of());
    ((Map<?, ?>) noId.getAdditionalProperties().get("status")).remove("sparkApplicationId");
    assertThat(custom(mapper.phase(noId), SparkPhaseMapper.HISTORY_UI)).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "history.example:18080",
        "https://history.example/{sparkAppId}",
        "https://history example",
        "ftp://history.example"
      })
  @DisplayName("a malformed history server URL is refused at start, naming the setting")
  void aMalformedHistoryServerUrlIsRefusedAtStart(String url) {
    assertThatThrownBy(
            () ->
                SparkPluginConfig.from(
                    new PluginSettings("spark", Map.of("history-server-url", url))))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessageContaining("spark.history-server-url")
        .hasMessageContaining("FLYTEPLUGIN_SPARK_HISTORY_SERVER_URL");
  }
}
