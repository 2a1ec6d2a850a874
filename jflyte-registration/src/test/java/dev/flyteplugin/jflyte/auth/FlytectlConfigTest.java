package dev.flyteplugin.jflyte.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** flytectl's config file as flytectl reads it, and the client credentials token source. */
class FlytectlConfigTest {
  @TempDir Path dir;

  @Test
  void readsTheAdminSectionOfAConfigAsFlytectlWritesIt() throws Exception {
    Path file =
        write(
            """
            admin:
              # For GRPC endpoints you might want to use dns:///flyte.myexample.com
              endpoint: dns:///localhost:30080
              authType: Pkce
              insecure: true
              clientId: flytectl
              scopes: [all, offline]
            logger:
              show-source: true
              level: 0
            storage:
              connection:
                endpoint: http://localhost:30084
              type: minio
              container: "my-s3-bucket"
            """);

    FlytectlConfig config = FlytectlConfig.read(file);

    assertThat(config.endpoint()).isEqualTo("dns:///localhost:30080");
    assertThat(config.insecure()).isTrue();
    assertThat(config.authType()).contains("Pkce");
    assertThat(config.clientId()).isEqualTo("flytectl");
    assertThat(config.scopes()).containsExactly("all", "offline");
    assertThat(config.clientSecretLocation()).isEqualTo("/etc/secrets/client_secret");
    assertThat(config.tokenUrl()).isNull();
  }

  @Test
  void keysAreCaseInsensitiveAsInViperAndBlockListsWork() throws Exception {
    Path file =
        write(
            """
            Admin:
              Endpoint: 'flyte.acme.dev:443'
              AuthType: clientsecret
              ClientSecretLocation: /run/secret   # mounted
              tokenUrl: https://idp.acme.dev/token
              scopes:
                - all
                - "offline"
              audience: flyte
            """);

    FlytectlConfig config = FlytectlConfig.read(file);

    assertThat(config.endpoint()).isEqualTo("flyte.acme.dev:443");
    assertThat(config.insecure()).isFalse();
    assertThat(config.authType()).contains("ClientSecret");
    assertThat(config.clientSecretLocation()).isEqualTo("/run/secret");
    assertThat(config.tokenUrl()).isEqualTo("https://idp.acme.dev/token");
    assertThat(config.scopes()).containsExactly("all", "offline");
    assertThat(config.audience()).isEqualTo("flyte");
  }

  @Test
  void badValuesAndBadYamlAreNamed() throws Exception {
    Path badType = write("admin:\n  authType: Kerberos\n");
    assertThatThrownBy(() -> FlytectlConfig.read(badType))
        .hasMessageContaining("admin.authType 'Kerberos'")
        .hasMessageContaining("ClientSecret, Pkce");

    Path badIndent = write("admin:\n  endpoint: a\n    insecure: true\n");
    assertThatThrownBy(() -> FlytectlConfig.read(badIndent)).hasMessageContaining(":3:");
  }

  @Test
  void clientCredentialsAreFetchedWithBasicAuthAndRefreshedBeforeExpiry() throws Exception {
    MutableClock clock = new MutableClock();
    try (TokenServer server = new TokenServer("jflyte", "s3cr3t")) {
      server.expiresIn = 60;
      ClientCredentials tokens =
          new ClientCredentials(
              server.tokenUrl(), "jflyte", "s3cr3t", List.of("all", "offline"), "flyte", clock);

      assertThat(tokens.token()).isEqualTo("tok-1");
      clock.advance(Duration.ofSeconds(29));
      assertThat(tokens.token()).as("still valid").isEqualTo("tok-1");
      clock.advance(Duration.ofSeconds(2));
      assertThat(tokens.token()).as("within 30 s of expiry").isEqualTo("tok-2");
      assertThat(tokens.fetches()).isEqualTo(2);
      assertThat(server.requestBodies.get(0))
          .contains("grant_type=client_credentials")
          .contains("scope=all+offline")
          .contains("audience=flyte");
    }
  }

  @Test
  void aRejectedClientSaysWhatToCheck() throws Exception {
    try (TokenServer server = new TokenServer("jflyte", "right")) {
      ClientCredentials tokens =
          new ClientCredentials(
              server.tokenUrl(), "jflyte", "wrong", List.of(), null, Clock.systemUTC());

      assertThatThrownBy(tokens::token)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("HTTP 401")
          .hasMessageContaining("check admin.clientId and the client secret");
    }
  }

  private Path write(String yaml) throws IOException {
    return Files.writeString(Files.createTempFile(dir, "config", ".yaml"), yaml);
  }

  static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
