package dev.flyteplugin.backend.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import flyteidl.admin.AgentOuterClass.Resource;
import flyteidl.core.Execution.TaskExecution;
import flyteidl.core.Execution.TaskLog;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code flyte-agent --embedded}: the simulated cluster comes from the simulation kit through
 * ServiceLoader, and the agent reports the links the runner prints (the simulations' embedded
 * settings), which a flag still overrides.
 */
class EmbeddedModeTest {
  @TempDir Path work;

  private AgentServer embedded(String... extra) throws Exception {
    AgentMain main = new AgentMain();
    String[] args = new String[6 + extra.length];
    System.arraycopy(
        new String[] {
          "--embedded", "--embedded-workload", "none", "--port", "0", "--metrics-port=-1"
        },
        0,
        args,
        0,
        6);
    System.arraycopy(extra, 0, args, 6, extra.length);
    AgentMain.commandLine(main).parseArgs(args);
    return main.start();
  }

  @Test
  void anEmbeddedAgentReportsTheDefaultLogLinksOfTheRunner() throws Exception {
    try (AgentServer agent = embedded();
        FakePropeller propeller = new FakePropeller(agent.port())) {
      ByteString meta =
          propeller.create(
              FakePropeller.createRequest(
                  AgentHarness.SUCCEEDING_TASK, AgentHarness.inputs(2), work.resolve("o"), 0));
      Resource done = propeller.pollUntilTerminal(meta, Duration.ofSeconds(60));
      assertThat(done.getPhase()).isEqualTo(TaskExecution.Phase.SUCCEEDED);
      assertThat(done.getLogLinksList())
          .extracting(TaskLog::getName, TaskLog::getUri)
          .anySatisfy(
              link -> {
                assertThat(link.toList().get(0)).isEqualTo("Spark driver log (kubectl proxy)");
                assertThat((String) link.toList().get(1))
                    .startsWith("http://localhost:8001/api/v1/namespaces/")
                    .endsWith("-driver/log");
              });
    }
  }

  @Test
  void aPluginConfigFlagOverridesTheEmbeddedDefault() throws Exception {
    try (AgentServer agent =
            embedded(
                "--plugin-config",
                "spark.log-links=Logs=https://logs.example/{executionId}/{podName}");
        FakePropeller propeller = new FakePropeller(agent.port())) {
      ByteString meta =
          propeller.create(
              FakePropeller.createRequest(
                  AgentHarness.SUCCEEDING_TASK, AgentHarness.inputs(2), work.resolve("o"), 0));
      Resource done = propeller.pollUntilTerminal(meta, Duration.ofSeconds(60));
      assertThat(done.getLogLinksList()).extracting(TaskLog::getName).containsExactly("Logs");
      assertThat(done.getLogLinks(0).getUri())
          .startsWith("https://logs.example/")
          .endsWith("-driver");
    }
  }

  @Test
  void aSettingOfAPluginThatDoesNotExistStopsTheStartNamingThePlugins() {
    assertThatThrownBy(() -> embedded("--plugin-config", "sprak.log-links=x"))
        .hasMessageContaining("sprak.log-links")
        .hasMessageContaining("[spark");
    assertThatThrownBy(() -> embedded("--plugin-config", "spark.log-link=x"))
        .hasMessageContaining("has no setting 'log-link'")
        .hasMessageContaining("log-links");
  }

  @Test
  void theHelpListsEveryPluginsSettings() {
    String help = AgentMain.commandLine(new AgentMain()).getUsageMessage();
    assertThat(help).contains("FLYTEPLUGIN_SPARK_HISTORY_SERVER_URL");
    assertThat(new CommandLine(new AgentMain()).getUsageMessage())
        .doesNotContain("FLYTEPLUGIN_SPARK_HISTORY_SERVER_URL");
  }
}
