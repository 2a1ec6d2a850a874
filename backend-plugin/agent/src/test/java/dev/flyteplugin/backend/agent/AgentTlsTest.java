package dev.flyteplugin.backend.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.flyteplugin.backend.runtime.PluginRegistry;
import dev.flyteplugin.backend.runtime.RuntimeConfig;
import dev.flyteplugin.backend.spark.SparkOperatorPlugin;
import dev.flyteplugin.backend.spark.SparkPluginConfig;
import dev.flyteplugin.backend.testing.EmbeddedCluster;
import dev.flyteplugin.backend.testing.SimulatedWorkload;
import flyteidl.admin.AgentOuterClass.ListAgentsRequest;
import flyteidl.service.AgentMetadataServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Optional TLS: a client trusting the agent's certificate talks to it, a plaintext one cannot. */
class AgentTlsTest {
  @TempDir Path work;

  @Test
  void withACertificateAndKeyTheAgentServesOnlyTls() throws Exception {
    Path cert = work.resolve("cert.pem");
    Path key = work.resolve("key.pem");
    Process openssl =
        new ProcessBuilder(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=DNS:localhost",
                "-keyout",
                key.toString(),
                "-out",
                cert.toString())
            .redirectErrorStream(true)
            .start();
    assumeTrue(
        openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0,
        "openssl could not make a test certificate: TLS was NOT checked");

    SparkOperatorPlugin plugin = new SparkOperatorPlugin(SparkPluginConfig.defaults());
    try (EmbeddedCluster cluster =
            EmbeddedCluster.start(
                java.util.List.of(plugin),
                SimulatedWorkload.succeedAfter(Duration.ZERO),
                Duration.ofMillis(10));
        AgentServer server =
            AgentServer.start(
                new AgentServer.Settings(
                    0,
                    -1,
                    "flyte-operator-agent",
                    1 << 20,
                    Optional.of(new AgentServer.Tls(cert, key)),
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(10)),
                TestRuntimes.newRuntime(
                    cluster, PluginRegistry.of(plugin), RuntimeConfig.defaults()),
                new ResourceMetaCodec(new byte[32]),
                new PrometheusRegistry())) {
      ManagedChannel tls =
          NettyChannelBuilder.forAddress("localhost", server.port())
              .sslContext(GrpcSslContexts.forClient().trustManager(cert.toFile()).build())
              .build();
      ManagedChannel plaintext =
          ManagedChannelBuilder.forAddress("localhost", server.port()).usePlaintext().build();
      try {
        assertThat(
                AgentMetadataServiceGrpc.newBlockingStub(tls)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .listAgents(ListAgentsRequest.getDefaultInstance())
                    .getAgentsCount())
            .isEqualTo(1);
        assertThatThrownBy(
                () ->
                    AgentMetadataServiceGrpc.newBlockingStub(plaintext)
                        .withDeadlineAfter(5, TimeUnit.SECONDS)
                        .listAgents(ListAgentsRequest.getDefaultInstance()))
            .isInstanceOf(io.grpc.StatusRuntimeException.class);
      } finally {
        tls.shutdownNow();
        plaintext.shutdownNow();
      }
    }
  }
}
