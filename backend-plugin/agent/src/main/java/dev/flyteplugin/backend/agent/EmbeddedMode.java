package dev.flyteplugin.backend.agent;

import dev.flyteplugin.backend.runtime.embedded.EmbeddedKubernetes;
import dev.flyteplugin.backend.spark.simulation.SimulatedWorkload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Embedded mode: a SIMULATED cluster in this JVM ({@link EmbeddedCluster}) whose simulated Spark
 * driver runs the tasks' container args through jflyte, so tasks really run and write their
 * outputs. For demos and tests only.
 */
final class EmbeddedMode {
  private EmbeddedMode() {}

  static RuntimeFactory factory() {
    return factory(true);
  }

  /**
   * @param runTasks whether the simulated driver runs each task (else it succeeds after 500 ms
   *     without running anything: the agent's own cost, for load tests)
   */
  static RuntimeFactory factory(boolean runTasks) {
    return options -> {
      EmbeddedCluster cluster =
          runTasks
              ? cluster(options, Duration.ofMillis(200))
              : EmbeddedCluster.start(
                  RuntimeFactory.registry(options),
                  SimulatedWorkload.succeedAfter(Duration.ofMillis(500)),
                  Duration.ofMillis(200),
                  EmbeddedKubernetes.Options.defaults());
      return new RuntimeFactory.OpenedRuntime(
          new OwningRuntime(cluster.newRuntime(RuntimeFactory.runtimeConfig(options)), cluster),
          PodLogs.of(cluster.kubernetes().client()));
    };
  }

  /** The simulated cluster, its driver running user code from {@code --user-code}. */
  static EmbeddedCluster cluster(RuntimeOptions options, Duration operatorStepDelay) {
    return cluster(options, operatorStepDelay, EmbeddedKubernetes.Options.defaults());
  }

  /** The same, with the API server's port and create latency ({@code embedded-cluster}). */
  static EmbeddedCluster cluster(
      RuntimeOptions options, Duration operatorStepDelay, EmbeddedKubernetes.Options kubernetes) {
    ClassLoader userCode = userCodeLoader(options.userCode());
    return EmbeddedCluster.start(
        RuntimeFactory.registry(options),
        new ContainerArgsWorkload(JflyteDriver.runner(userCode)),
        operatorStepDelay,
        kubernetes);
  }

  /** A jar, a directory of jars, or (empty) the agent's own class path. */
  static ClassLoader userCodeLoader(Optional<Path> userCode) {
    ClassLoader parent = EmbeddedMode.class.getClassLoader();
    if (userCode.isEmpty()) {
      return parent;
    }
    Path path = userCode.get();
    List<URL> urls = new ArrayList<>();
    try {
      if (Files.isDirectory(path)) {
        try (Stream<Path> files = Files.list(path)) {
          for (Path jar : files.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) {
            urls.add(jar.toUri().toURL());
          }
        }
        urls.add(path.toUri().toURL());
      } else if (Files.isRegularFile(path)) {
        urls.add(path.toUri().toURL());
      } else {
        throw new IllegalArgumentException(
            "--user-code " + path + " is neither a jar nor a directory of jars");
      }
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("--user-code " + path + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list --user-code " + path, e);
    }
    return new URLClassLoader("user-code", urls.toArray(URL[]::new), parent);
  }
}
