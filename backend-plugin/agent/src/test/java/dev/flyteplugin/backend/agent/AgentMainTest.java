package dev.flyteplugin.backend.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
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
    CommandLine cli = new CommandLine(new AgentMain());
    cli.setOut(new PrintWriter(out));
    assertThat(cli.execute("--help")).isZero();
    String help = out.toString().replaceAll("\\s+", " ");
    for (Field field : AgentMain.class.getDeclaredFields()) {
      Option option = field.getAnnotation(Option.class);
      if (option == null) {
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
    assertThat(main.hmacKey()).hasSize(32);

    Files.writeString(keyFile, Base64.getEncoder().encodeToString(new byte[8]));
    AgentMain shortKey = new AgentMain();
    new CommandLine(shortKey).parseArgs("--hmac-key-file", keyFile.toString());
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new ResourceMetaCodec(shortKey.hmacKey()))
        .hasMessageContaining("at least 32");
  }

  @Test
  void tlsNeedsBothCertificateAndKey() {
    AgentMain main = new AgentMain();
    new CommandLine(main).parseArgs("--tls-cert", "cert.pem");
    org.assertj.core.api.Assertions.assertThatThrownBy(main::settings)
        .hasMessageContaining("--tls-cert and --tls-key go together");
  }
}
