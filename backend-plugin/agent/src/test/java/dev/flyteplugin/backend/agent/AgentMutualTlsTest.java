package dev.flyteplugin.backend.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import flyteidl.admin.AgentOuterClass.ListAgentsRequest;
import flyteidl.service.AgentMetadataServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS (--tls-client-ca): only a client with a certificate signed by the configured CA gets
 * an answer; no certificate, or one from another CA, fails the handshake. Reflection is off unless
 * asked for. Certificates are made with openssl, as a deployment would (cert-manager, a CA).
 */
class AgentMutualTlsTest {
  @TempDir Path work;

  @Test
  void onlyAClientWithACertificateFromTheConfiguredCaIsServed() throws Exception {
    Path ca = ca("ca");
    Path rogue = ca("rogue");
    signed(ca, "server", "localhost");
    signed(ca, "propeller", "flytepropeller");
    signed(rogue, "intruder", "flytepropeller");

    try (AgentServer server =
        start(
            Optional.of(
                new AgentServer.Tls(
                    work.resolve("server.pem"),
                    work.resolve("server.key"),
                    Optional.of(work.resolve("ca.pem")))),
            false)) {
      // Right CA: served.
      assertThat(listAgents(tlsChannel(server, Optional.of("propeller"))).getAgentsCount())
          .isEqualTo(1);
      // No client certificate: the handshake fails, nothing is served.
      assertRefused(tlsChannel(server, Optional.empty()));
      // A certificate from another CA: refused as well.
      assertRefused(tlsChannel(server, Optional.of("intruder")));
      // Plaintext: refused.
      assertRefused(
          ManagedChannelBuilder.forAddress("localhost", server.port()).usePlaintext().build());
    }
  }

  @Test
  void reflectionIsOffUnlessAskedFor() throws Exception {
    try (AgentServer off = start(Optional.empty(), false)) {
      Object answer = reflectionAnswer(off.port());
      assertThat(answer).isInstanceOf(Throwable.class);
      assertThat(Status.fromThrowable((Throwable) answer).getCode())
          .isEqualTo(Status.Code.UNIMPLEMENTED);
    }
    try (AgentServer on = start(Optional.empty(), true)) {
      assertThat(reflectionAnswer(on.port())).isInstanceOf(ServerReflectionResponse.class);
      assertThat(
              ((ServerReflectionResponse) reflectionAnswer(on.port()))
                  .getListServicesResponse()
                  .getServiceList())
          .extracting(s -> s.getName())
          .contains("flyteidl.service.AsyncAgentService");
    }
  }

  private AgentServer start(Optional<AgentServer.Tls> tls, boolean reflection) throws Exception {
    RecordingRuntime runtime = new RecordingRuntime();
    return AgentServer.start(
        new AgentServer.Settings(
                0,
                -1,
                "flyte-operator-agent",
                AgentServer.Settings.DEFAULT_MAX_REQUEST_BYTES,
                tls,
                Duration.ofSeconds(2),
                Duration.ofSeconds(10))
            .withReflection(reflection),
        runtime,
        new ResourceMetaCodec(new byte[32]),
        new PrometheusRegistry());
  }

  private static Object reflectionAnswer(int port) throws Exception {
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
    try {
      CompletableFuture<Object> answer = new CompletableFuture<>();
      StreamObserver<ServerReflectionRequest> requests =
          ServerReflectionGrpc.newStub(channel)
              .serverReflectionInfo(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                      answer.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                      answer.complete(t);
                    }

                    @Override
                    public void onCompleted() {}
                  });
      requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
      Object result = answer.get(10, TimeUnit.SECONDS);
      requests.onCompleted();
      return result;
    } finally {
      channel.shutdownNow();
    }
  }

  private ManagedChannel tlsChannel(AgentServer server, Optional<String> clientCert)
      throws Exception {
    SslContextBuilder ssl =
        GrpcSslContexts.forClient().trustManager(work.resolve("ca.pem").toFile());
    if (clientCert.isPresent()) {
      ssl.keyManager(
          work.resolve(clientCert.get() + ".pem").toFile(),
          work.resolve(clientCert.get() + ".key").toFile());
    }
    return NettyChannelBuilder.forAddress("localhost", server.port())
        .sslContext(ssl.build())
        .build();
  }

  private static flyteidl.admin.AgentOuterClass.ListAgentsResponse listAgents(
      ManagedChannel channel) {
    try {
      return AgentMetadataServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .listAgents(ListAgentsRequest.getDefaultInstance());
    } finally {
      channel.shutdownNow();
    }
  }

  private static void assertRefused(ManagedChannel channel) {
    assertThatThrownBy(() -> listAgents(channel))
        .isInstanceOf(StatusRuntimeException.class)
        .satisfies(
            e ->
                assertThat(((StatusRuntimeException) e).getStatus().getCode())
                    .isEqualTo(Status.Code.UNAVAILABLE));
  }

  /** A self-signed CA: {@code <name>.pem}, {@code <name>.key}. */
  private Path ca(String name) throws Exception {
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=" + name,
        "-keyout",
        name + ".key",
        "-out",
        name + ".pem");
    return work.resolve(name + ".pem");
  }

  /** A leaf certificate {@code <name>.pem}/{@code .key} (PKCS#8) signed by {@code ca}. */
  private void signed(Path ca, String name, String host) throws Exception {
    String caName = ca.getFileName().toString().replace(".pem", "");
    Files.writeString(
        work.resolve(name + ".ext"),
        "subjectAltName=DNS:" + host + "\nextendedKeyUsage=serverAuth,clientAuth\n");
    openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=" + host,
        "-keyout",
        name + ".key",
        "-out",
        name + ".csr");
    openssl(
        "x509",
        "-req",
        "-in",
        name + ".csr",
        "-CA",
        caName + ".pem",
        "-CAkey",
        caName + ".key",
        "-CAcreateserial",
        "-days",
        "1",
        "-extfile",
        name + ".ext",
        "-out",
        name + ".pem");
  }

  private void openssl(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assumeTrue(
        p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0,
        "openssl failed, mutual TLS was NOT checked: " + out);
  }
}
