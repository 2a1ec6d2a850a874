package dev.flyteplugin.backend.agent;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Renders each overlay of {@code backend-plugin/deploy} with {@code kubectl kustomize} (kubectl has
 * kustomize built in) or, on a machine without kubectl, with a standalone {@code kustomize build}
 * (installed by {@code compat/tools/install-kustomize.sh}), and checks the objects. This is the CI
 * check of the kustomize tree: it skips only outside CI when neither tool is there, and fails in
 * CI.
 *
 * <p>System property {@code flyteplugin.kustomize.renderer} (or env {@code
 * FLYTEPLUGIN_KUSTOMIZE_RENDERER}) forces {@code kubectl} or {@code kustomize}; default {@code
 * auto} prefers kubectl.
 */
class KustomizeOverlaysTest {
  private static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();
  private static final String RENDERER_PROPERTY = "flyteplugin.kustomize.renderer";
  private static final String RENDERER_ENV = "FLYTEPLUGIN_KUSTOMIZE_RENDERER";
  private static final String INSTALLER = "compat/tools/install-kustomize.sh";

  /** The command that renders one overlay directory to YAML on stdout. */
  private record Renderer(String name, List<String> prefix) {
    List<String> commandFor(Path overlay) {
      List<String> command = new ArrayList<>(prefix);
      command.add(overlay.toString());
      return command;
    }
  }

  private static Renderer renderer;

  @BeforeAll
  static void chooseRenderer() {
    Map<String, String> env = System.getenv();
    String mode =
        System.getProperty(RENDERER_PROPERTY, env.getOrDefault(RENDERER_ENV, "auto")).trim();
    Optional<Path> kubectl = onPath(env, "kubectl");
    // The installer's directory is searched too, so its output need not be put on PATH.
    Optional<Path> kustomize = onPath(env, "kustomize").or(() -> inInstallDir(env));
    Optional<Renderer> viaKubectl =
        kubectl.map(p -> new Renderer("kubectl kustomize", List.of(p.toString(), "kustomize")));
    Optional<Renderer> viaKustomize =
        kustomize.map(p -> new Renderer("kustomize build", List.of(p.toString(), "build")));
    switch (mode) {
      case "kubectl" ->
          renderer =
              viaKubectl.orElseThrow(
                  () ->
                      new AssertionError(
                          RENDERER_PROPERTY
                              + "=kubectl but kubectl is not on PATH: install"
                              + " kubectl, or use "
                              + RENDERER_PROPERTY
                              + "=kustomize"));
      case "kustomize" ->
          renderer =
              viaKustomize.orElseThrow(
                  () ->
                      new AssertionError(
                          RENDERER_PROPERTY
                              + "=kustomize but no kustomize is on PATH or in "
                              + installDir(env)
                              + ": run "
                              + INSTALLER
                              + " (with KUSTOMIZE_FORCE_INSTALL=1 when kubectl is present)"));
      case "auto" -> {
        Optional<Renderer> found = viaKubectl.or(() -> viaKustomize);
        String missing =
            "neither kubectl nor kustomize is on PATH (nor kustomize in "
                + installDir(env)
                + "): the kustomize overlays were NOT checked; run "
                + INSTALLER
                + " (builds kustomize with Go) or install kubectl";
        if (found.isEmpty() && "true".equalsIgnoreCase(env.get("CI"))) {
          throw new AssertionError("CI=true and " + missing);
        }
        if (found.isEmpty()) {
          // Surefire counts a class aborted in @BeforeAll as zero tests: say it out loud.
          System.err.println("WARNING KustomizeOverlaysTest skipped: " + missing);
        }
        assumeTrue(found.isPresent(), missing);
        renderer = found.get();
      }
      default ->
          throw new AssertionError(
              RENDERER_PROPERTY
                  + " (or "
                  + RENDERER_ENV
                  + ") is '"
                  + mode
                  + "': use kubectl, kustomize or auto");
    }
    System.out.println(
        "KustomizeOverlaysTest renders with: " + String.join(" ", renderer.prefix()));
  }

