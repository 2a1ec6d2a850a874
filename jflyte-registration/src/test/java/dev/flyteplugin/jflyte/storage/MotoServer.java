package dev.flyteplugin.jflyte.storage;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real S3-compatible server for tests: moto's {@code moto_server} (PyPI moto[server] 5.2.5) in a
 * virtualenv under target/, created on first use, listening on loopback.
 */
final class MotoServer implements AutoCloseable {
  static final String MOTO = "moto[server]==5.2.5";
  private static final Path VENV = Path.of("target", "moto-venv");

  private final Process process;
  private final int port;
  private final HttpClient http = HttpClient.newHttpClient();

  private MotoServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static MotoServer start() throws Exception {
    Path server = VENV.resolve("bin").resolve("moto_server");
    if (!Files.isExecutable(server)) {
      run(List.of("python3", "-m", "venv", VENV.toString()));
      run(List.of(VENV.resolve("bin").resolve("pip").toString(), "install", "-q", MOTO));
    }
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Process process =
        new ProcessBuilder(server.toString(), "-H", "127.0.0.1", "-p", String.valueOf(port))
            .redirectErrorStream(true)
            .redirectOutput(Path.of("target", "moto-" + port + ".log").toFile())
            .start();
    MotoServer moto = new MotoServer(process, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        moto.http.send(
            HttpRequest.newBuilder(URI.create(moto.endpoint() + "/")).GET().build(),
            HttpResponse.BodyHandlers.discarding());
        return moto;
      } catch (IOException notYet) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          moto.close();
          throw new IllegalStateException(
              "moto_server did not start; see target/moto-" + port + ".log", notYet);
        }
        Thread.sleep(200);
      }
    }
  }

  private static void run(List<String> command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(600, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException(
          "cannot set up the S3 test server (" + command + "): " + output);
    }
  }

  String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** The environment jflyte-aws' S3FileSystemRegistrar reads (S3FileSystem.create). */
  Map<String, String> awsEnv() {
    return Map.of(
        "FLYTE_AWS_ENDPOINT", endpoint(),
        "FLYTE_AWS_ACCESS_KEY_ID", "test",
        "FLYTE_AWS_SECRET_ACCESS_KEY", "test");
  }

  void createBucket(String bucket) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(endpoint() + "/" + bucket))
                .PUT(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("create bucket: " + response.statusCode() + response.body());
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
