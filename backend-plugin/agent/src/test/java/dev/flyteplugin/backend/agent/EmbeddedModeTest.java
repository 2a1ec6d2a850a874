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
    java.util.List<String> args =
        new java.util.ArrayList<>(
            java.util.List.of("--embedded", "--port", "0", "--metrics-port=-1"));
    if (!java.util.List.of(extra).contains("--embedded-workload")) {
      args.addAll(java.util.List.of("--embedded-workload", "none"));
    }
    args.addAll(java.util.List.of(extra));
    AgentMain main = new AgentMain();
    AgentMain.commandLine(main).parseArgs(args.toArray(String[]::new));
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
  void sparkAndFlinkTasksRunSideBySideThroughOneAgent() throws Exception {
    try (AgentServer agent = embedded("--embedded-workload", "tasks");
        FakePropeller propeller = new FakePropeller(agent.port())) {
      assertThat(
              propeller
                  .metadata()
                  .listAgents(flyteidl.admin.AgentOuterClass.ListAgentsRequest.getDefaultInstance())
                  .getAgents(0)
                  .getSupportedTaskCategoriesList())
          .extracting(c -> c.getName())
          .contains("example_plugin", "flink");
      var spark =
          FakePropeller.createRequest(
              AgentHarness.SUCCEEDING_TASK, AgentHarness.inputs(3), work.resolve("spark"), 0);
      var flinkConfig =
          dev.flyteplugin.proto.flink.v1.FlinkJobConfig.newBuilder()
              .setFlinkVersion("v1_20")
              .build();
      var flink = spark.toBuilder();
      flink
          .getTemplateBuilder()
          .setType("flink")
          .setCustom(new dev.flyteplugin.proto.flink.FlinkContract().encode(flinkConfig))
          .getContainerBuilder()
          .clearArgs()
          .addAllArgs(
              spark.getTemplate().getContainer().getArgsList().stream()
                  .map(
                      a ->
                          a.replace(
                              work.resolve("spark").toString(), work.resolve("flink").toString()))
                  .toList());
      flink.setOutputPrefix(work.resolve("flink").toUri().toString());
      java.nio.file.Files.createDirectories(work.resolve("flink"));
      java.nio.file.Files.copy(work.resolve("spark/inputs.pb"), work.resolve("flink/inputs.pb"));
      ByteString sparkMeta = propeller.create(spark);
      ByteString flinkMeta = propeller.create(flink.build());
      assertThat(propeller.pollUntilTerminal(sparkMeta, Duration.ofSeconds(90)).getPhase())
          .isEqualTo(TaskExecution.Phase.SUCCEEDED);
      Resource flinkDone = propeller.pollUntilTerminal(flinkMeta, Duration.ofSeconds(90));
      assertThat(flinkDone.getPhase()).isEqualTo(TaskExecution.Phase.SUCCEEDED);
      assertThat(flinkDone.getLogLinksList())
          .extracting(TaskLog::getName)
          .containsExactly("Flink JobManager log (kubectl proxy)");
      // Both tasks really ran: each wrote its outputs where its own prefix says.
      assertThat(work.resolve("spark/outputs.pb")).exists();
      assertThat(work.resolve("flink/outputs.pb")).exists();
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
        .hasMessageContaining("spark]");
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