  private static Optional<Path> onPath(Map<String, String> env, String tool) {
    return Arrays.stream(env.getOrDefault("PATH", "").split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, tool))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /** Same default as install-kustomize.sh. */
  private static Path installDir(Map<String, String> env) {
    String configured = env.get("FLYTEPLUGIN_COMPAT_BIN");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "flyteplugin-compat", "bin");
  }

  private static Optional<Path> inInstallDir(Map<String, String> env) {
    return Optional.of(installDir(env).resolve("kustomize")).filter(Files::isExecutable);
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
        .doesNotContain("sparkapplications/status")
        .doesNotContain("update")
        .containsPattern("- pods/log\\s+verbs:\\s+- get\\s")
        .doesNotContainPattern("- pods\\s")
        .containsPattern("- configmaps\\s+verbs:\\s+- get\\s+- list\\s+- create\\s+- delete")
        .doesNotContain("secrets")
        .doesNotContain("'*'");
    assertThat(only(docs, "ClusterRoleBinding")).contains("name: flyte-operator-agent");
    assertThat(only(docs, "ServiceAccount")).contains("namespace: flyte");
    // Only propeller's pods reach the gRPC port; the agent's own labels must not leak into the
    // `from` selector (kustomize adds them to matchLabels, hence matchExpressions there).
    assertThat(only(docs, "NetworkPolicy"))
        .containsPattern(
            "- from:\\s+- namespaceSelector:\\s+matchExpressions:\\s+- key:"
                + " kubernetes.io/metadata.name\\s+operator: In\\s+values:\\s+- flyte\\s+"
                + "podSelector:\\s+matchExpressions:\\s+- key: app.kubernetes.io/name\\s+"
                + "operator: In\\s+values:\\s+- flytepropeller\\s+ports:\\s+- port: 8000")
        .containsPattern("policyTypes:\\s+- Ingress");
    // The agent refuses to start without namespaces outside --embedded.
    assertThat(deployment).containsPattern("name: FLYTE_AGENT_NAMESPACES\\s+value: \\S+");
  }

  @Test
  void namespacedOverlayHasARolePerServedNamespaceAndNoClusterWideRights() throws Exception {
    List<String> docs = render("overlays/namespaced");
    assertThat(docs).noneMatch(d -> d.contains("kind: ClusterRole"));
    List<String> served =
        List.of("flytesnacks-development", "flytesnacks-staging", "flytesnacks-production");
    for (String kind : List.of("Role", "RoleBinding")) {
      Pattern marker = Pattern.compile("(?m)^kind: " + kind + "$");
      List<String> objects = docs.stream().filter(d -> marker.matcher(d).find()).toList();
      assertThat(objects).as(kind).hasSize(served.size());
      for (String ns : served) {
        assertThat(objects).as("%s in %s", kind, ns).anyMatch(d -> d.contains("namespace: " + ns));
      }
    }
    assertThat(docs.stream().filter(d -> d.contains("kind: Role\n")).findFirst().orElseThrow())
        .contains("sparkapplications")
        .doesNotContain("secrets");
    assertThat(only(docs, "Deployment"))
        .containsPattern(
            "name: FLYTE_AGENT_NAMESPACES\\s+value: \"?flytesnacks-development,"
                + "flytesnacks-staging,flytesnacks-production\"?");
  }

  @Test
  void tlsOverlaysServeMutualTlsAndTellPropellerToUseTlsWithOnlyKeysItsStructHas()
      throws Exception {
    List<String> docs = render("overlays/propeller-connector-tls");
    assertThat(only(docs, "Deployment"))
        .contains("FLYTE_AGENT_TLS_CERT")
        .contains("FLYTE_AGENT_TLS_KEY")
        .contains("FLYTE_AGENT_TLS_CLIENT_CA")
        .containsPattern("readinessProbe:\\s+grpc:\\s+port: 8081")
        .contains("secretName: flyte-operator-agent-tls");
    String config = only(docs, "ConfigMap");
    assertThat(config).contains("insecure: false").doesNotContain("insecure: true");
    // The connector entry may hold only the fields of the Deployment struct of flyteplugins
    // v1.16.8 (webapi/connector/config.go): endpoint, insecure, defaultServiceConfig, timeouts,
    // defaultTimeout. compat/connector decodes propeller-connector strictly with the real struct.
    String entry =
        config.substring(
            config.indexOf("flyte-operator-agent:"), config.indexOf("connectorForTaskTypes:"));
    java.util.regex.Matcher keys = Pattern.compile("(?m)^\\s{12}([A-Za-z]+):").matcher(entry);
    List<String> found = new java.util.ArrayList<>();
    while (keys.find()) {
      found.add(keys.group(1));
    }
    assertThat(found)
        .isNotEmpty()
        .isSubsetOf("endpoint", "insecure", "defaultServiceConfig", "timeouts", "defaultTimeout");
  }

  @Test
  void propellerOverlayRoutesExamplePluginToTheAgentWithTimeoutsOnTheRoutedEntry()
      throws Exception {
    // What the real plugin reads of it is checked by compat/connector (overlays_test.go) with
    // propeller's own config section; this checks what the rendering keeps.
    List<String> docs = render("overlays/propeller-connector");
    String config = only(docs, "ConfigMap");
    assertThat(config)
        .contains("name: flyte-propeller-config")
        .contains("connector_service.yaml")
        .contains("endpoint: dns:///flyte-operator-agent.flyte.svc.cluster.local:8000")
        .contains("- CreateTask: 10s")
        .contains("- ListConnectors: 5s")
        .containsPattern("connectorForTaskTypes:\\s+example_plugin: flyte-operator-agent")
        // A config map key replaces a whole file: never the user's plugin list or default entry.
        .doesNotContain("enabled-plugins")
        .doesNotContain("defaultConnector:");
    assertThat(docs).anyMatch(d -> d.contains("kind: Deployment"));
  }

  @Test
  void agentServiceOverlayRoutesExamplePluginForFlyteBefore116() throws Exception {
    List<String> docs = render("overlays/propeller-agent-service");
    assertThat(only(docs, "ConfigMap"))
        .contains("agent_service.yaml")
        .contains("- CreateTask: 10s")
        .contains("- ListAgents: 5s")
        .containsPattern("agentForTaskTypes:\\s+example_plugin: flyte-operator-agent")
        .doesNotContain("enabled-plugins")
        .doesNotContain("defaultAgent:");
    // Propeller before 1.16 treats RETRYABLE_FAILED as an unknown phase.
    assertThat(only(docs, "Deployment"))
        .containsPattern("name: FLYTE_AGENT_MIN_FLYTE_RELEASE\\s+value: \"?1\\.13\\.0\"?");
  }

  /** The Spark operator's released manifests, as a pinned remote base. */
  private static final Pattern OPERATOR_BASE =
      Pattern.compile(
          "(?m)^  - (https://github\\.com/kubeflow/spark-operator/config/default\\?ref=v\\d+\\.\\d+\\.\\d+)$");

  @Test
  void theSparkOperatorIsAPinnedRemoteBaseOfItsOwnReleasedManifests() throws Exception {
    String kustomization =
        Files.readString(DEPLOY.resolve("operators/spark-operator/kustomization.yaml"), UTF_8);
    // A release tag, never a branch: the namespaces patch tests the arguments of that release.
    assertThat(OPERATOR_BASE.matcher(kustomization).find()).as(kustomization).isTrue();
    assertThat(kustomization).doesNotContain("ref=master").doesNotContain("ref=main");
  }

  /**
   * The operator component and the stack overlay rendered offline: the remote base is replaced by a
   * stand-in with the two Deployments the patches target, laid out as the pinned release has them
   * (a few lines written here, not a copy of the operator's manifests). What needs the network is
   * only the remote base itself.
   */
  @Test
  void theStackOverlayMakesTheOperatorWatchFlytesNamespacesBesideTheAgentAndPropellersConfig(
      @org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    Path deploy = tmp.resolve("deploy");
    copyTree(DEPLOY, deploy);
    Path standIn = tmp.resolve("operator-release");
    Files.createDirectories(standIn);
    Files.writeString(
        standIn.resolve("kustomization.yaml"),
        "resources:\n  - deployments.yaml\nnamespace: spark-operator\n",
        UTF_8);
    Files.writeString(
        standIn.resolve("deployments.yaml"),
        standInDeployment("spark-operator-controller", "controller")
            + "---\n"
            + standInDeployment("spark-operator-webhook", "webhook"),
        UTF_8);
    Path operator = deploy.resolve("operators/spark-operator/kustomization.yaml");
    String kustomization = Files.readString(operator, UTF_8);
    Files.writeString(
        operator,
        OPERATOR_BASE
            .matcher(kustomization)
            .replaceFirst("  - " + operator.getParent().relativize(standIn)),
        UTF_8);

    List<String> docs = render(deploy.resolve("overlays/stack"));

    for (String name : List.of("spark-operator-controller", "spark-operator-webhook")) {
      String deployment =
          docs.stream().filter(d -> d.contains("name: " + name + "\n")).findFirst().orElseThrow();
      assertThat(deployment)
          .contains(
              "--namespaces=flytesnacks-development,flytesnacks-staging,flytesnacks-production")
          .doesNotContain("- --namespaces=\n")
          .contains("image: ghcr.io/kubeflow/spark-operator/controller:2.5.2");
    }
    assertThat(docs)
        .anyMatch(
            d -> d.contains("kind: Role\n") && d.contains("namespace: flytesnacks-development"))
        .anyMatch(d -> d.contains("kind: ConfigMap") && d.contains("connector_service.yaml"));
    String agent =
        docs.stream()
            .filter(
                d -> d.contains("name: flyte-operator-agent\n") && d.contains("kind: Deployment"))
            .findFirst()
            .orElseThrow();
    assertThat(agent)
        .containsPattern("name: FLYTEPLUGIN_SPARK_SERVICE_ACCOUNT\\s+value: spark-driver");
  }

  @Test
  void theNamespacesPatchRefusesAnOperatorReleaseThatMovedTheArgument(
      @org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("moved");
    Files.createDirectories(dir);
    Files.copy(
        DEPLOY.resolve("operators/spark-operator/watch-namespaces.yaml"),
        dir.resolve("watch-namespaces.yaml"));
    Files.writeString(
        dir.resolve("deployments.yaml"),
        standInDeployment("spark-operator-controller", "controller")
            .replace("- --namespaces=\n", "- --controller-threads=10\n"),
        UTF_8);
    Files.writeString(
        dir.resolve("kustomization.yaml"),
        "resources:\n  - deployments.yaml\npatches:\n  - path: watch-namespaces.yaml\n"
            + "    target:\n      kind: Deployment\n      name: spark-operator-controller\n",
        UTF_8);
    Process process =
        new ProcessBuilder(renderer.commandFor(dir)).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isNotZero();
  }

  private static String standInDeployment(String name, String command) {
    return "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: "
        + name
        + "\nspec:\n  template:\n    spec:\n      containers:\n        - name: "
        + command
        + "\n          image: ghcr.io/kubeflow/spark-operator/controller\n          args:\n"
        + "            - "
        + command
        + "\n            - start\n            - --zap-log-level=info\n"
        + "            - --zap-encoder=console\n            - --namespaces=\n";
  }

  private static void copyTree(Path from, Path to) throws java.io.IOException {
    try (var paths = Files.walk(from)) {
      for (Path path : paths.toList()) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target);
        }
      }
    }
  }

  private static List<String> render(String overlay) throws Exception {
    return render(DEPLOY.resolve(overlay));
  }

  private static List<String> render(Path overlay) throws Exception {
    Path out = Files.createTempFile("kustomize", ".yaml");
    Process process =
        new ProcessBuilder(renderer.commandFor(overlay))
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s finished", renderer.name()).isTrue();
    String rendered = Files.readString(out, UTF_8);
    Files.delete(out);
    assertThat(process.exitValue()).as("%s %s:%n%s", renderer.name(), overlay, rendered).isZero();
    return Arrays.asList(rendered.split("(?m)^---$"));
  }

  private static String only(List<String> docs, String kind) {
    Pattern marker = Pattern.compile("(?m)^kind: " + kind + "$");
    List<String> matching = docs.stream().filter(d -> marker.matcher(d).find()).toList();
    assertThat(matching).as("objects of kind %s", kind).hasSize(1);
    return matching.get(0);
  }
}
