package dev.flyteplugin.jflyte.auth;

import flyteidl.service.Auth;
import flyteidl.service.AuthMetadataServiceGrpc;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.flyte.jflyte.api.TokenSourceFactory;
import org.flyte.jflyte.api.TokenSourceFactoryRegistrar;

/** How jflyte authenticates to FlyteAdmin: gRPC call credentials from a {@link TokenSupplier}. */
public final class AdminAuth {
  private AdminAuth() {}

  /** Sends {@code <header>: Bearer <token>} on every call; the token is fetched off-thread. */
  public static CallCredentials bearer(TokenSupplier tokens, String header) {
    Metadata.Key<String> key =
        Metadata.Key.of(
            header == null || header.isBlank() ? "authorization" : header,
            Metadata.ASCII_STRING_MARSHALLER);
    return new CallCredentials() {
      @Override
      public void applyRequestMetadata(
          RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
        appExecutor.execute(
            () -> {
              try {
                Metadata headers = new Metadata();
                headers.put(key, "Bearer " + tokens.token());
                applier.apply(headers);
              } catch (IOException | RuntimeException e) {
                applier.fail(
                    Status.UNAUTHENTICATED
                        .withDescription("cannot get a token for FlyteAdmin: " + e.getMessage())
                        .withCause(e));
              }
            });
      }
    };
  }

