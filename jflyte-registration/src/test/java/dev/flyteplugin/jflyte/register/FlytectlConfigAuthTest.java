package dev.flyteplugin.jflyte.register;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flyteplugin.jflyte.JflyteTestRun;
import dev.flyteplugin.jflyte.auth.TokenServer;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `register workflows --config` with a flytectl config (authType ClientSecret): the token endpoint
 * is discovered from the FlyteAdmin fake's AuthMetadataService, a token is fetched from a real HTTP
 * token endpoint on loopback, and the fake only accepts calls carrying it.
 */
class FlytectlConfigAuthTest {
  @TempDir Path dir;

  final FakeFlyteAdmin admin = new FakeFlyteAdmin();
  TokenServer tokens;
  Server server;

  @BeforeEach
  void start() throws Exception {
    tokens = new TokenServer("jflyte-ci", "very-secret");
    admin.tokenEndpoint = tokens.tokenUrl().toString();
    admin.publicClientScopes = java.util.List.of("all");
    ServerBuilder<?> builder = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create());
    admin.withRequiredToken(value -> value.equals("Bearer tok-1")).forEach(builder::addService);
    server = builder.build().start();
  }

  @AfterEach
  void stop() throws Exception {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    tokens.close();
  }

  private Path config(String authType, String secretLine) throws Exception {
    return Files.writeString(
        dir.resolve("config.yaml"),
        "admin:\n"
            + "  endpoint: dns:///localhost:"
            + server.getPort()
            + "\n"
            + "  insecure: true\n"
            + "  authType: "
            + authType
            + "\n"
            + "  clientId: jflyte-ci\n"
            + secretLine
            + "logger:\n"
            + "  level: 0\n");
  }

  private JflyteTestRun register(Map<String, String> env, String... extra) {
    String[] base = {"register", "workflows", "-p", "flytesnacks", "-d", "development", "-v", "v1"};
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return JflyteTestRun.run(env, args);
  }

  @Test
  void clientSecretFromTheFlytectlConfigAuthenticatesEveryCall() throws Exception {
    Path secret = Files.writeString(dir.resolve("client_secret"), "very-secret\n");
    Path config = config("ClientSecret", "  clientSecretLocation: " + secret + "\n");

    JflyteTestRun run =
        register(
            Map.of("FLYTE_INTERNAL_IMAGE", "ghcr.io/example/app:1"), "--config", config.toString());

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out()).contains("summary: 13 created");
    assertThat(tokens.issued()).isEqualTo(1);
    assertThat(tokens.requestBodies.get(0)).contains("scope=all");
    assertThat(admin.calls).contains("GetOAuth2Metadata", "GetPublicClientConfig");
    assertThat(admin.authorizations).hasSize(13).containsOnly("Bearer tok-1");
  }

  @Test
  void theSecretCanComeFromAnEnvironmentVariableAndFlytectlConfigIsTheDefault() throws Exception {
    Path config = config("ClientSecret", "  clientSecretEnvVar: CI_FLYTE_SECRET\n");

    JflyteTestRun run =
        register(
            Map.of(
                "FLYTE_INTERNAL_IMAGE", "ghcr.io/example/app:1",
                "CI_FLYTE_SECRET", "very-secret",
                "FLYTECTL_CONFIG", config.toString()));

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(admin.authorizations).containsOnly("Bearer tok-1");
  }

  @Test
  void withoutCredentialsTheFakeRejectsCallsAsFlyteAdminWould() {
    JflyteTestRun run =
        register(
            Map.of(
                "FLYTE_INTERNAL_IMAGE", "ghcr.io/example/app:1",
                "FLYTE_PLATFORM_URL", "localhost:" + server.getPort(),
                "FLYTE_PLATFORM_INSECURE", "true"));

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).contains("UNAUTHENTICATED");
  }

  @Test
  void aWrongSecretFailsWithTheTokenEndpointsAnswer() throws Exception {
    Path secret = Files.writeString(dir.resolve("client_secret"), "nope");
    Path config = config("ClientSecret", "  clientSecretLocation: " + secret + "\n");

    JflyteTestRun run =
        register(
            Map.of("FLYTE_INTERNAL_IMAGE", "ghcr.io/example/app:1"), "--config", config.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).contains("UNAUTHENTICATED").contains("HTTP 401");
  }

  @Test
  void externalCommandPrintsTheToken() throws Exception {
    Path config = config("ExternalCommand", "  command: [\"sh\", \"-c\", \"echo ' tok-1 '\"]\n");

    JflyteTestRun run =
        register(
            Map.of("FLYTE_INTERNAL_IMAGE", "ghcr.io/example/app:1"), "--config", config.toString());

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(admin.authorizations).hasSize(13).containsOnly("Bearer tok-1");
    assertThat(tokens.issued()).isZero();
  }

  @Test
  void aFailingExternalCommandIsNamed() throws Exception {
    Path config = config("ExternalCommand", "  command: [sh, -c, 'echo denied >&2; exit 3']\n");

    JflyteTestRun run =
        register(
            Map.of("FLYTE_INTERNAL_IMAGE", "ghcr.io/example/app:1"), "--config", config.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("exited 3").contains("denied");
  }

  @Test
  void pkceRunsTheAuthorizationCodeFlowThroughTheBrowser() throws Exception {
    int callbackPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      callbackPort = socket.getLocalPort();
    }
    admin.authorizationEndpoint = tokens.authorizeUrl().toString();
    admin.publicClientId = "flytectl";
    admin.redirectUri = "http://localhost:" + callbackPort + "/callback";
    Path config = config("Pkce", "");

    // The "browser" follows the login redirect back to jflyte's callback listener.
    JflyteTestRun run =
        register(
            Map.of(
                "FLYTE_INTERNAL_IMAGE", "ghcr.io/example/app:1",
                "BROWSER", "curl -s -L -o /dev/null"),
            "--config",
            config.toString());

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(admin.authorizations).hasSize(13).containsOnly("Bearer tok-1");
    Map<String, String> authorize = tokens.authorizeRequests.get(0);
    assertThat(authorize)
        .containsEntry("client_id", "flytectl")
        .containsEntry("code_challenge_method", "S256")
        .containsEntry("scope", "all")
        .containsKeys("state", "code_challenge", "nonce");
    // The token endpoint checked the code verifier against the challenge.
    assertThat(tokens.requestBodies.get(0)).contains("grant_type=authorization_code");
  }

  @Test
  void deviceFlowIsRejectedWithWhatToUseInstead() throws Exception {
    Path config = config("DeviceFlow", "");

    JflyteTestRun run =
        register(
            Map.of("FLYTE_INTERNAL_IMAGE", "ghcr.io/example/app:1"), "--config", config.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("authType DeviceFlow is not supported").contains("ClientSecret");
  }
}
