package dev.flyteplugin.backend.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flyteplugin.backend.runtime.TaskCategory;
import dev.flyteplugin.backend.runtime.TaskHandle;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The command line: help, defaults, environment variables, and refusing to start without a key. */
class AgentMainTest {
  @TempDir Path work;

  @Test
  void helpExplainsEveryFlagAndNamesItsEnvironmentVariable() {
    StringWriter out = new StringWriter();
    CommandLine cli = AgentMain.commandLine(new AgentMain());
    cli.setOut(new PrintWriter(out));
    assertThat(cli.execute("--help")).isZero();
    String help = out.toString().replaceAll("\\s+", " ");
    // Every plugin on the class path, with each setting's flag and environment variable.
    assertThat(help)
        .contains("spark (task types")
        .contains("--plugin-config spark.log-links=... (env FLYTEPLUGIN_SPARK_LOG_LINKS)")
        .contains("--plugin-config spark.history-server-url=...");
    for (Field field : AgentMain.class.getDeclaredFields()) {
      Option option = field.getAnnotation(Option.class);
      if (option == null) {
        continue;
      }
      if (!option.defaultValue().startsWith("${env:")) {
        // One variable per plugin setting, named by pattern and listed at the end.
        assertThat(help).contains(option.names()[0]).contains("FLYTEPLUGIN_<PLUGIN>_<KEY>");
        continue;
      }
      assertThat(help).contains(option.names()[0]);
      String env = option.defaultValue().replaceAll("\\$\\{env:([A-Z_]+).*", "$1");
      assertThat(help).as("help of %s", Arrays.toString(option.names())).contains("env " + env);
    }
  }

  @Test
  void defaultsArePort8000AndMetrics9090() {
    AgentMain main = new AgentMain();
    new CommandLine(main).parseArgs();
    AgentServer.Settings settings = main.settings();
    assertThat(settings.port()).isEqualTo(8000);
    assertThat(settings.metricsPort()).isEqualTo(9090);
    assertThat(settings.shutdownGrace()).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void refusesToStartInClusterModeWithoutAnHmacKeyAndSaysHowToMakeOne() {
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new AgentMain());
    cli.setErr(new PrintWriter(err));
    assertThat(cli.execute("--kubeconfig", work.resolve("none").toString())).isNotZero();
    assertThat(err.toString()).contains("no HMAC key").contains("head -c 32 /dev/urandom | base64");
  }

