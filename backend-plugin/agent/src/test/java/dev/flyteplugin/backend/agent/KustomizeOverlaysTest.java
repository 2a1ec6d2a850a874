package dev.flyteplugin.backend.agent;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Renders each overlay of {@code backend-plugin/deploy} with {@code kubectl kustomize} and checks
 * the objects. This is the CI check of the kustomize tree; it skips only when kubectl is missing.
 */
class KustomizeOverlaysTest {
  private static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();

  @BeforeAll
  static void kubectlIsInstalled() {
    boolean found =
        Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
            .anyMatch(dir -> Files.isExecutable(Path.of(dir, "kubectl")));
    assumeTrue(
        found,
        "kubectl is not on PATH: the kustomize overlays were NOT checked (install kubectl, which"
            + " has kustomize built in)");
  }

  @Test
  void defaultOverlayRendersTheAgentWithHealthProbesPortsAndLeastPrivilegeClusterRole()
      throws Exception {
    List<String> docs = render("overlays/default");
    String deployment = only(docs, "Deployment");
    assertThat(deployment)
        .contains("namespace: flyte")
        .containsPattern("readinessProbe:\\s+grpc:\\s+port: 8000")
        .containsPattern("livenessProbe:\\s+grpc:\\s+port: 8000")
        .contains("containerPort: 8000")
        .contains("containerPort: 9090")
        .contains("serviceAccountName: flyte-operator-agent")
        .contains("secretName: flyte-operator-agent-hmac")
        .contains("FLYTE_AGENT_HMAC_KEY_FILE");
    assertThat(only(docs, "Service"))
        .contains("port: 8000")
        .contains("port: 9090")
        .contains("app.kubernetes.io/name: flyte-operator-agent");
    String role = only(docs, "ClusterRole");
    assertThat(role)
        .contains("sparkoperator.k8s.io")
        .contains("sparkapplications/status")
        .contains("pods/log")
        .doesNotContain("secrets")
        .doesNotContain("'*'");
    assertThat(only(docs, "ClusterRoleBinding")).contains("name: flyte-operator-agent");
    assertThat(only(docs, "ServiceAccount")).contains("namespace: flyte");
  }

  @Test
  void propellerOverlayEnablesTheConnectorServiceAndRoutesExamplePluginToTheAgent()
      throws Exception {
    List<String> docs = render("overlays/propeller-connector");
    String config = only(docs, "ConfigMap");
    assertThat(config)
        .contains("name: flyte-propeller-config")
        .contains("- connector-service")
        .contains("example_plugin: connector-service")
        .contains("endpoint: dns:///flyte-operator-agent.flyte.svc.cluster.local:8000")
        .containsPattern("connectorForTaskTypes:\\s+example_plugin: flyte-operator-agent");
    assertThat(docs).anyMatch(d -> d.contains("kind: Deployment"));
  }

  @Test
  void agentServiceOverlayRoutesExamplePluginForFlyteBefore116() throws Exception {
    List<String> docs = render("overlays/propeller-agent-service");
    assertThat(only(docs, "ConfigMap"))
        .contains("- agent-service")
        .contains("example_plugin: agent-service")
        .contains("defaultAgent:")
        .containsPattern("agentForTaskTypes:\\s+example_plugin: flyte-operator-agent");
  }

  private static List<String> render(String overlay) throws Exception {
    Path out = Files.createTempFile("kustomize", ".yaml");
    Process process =
        new ProcessBuilder("kubectl", "kustomize", DEPLOY.resolve(overlay).toString())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kubectl kustomize finished").isTrue();
    String rendered = Files.readString(out, UTF_8);
    Files.delete(out);
    assertThat(process.exitValue()).as("kubectl kustomize %s:%n%s", overlay, rendered).isZero();
    return Arrays.asList(rendered.split("(?m)^---$"));
  }

  private static String only(List<String> docs, String kind) {
    Pattern marker = Pattern.compile("(?m)^kind: " + kind + "$");
    List<String> matching = docs.stream().filter(d -> marker.matcher(d).find()).toList();
    assertThat(matching).as("objects of kind %s", kind).hasSize(1);
    return matching.get(0);
  }
}
