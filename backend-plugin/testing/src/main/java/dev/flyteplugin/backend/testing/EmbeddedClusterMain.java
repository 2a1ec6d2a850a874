package dev.flyteplugin.backend.testing;

import dev.flyteplugin.backend.api.OperatorPlugin;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code embedded-cluster}: the embedded mode's SIMULATED cluster on its own, outliving any agent:
 * the fabric8 mock API server (CRUD mode, real HTTP), the simulated operator of every plugin on the
 * class path, and the simulated workload running the tasks' container args through jflyte with the
 * classes of {@code --user-code}. It writes a kubeconfig, prints {@code READY <url>} and runs until
 * SIGTERM/SIGINT; {@code flyte-agent --kubeconfig FILE ...} then serves tasks against it in cluster
 * mode, and can be stopped and restarted meanwhile. For the compat suite (Flyte's own Go plugin
 * code against this agent) and demos; never for production.
 */
@Command(
    name = "embedded-cluster",
    mixinStandardHelpOptions = true,
    version = "embedded-cluster 0.1.0",
    sortOptions = false,
    usageHelpWidth = 100,
    description = {
      "Starts a SIMULATED Kubernetes API server (fabric8 mock, CRUD mode) with every plugin's"
          + " simulated operator and the jflyte workload, writes a kubeconfig for it, prints 'READY <url>' and"
          + " runs until SIGTERM/SIGINT. For tests and demos only.",
      ""
    })
public final class EmbeddedClusterMain implements Callable<Integer> {
  static final String BANNER =
      "*** EMBEDDED CLUSTER: the Kubernetes API and the operators are SIMULATED in this JVM"
          + " (fabric8 mock server + simulated operators). For tests and demos only. ***";

  @Option(
      names = "--kubeconfig-out",
      required = true,
      description =
          "Where to write the kubeconfig of the simulated API server (replaced if present).")
  Path kubeconfigOut;

  @Option(
      names = "--user-code",
      description =
          "A directory of jars (or one jar) holding the users' tasks, with flytekit-java, that the"
              + " simulated driver runs; default: this program's class path.")
  Path userCode;

  @Option(
      names = "--port",
      defaultValue = "0",
      description = "Port of the API server on localhost; 0 picks a free one. Default: 0.")
  int port;

  @Option(
      names = "--create-latency",
      defaultValue = "PT0S",
      description =
          "How late the API server answers a POST of an operator custom resource, ISO-8601 (e.g."
              + " PT5S); the resource is stored when the answer goes out, as with a slow real API"
              + " server. Lets a CreateTask outlive propeller's deadline. Default: PT0S.")
  Duration createLatency;

  @Option(
      names = "--operator-step-delay",
      defaultValue = "PT0.2S",
      description =
          "Pause between the simulated operator's state changes, ISO-8601. Default: PT0.2S.")
  Duration operatorStepDelay;

  public static void main(String[] args) {
    int code = new CommandLine(new EmbeddedClusterMain()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() throws Exception {
    EmbeddedCluster cluster = start(System.out);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  cluster.close();
                  stopped.countDown();
                },
                "embedded-cluster-shutdown"));
    stopped.await();
    return 0;
  }

  /** Starts the cluster, writes the kubeconfig, then prints {@code READY <url>} to {@code out}. */
  public EmbeddedCluster start(PrintStream out) throws IOException {
    if (createLatency.isNegative()) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--create-latency " + createLatency + " is negative");
    }
    out.println(BANNER);
    out.flush();
    List<OperatorPlugin> plugins = new ArrayList<>();
    ServiceLoader.load(OperatorPlugin.class, EmbeddedClusterMain.class.getClassLoader())
        .forEach(plugins::add);
    EmbeddedCluster cluster =
        EmbeddedCluster.start(
            plugins,
            JflyteWorkload.of(JflyteWorkload.userCodeLoader(Optional.ofNullable(userCode))),
            operatorStepDelay,
            new EmbeddedKubernetes.Options(port, createLatency));
    try {
      Path absolute = kubeconfigOut.toAbsolutePath();
      if (absolute.getParent() != null) {
        Files.createDirectories(absolute.getParent());
      }
      // Written whole, then moved: a reader that sees the file sees all of it.
      Path partial = absolute.resolveSibling(absolute.getFileName() + ".partial");
      Files.writeString(partial, cluster.kubernetes().kubeconfig(), StandardCharsets.UTF_8);
      Files.move(
          partial, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    out.println("READY " + cluster.kubernetes().url());
    out.flush();
    return cluster;
  }
}
