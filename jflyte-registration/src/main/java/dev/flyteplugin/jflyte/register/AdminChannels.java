package dev.flyteplugin.jflyte.register;

import io.grpc.CallCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import java.util.concurrent.Executor;

/** Opens the gRPC channel to FlyteAdmin: TLS or plaintext, with an optional bearer token. */
public final class AdminChannels {

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private AdminChannels() {}

  /**
   * @param platformUrl {@code host:port}, a gRPC target ({@code dns:///host:port}), or {@code
   *     https://host[:port]} / {@code http://host[:port]} which also choose TLS / plaintext
   * @param insecure plaintext instead of TLS (FLYTE_PLATFORM_INSECURE)
   * @param bearerToken sent as {@code authorization: Bearer <token>} when not null
   */
  public static ManagedChannel open(String platformUrl, boolean insecure, String bearerToken) {
    return open(
        platformUrl,
        insecure,
        bearerToken == null || bearerToken.isBlank() ? null : bearer(bearerToken.trim()));
  }

  /** As {@link #open(String, boolean, String)} with any call credentials (null for none). */
  public static ManagedChannel open(
      String platformUrl, boolean insecure, CallCredentials callCredentials) {
    if (platformUrl == null || platformUrl.isBlank()) {
      throw new IllegalArgumentException(
          "no FlyteAdmin address: set FLYTE_PLATFORM_URL, --platform-url (host:port) or"
              + " admin.endpoint in the flytectl config (--config)");
    }
    String target = platformUrl.trim();
    boolean plaintext = insecure;
    if (target.startsWith("https://")) {
      target = withDefaultPort(target.substring("https://".length()), 443);
      plaintext = false;
    } else if (target.startsWith("http://")) {
      target = withDefaultPort(target.substring("http://".length()), 80);
      plaintext = true;
    }
    ChannelCredentials credentials =
        plaintext ? InsecureChannelCredentials.create() : TlsChannelCredentials.create();
    if (callCredentials != null) {
      credentials = CompositeChannelCredentials.create(credentials, callCredentials);
    }
    return Grpc.newChannelBuilder(target, credentials).build();
  }

  private static String withDefaultPort(String hostAndPath, int port) {
    String host = hostAndPath.replaceAll("/+$", "");
    return host.contains(":") ? host : host + ":" + port;
  }

  /** Call credentials that add the bearer token to every call. */
  public static CallCredentials bearer(String token) {
    return new CallCredentials() {
      @Override
      public void applyRequestMetadata(
          RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
        try {
          Metadata headers = new Metadata();
          headers.put(AUTHORIZATION, "Bearer " + token);
          applier.apply(headers);
        } catch (RuntimeException e) {
          applier.fail(Status.UNAUTHENTICATED.withDescription("bad token").withCause(e));
        }
      }
    };
  }
}