  /**
   * {@code authType: ExternalCommand}: runs {@code admin.command} once and uses its standard
   * output, trimmed, as the token (flyteidl token_source_provider.go ExternalTokenSourceProvider: a
   * static token source).
   */
  static TokenSupplier externalCommand(FlytectlConfig config) throws IOException {
    if (config.command().isEmpty()) {
      throw new IllegalArgumentException(
          config.source() + ": authType ExternalCommand needs admin.command (a list)");
    }
    Process process = new ProcessBuilder(config.command()).start();
    byte[] out = process.getInputStream().readAllBytes();
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("admin.command " + config.command() + " did not finish in 60 s");
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running admin.command", e);
    }
    if (process.exitValue() != 0) {
      throw new IOException(
          "admin.command "
              + config.command()
              + " exited "
              + process.exitValue()
              + ": "
              + err.strip());
    }
    String token = new String(out, StandardCharsets.UTF_8).strip();
    if (token.isEmpty()) {
      throw new IOException("admin.command " + config.command() + " printed no token");
    }
    return () -> token;
  }

  /**
   * {@code authType: Pkce}: client and endpoints from FlyteAdmin's AuthMetadataService (flyteidl
   * oauth.BuildConfigFromMetadataService), the browser from {@code $BROWSER}.
   */
  static TokenSupplier pkce(
      FlytectlConfig config, ManagedChannel discovery, Function<String, String> env, Clock clock)
      throws IOException {
    var metadata =
        AuthMetadataServiceGrpc.newBlockingStub(discovery).withDeadlineAfter(30, TimeUnit.SECONDS);
    Auth.PublicClientAuthConfigResponse client;
    Auth.OAuth2MetadataResponse oauth;
    try {
      client =
          metadata.getPublicClientConfig(Auth.PublicClientAuthConfigRequest.getDefaultInstance());
      oauth = metadata.getOAuth2Metadata(Auth.OAuth2MetadataRequest.getDefaultInstance());
    } catch (StatusRuntimeException e) {
      throw new IOException(
          "cannot get the PKCE client settings from FlyteAdmin's AuthMetadataService ("
              + e.getStatus()
              + ")",
          e);
    }
    if (client.getClientId().isEmpty()
        || client.getRedirectUri().isEmpty()
        || oauth.getAuthorizationEndpoint().isEmpty()
        || oauth.getTokenEndpoint().isEmpty()) {
      throw new IllegalArgumentException(
          "FlyteAdmin's public client config has no client id, redirect URI or endpoints: it"
              + " does not offer PKCE; use authType ClientSecret");
    }
    return new Pkce(
        URI.create(oauth.getAuthorizationEndpoint()),
        URI.create(oauth.getTokenEndpoint()),
        client.getClientId(),
        URI.create(client.getRedirectUri()),
        config.scopes().isEmpty() ? client.getScopesList() : config.scopes(),
        config.audience() != null ? config.audience() : client.getAudience(),
        Pkce.browserFrom(env.apply("BROWSER"), System.err),
        java.time.Duration.ofMinutes(2),
        clock);
  }

  /** A token read once from a file (--token-file). */
  public static TokenSupplier fromFile(Path file) throws IOException {
    String token = Files.readString(file, StandardCharsets.UTF_8).trim();
    if (token.isEmpty()) {
      throw new IllegalArgumentException("token file " + file + " is empty");
    }
    return () -> token;
  }

  /**
   * A jflyte-api token source by method name ({@code -am/--auth-mode}, as flytekit-java's jflyte
   * RegisterWorkflows.getTokenSource: TokenSourceFactoryRegistrars on the class path or in
   * FLYTE_INTERNAL_MODULE_DIR modules; jflyte-google-cloud provides one).
   */
  public static TokenSupplier fromTokenSourceFactory(
      String method, List<ClassLoader> loaders, Map<String, String> env) {
    StringBuilder known = new StringBuilder();
    for (ClassLoader loader : loaders) {
      Iterator<TokenSourceFactoryRegistrar> registrars =
          ServiceLoader.load(TokenSourceFactoryRegistrar.class, loader).iterator();
      while (registrars.hasNext()) {
        for (TokenSourceFactory factory : registrars.next().load(env)) {
          if (factory.getMethod().equals(method)) {
            var source = factory.getTokenSource();
            return () -> source.token().accessToken();
          }
          known.append(known.length() == 0 ? "" : ", ").append(factory.getMethod());
        }
      }
    }
    throw new IllegalArgumentException(
        "no token source for auth mode '"
            + method
            + "' (available: "
            + (known.length() == 0 ? "none" : known)
            + "); add the module that provides it to FLYTE_INTERNAL_MODULE_DIR");
  }

  /**
   * The token supplier flytectl would use for {@code config}, or null when the config asks for no
   * authentication (no authType and no clientId). Token URL, scopes and audience not in the file
   * are discovered from FlyteAdmin's AuthMetadataService over {@code discovery} (an unauthenticated
   * channel), as flyteidl's NewTokenSourceProvider does.
   */
  public static TokenSupplier fromFlytectlConfig(
      FlytectlConfig config, ManagedChannel discovery, Function<String, String> env, Clock clock)
      throws IOException {
    if (config.authType().isEmpty() && config.clientId() == null) {
      return null;
    }
    String type = config.authType().orElse("ClientSecret");
    if (type.equals("ExternalCommand")) {
      return externalCommand(config);
    }
    if (type.equals("Pkce")) {
      return pkce(config, discovery, env, clock);
    }
    if (!type.equals("ClientSecret")) {
      throw new IllegalArgumentException(
          config.source()
              + ": admin.authType "
              + type
              + " is not supported by jflyte (it needs a device prompt); use authType:"
              + " ClientSecret with clientId and clientSecretLocation, Pkce, ExternalCommand, or"
              + " --token-file");
    }
    String secret;
    if (config.clientSecretEnvVar() != null) {
      secret = env.apply(config.clientSecretEnvVar());
      if (secret == null || secret.isBlank()) {
        throw new IllegalArgumentException(
            config.source()
                + ": admin.clientSecretEnvVar names "
                + config.clientSecretEnvVar()
                + ", which is not set");
      }
    } else {
      Path location = Path.of(config.clientSecretLocation());
      if (!Files.isReadable(location)) {
        throw new IllegalArgumentException(
            config.source()
                + ": admin.clientSecretLocation "
                + location
                + " is not a readable file (set it, or clientSecretEnvVar)");
      }
      secret = Files.readString(location, StandardCharsets.UTF_8);
    }
    secret = secret.trim();

    String tokenUrl = config.tokenUrl();
    List<String> scopes = config.scopes();
    var metadata =
        AuthMetadataServiceGrpc.newBlockingStub(discovery).withDeadlineAfter(30, TimeUnit.SECONDS);
    try {
      if (tokenUrl == null) {
        tokenUrl =
            metadata
                .getOAuth2Metadata(Auth.OAuth2MetadataRequest.getDefaultInstance())
                .getTokenEndpoint();
      }
      if (scopes.isEmpty()) {
        scopes =
            metadata
                .getPublicClientConfig(Auth.PublicClientAuthConfigRequest.getDefaultInstance())
                .getScopesList();
      }
    } catch (StatusRuntimeException e) {
      throw new IOException(
          "cannot discover the token endpoint from FlyteAdmin's AuthMetadataService ("
              + e.getStatus()
              + "); set admin.tokenUrl in "
              + config.source(),
          e);
    }
    if (tokenUrl == null || tokenUrl.isBlank()) {
      throw new IllegalArgumentException(
          "FlyteAdmin reported no token endpoint: set admin.tokenUrl in " + config.source());
    }
    return new ClientCredentials(
        URI.create(tokenUrl), config.clientId(), secret, scopes, config.audience(), clock);
  }
}
