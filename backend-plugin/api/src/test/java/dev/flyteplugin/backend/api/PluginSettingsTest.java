package dev.flyteplugin.backend.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PluginSettingsTest {
  private static final List<PluginSetting> DECLARED =
      List.of(
          new PluginSetting("log-links", "links"), new PluginSetting("history-server-url", "url"));

  @Test
  void theEnvironmentVariableOfASettingIsDerivedFromPluginAndKey() {
    assertThat(DECLARED.get(1).environmentVariable("spark"))
        .isEqualTo("FLYTEPLUGIN_SPARK_HISTORY_SERVER_URL");
    assertThat(new PluginSetting("ui-url", "").environmentVariable("flink-session"))
        .isEqualTo("FLYTEPLUGIN_FLINK_SESSION_UI_URL");
  }

  @Test
  void aFlagWinsOverTheEnvironmentAndOtherPluginsFlagsAreIgnored() {
    PluginSettings settings =
        PluginSettings.resolve(
            "spark",
            DECLARED,
            Map.of(
                "FLYTEPLUGIN_SPARK_LOG_LINKS", "from-env",
                "FLYTEPLUGIN_SPARK_HISTORY_SERVER_URL", " https://h "),
            Map.of("spark.log-links", "from-flag", "flink.ui-url", "other plugin's"));
    assertThat(settings.get("log-links")).contains("from-flag");
    assertThat(settings.get("history-server-url")).contains("https://h");
    assertThat(settings.get("missing", "fallback")).isEqualTo("fallback");
  }

  @Test
  void anUnknownKeyIsRefusedNamingTheKeysThatExist() {
    assertThatThrownBy(
            () -> PluginSettings.resolve("spark", DECLARED, Map.of(), Map.of("spark.links", "x")))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessageContaining("--plugin-config spark.links")
        .hasMessageContaining("[log-links, history-server-url]");
  }

  @Test
  void aMalformedValueNamesTheFlagAndTheVariable() {
    assertThat(PluginSettings.none("spark").invalid("log-links", "bad entry").getMessage())
        .isEqualTo("--plugin-config spark.log-links (FLYTEPLUGIN_SPARK_LOG_LINKS): bad entry");
  }

  @Test
  void keysAreLowerCaseWordsSoTheirVariablesAreUnambiguous() {
    assertThatThrownBy(() -> new PluginSetting("logLinks", ""))
        .hasMessageContaining("lower-case words joined by '-'");
  }
}