  @Test
  void readsTheHmacKeyFromAFileAndRejectsAShortOne() throws Exception {
    Path keyFile = work.resolve("hmac.key");
    Files.writeString(keyFile, Base64.getEncoder().encodeToString(new byte[32]) + "\n");
    AgentMain main = new AgentMain();
    new CommandLine(main).parseArgs("--hmac-key-file", keyFile.toString());
    assertThat(main.hmacKeys()).singleElement().satisfies(k -> assertThat(k).hasSize(32));

    Files.writeString(keyFile, Base64.getEncoder().encodeToString(new byte[8]));
    AgentMain shortKey = new AgentMain();
    new CommandLine(shortKey).parseArgs("--hmac-key-file", keyFile.toString());
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new ResourceMetaCodec(shortKey.hmacKeys()))
        .hasMessageContaining("at least 32");
  }

  @Test
  void severalHmacKeysInOneFileOrSeveralFilesOrOneFlagKeepTheirOrderTheFirstSigning()
      throws Exception {
    byte[] newKey = "the new key, 32 bytes or more...!".getBytes();
    byte[] oldKey = "the old key, 32 bytes or more...!".getBytes();
    String b64New = Base64.getEncoder().encodeToString(newKey);
    String b64Old = Base64.getEncoder().encodeToString(oldKey);
    Path both = work.resolve("both.key");
    Files.writeString(both, "# rotation: new first\n" + b64New + "\n\n" + b64Old + "\n");
    Path first = work.resolve("new.key");
    Files.writeString(first, b64New);
    Path second = work.resolve("old.key");
    Files.writeString(second, b64Old);

    for (String[] args :
        List.of(
            new String[] {"--hmac-key-file", both.toString()},
            new String[] {"--hmac-key-file", first + "," + second},
            new String[] {"--hmac-key", b64New + "," + b64Old})) {
      AgentMain main = new AgentMain();
      new CommandLine(main).parseArgs(args);
      assertThat(main.hmacKeys()).as(Arrays.toString(args)).containsExactly(newKey, oldKey);
      ResourceMetaCodec codec = new ResourceMetaCodec(main.hmacKeys());
      TaskHandle handle = new TaskHandle(new TaskCategory("example_plugin", 0), "ns", "t");
      // the first key signs: a codec with only the new key verifies what this one issues
      assertThat(new ResourceMetaCodec(newKey).decode(codec.encode(handle))).isEqualTo(handle);
    }
  }

  @Test
  void refusesHmacKeysFromBothTheFileAndTheFlag() throws Exception {
    Path keyFile = work.resolve("hmac.key");
    Files.writeString(keyFile, Base64.getEncoder().encodeToString(new byte[32]));
    AgentMain main = new AgentMain();
    new CommandLine(main)
        .parseArgs(
            "--hmac-key-file",
            keyFile.toString(),
            "--hmac-key",
            Base64.getEncoder().encodeToString(new byte[32]));
    org.assertj.core.api.Assertions.assertThatThrownBy(main::hmacKeys)
        .hasMessageContaining("through one of them");
  }

  @Test
  void minFlyteReleaseDefaultsToTheConnectorServiceEraAndRefusesUnservedReleases() {
    AgentMain main = new AgentMain();
    new CommandLine(main).parseArgs();
    assertThat(main.settings().minFlyteRelease()).isEqualTo(new FlyteRelease(1, 15, 1));

    AgentMain newer = new AgentMain();
    new CommandLine(newer).parseArgs("--min-flyte-release", "v1.16");
    assertThat(newer.settings().minFlyteRelease().understandsRetryableFailed()).isTrue();

    for (String bad : List.of("1.12.0", "2.0.0", "latest")) {
      AgentMain refused = new AgentMain();
      new CommandLine(refused).parseArgs("--min-flyte-release", bad);
      org.assertj.core.api.Assertions.assertThatThrownBy(refused::settings)
          .as(bad)
          .hasMessageContaining("--min-flyte-release")
          .hasMessageContaining(bad.equals("latest") ? "MAJOR.MINOR" : "1.13.0");
    }
  }

  @Test
  void tlsNeedsBothCertificateAndKey() {
    AgentMain main = new AgentMain();
    new CommandLine(main).parseArgs("--tls-cert", "cert.pem");
    org.assertj.core.api.Assertions.assertThatThrownBy(main::settings)
        .hasMessageContaining("--tls-cert and --tls-key go together");
  }

  @Test
  void clusterModeNeedsAnExplicitNamespaceListOrAllNamespacesAndNamesBoth() {
    AgentMain none = new AgentMain();
    new CommandLine(none).parseArgs("--kubeconfig", "k");
    assertThatThrownBy(none::runtimeOptions)
        .hasMessageContaining("--namespaces")
        .hasMessageContaining("--all-namespaces");

    AgentMain both = new AgentMain();
    new CommandLine(both).parseArgs("--namespaces", "a", "--all-namespaces");
    assertThatThrownBy(both::runtimeOptions).hasMessageContaining("give one of them");

    AgentMain listed = new AgentMain();
    new CommandLine(listed).parseArgs("--namespaces", "a, b");
    assertThat(listed.runtimeOptions().namespaces()).containsExactly("a", "b");

    AgentMain all = new AgentMain();
    new CommandLine(all).parseArgs("--all-namespaces");
    assertThat(all.runtimeOptions().namespaces()).isEmpty();

    AgentMain embedded = new AgentMain();
    new CommandLine(embedded).parseArgs("--embedded");
    assertThat(embedded.runtimeOptions().namespaces()).isEmpty();
  }

  @Test
  void securityDefaultsAreTheSafeOnes() {
    AgentMain main = new AgentMain();
    new CommandLine(main).parseArgs("--all-namespaces");
    AgentServer.Settings settings = main.settings();
    assertThat(settings.reflection()).isFalse();
    assertThat(settings.maxRequestBytes()).isEqualTo(4 << 20);
    assertThat(settings.maxLogBytes()).isEqualTo(1 << 20);
    assertThat(settings.workers()).isGreaterThanOrEqualTo(4);
    assertThat(main.runtimeOptions().policy())
        .isEqualTo(dev.flyteplugin.backend.api.TaskPolicy.defaults());

    AgentMain open = new AgentMain();
    new CommandLine(open)
        .parseArgs(
            "--all-namespaces",
            "--allow-service-account-override",
            "--denied-conf-keys",
            "spark.a.*, spark.b",
            "--reflection",
            "--workers",
            "2");
    assertThat(open.runtimeOptions().policy().allowServiceAccountOverride()).isTrue();
    assertThat(open.runtimeOptions().policy().deniedConfKeys())
        .containsExactly("spark.a.*", "spark.b");
    assertThat(open.settings().reflection()).isTrue();
    assertThat(open.settings().workers()).isEqualTo(2);

    AgentMain nothingDenied = new AgentMain();
    new CommandLine(nothingDenied).parseArgs("--all-namespaces", "--denied-conf-keys", "none");
    assertThat(nothingDenied.runtimeOptions().policy().deniedConfKeys()).isEmpty();
  }

  @Test
  void placementPermissionsAreNoneByDefaultAndReachThePolicy() {
    AgentMain defaults = new AgentMain();
    new CommandLine(defaults).parseArgs("--all-namespaces");
    assertThat(defaults.runtimeOptions().policy().allowedTolerations()).isEmpty();
    assertThat(defaults.runtimeOptions().policy().allowedPriorityClasses()).isEmpty();

    AgentMain open = new AgentMain();
    new CommandLine(open)
        .parseArgs(
            "--all-namespaces",
            "--allowed-tolerations",
            "nvidia.com/gpu, dedicated",
            "--allowed-priority-classes",
            "batch-*");
    assertThat(open.runtimeOptions().policy().allowedTolerations())
        .containsExactly("nvidia.com/gpu", "dedicated");
    assertThat(open.runtimeOptions().policy().allowedPriorityClasses()).containsExactly("batch-*");
  }

  @Test
  void maxPreRunningIsOffByDefaultReachesTheRuntimeAndRefusesANegativeDuration() {
    AgentMain defaults = new AgentMain();
    new CommandLine(defaults).parseArgs("--all-namespaces");
    assertThat(defaults.runtimeOptions().maxPreRunning()).isZero();
    assertThat(RuntimeFactory.runtimeConfig(defaults.runtimeOptions()).maxPreRunning()).isZero();

    AgentMain limited = new AgentMain();
    new CommandLine(limited).parseArgs("--all-namespaces", "--max-pre-running", "PT30M");
    assertThat(RuntimeFactory.runtimeConfig(limited.runtimeOptions()).maxPreRunning())
        .isEqualTo(Duration.ofMinutes(30));

    AgentMain negative = new AgentMain();
    new CommandLine(negative).parseArgs("--all-namespaces", "--max-pre-running", "-PT1M");
    assertThatThrownBy(negative::runtimeOptions)
        .hasMessageContaining("--max-pre-running")
        .hasMessageContaining("FLYTE_AGENT_MAX_PRE_RUNNING");
  }

  @Test
  void aClientCaNeedsTheServerCertificate() {
    AgentMain main = new AgentMain();
    new CommandLine(main).parseArgs("--tls-client-ca", "ca.pem");
    assertThatThrownBy(main::settings).hasMessageContaining("--tls-client-ca needs --tls-cert");
  }
}
