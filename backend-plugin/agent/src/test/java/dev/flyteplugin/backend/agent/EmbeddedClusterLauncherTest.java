package dev.flyteplugin.backend.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.flyteplugin.backend.runtime.KubernetesTaskRuntime;
import dev.flyteplugin.backend.spark.SparkOperatorPlugin;
import dev.flyteplugin.backend.testing.EmbeddedCluster;
import dev.flyteplugin.backend.testing.EmbeddedClusterMain;
import flyteidl.admin.AgentOuterClass.Resource;
import flyteidl.core.Execution.TaskExecution;
import flyteidl.core.Literals.LiteralMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The compat suite's launcher: {@code embedded-cluster} writes a kubeconfig and says READY, then
 * {@code flyte-agent --kubeconfig ...} runs tasks against it in cluster mode, restarts, and a slow
 * create outlives the caller's deadline but still creates the resource.
 */
class EmbeddedClusterLauncherTest {
  private static final String NAMESPACE = "flytesnacks-development";
  private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

  @TempDir Path work;

  private EmbeddedCluster launch(String... extra) throws Exception {
    EmbeddedClusterMain main = new EmbeddedClusterMain();
    List<String> args =
        new java.util.ArrayList<>(
            List.of("--kubeconfig-out", work.resolve("kube/config").toString()));
    args.addAll(List.of(extra));
    new CommandLine(main).parseArgs(args.toArray(String[]::new));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    EmbeddedCluster cluster = main.start(new PrintStream(out, true, StandardCharsets.UTF_8));
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines.get(0)).contains("SIMULATED");
    assertThat(lines.get(1)).isEqualTo("READY " + cluster.kubernetes().url());
    assertThat(work.resolve("kube/config")).content().contains(cluster.kubernetes().url());
    return cluster;
  }

  private AgentServer agent() throws Exception {
    AgentMain main = new AgentMain();
    new CommandLine(main)
        .parseArgs(
            "--kubeconfig",
            work.resolve("kube/config").toString(),
            "--hmac-key",
            KEY,
            "--namespaces",
            NAMESPACE,
            "--port",
            "0",
            "--metrics-port",
            "-1");
    return main.start();
  }

  @Test
  void anAgentInClusterModeRunsTasksAgainstTheLaunchedClusterAndSurvivesARestart()
      throws Exception {
    try (EmbeddedCluster cluster = launch()) {
      Path prefix = work.resolve("out");
      ByteString meta;
      try (AgentServer agent = agent();
          FakePropeller propeller = new FakePropeller(agent.port())) {
        meta =
            propeller.create(
                FakePropeller.createRequest(
                    AgentHarness.SUCCEEDING_TASK, AgentHarness.inputs(6), prefix, 0));
        assertThat(propeller.pollUntilTerminal(meta, Duration.ofSeconds(60)).getPhase())
            .isEqualTo(TaskExecution.Phase.SUCCEEDED);
      }
      assertThat(
              AgentHarness.outputOf(
                  LiteralMap.parseFrom(Files.readAllBytes(prefix.resolve("outputs.pb")))))
          .isEqualTo(36);

      // A new agent process on the same cluster and key answers for the earlier task.
      try (AgentServer again = agent();
          FakePropeller propeller = new FakePropeller(again.port())) {
        Resource done = propeller.pollUntilTerminal(meta, Duration.ofSeconds(30));
        assertThat(done.getPhase()).isEqualTo(TaskExecution.Phase.SUCCEEDED);
        assertThat(propeller.getTaskErrors()).isEmpty();
      }
    }
  }

  @Test
  void aSlowCreateOutlivesTheCallersDeadlineAndTheResourceStillAppears() throws Exception {
    try (EmbeddedCluster cluster = launch("--create-latency", "PT2S");
        AgentServer agent = agent();
        FakePropeller propeller = new FakePropeller(agent.port());
        KubernetesClient client =
            new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(work.resolve("kube/config"))))
                .build()) {
      var applications =
          client
              .genericKubernetesResources(
                  KubernetesTaskRuntime.context(new SparkOperatorPlugin().identity()))
              .inNamespace(NAMESPACE);
      long sent = System.nanoTime();
      assertThatThrownBy(
              () ->
                  propeller
                      .agent()
                      .withDeadlineAfter(500, TimeUnit.MILLISECONDS)
                      .createTask(
                          FakePropeller.createRequest(
                              AgentHarness.SLOW_TASK,
                              AgentHarness.inputs(1),
                              work.resolve("s"),
                              0)))
          .satisfies(
              e ->
                  assertThat(((StatusRuntimeException) e).getStatus().getCode())
                      .isEqualTo(Status.Code.DEADLINE_EXCEEDED));
      assertThat(applications.list().getItems()).as("not stored before the latency").isEmpty();

      List<GenericKubernetesResource> stored =
          await()
              .atMost(Duration.ofSeconds(15))
              .until(() -> applications.list().getItems(), items -> !items.isEmpty());
      assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThan(Duration.ofMillis(1900));
      assertThat(stored).hasSize(1);
    }
  }
}
