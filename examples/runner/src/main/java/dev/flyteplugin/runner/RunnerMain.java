package dev.flyteplugin.runner;

import dev.flyteplugin.backend.runtime.KubernetesTaskRuntime;
import dev.flyteplugin.backend.runtime.PluginRegistry;
import dev.flyteplugin.backend.runtime.RuntimeConfig;
import dev.flyteplugin.backend.runtime.TaskRuntime;
import dev.flyteplugin.jflyte.load.ProjectLoader;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.flyte.api.v1.Literal;
import org.flyte.api.v1.Variable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Runs a workflow end to end, its plugin tasks through the backend. */
@Command(
    name = "flyteplugin-run",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a flytekit-java workflow: plain tasks in this JVM, plugin tasks (e.g."
          + " @ExamplePluginTask) through the backend runtime as custom resources.",
      "Without --kubeconfig/--context it runs on the EMBEDDED default: an in-process Kubernetes"
          + " API and every plugin's SIMULATED operator. With them, it uses that cluster and its real"
          + " operator."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the workflow succeeded",
      "1:the workflow failed",
      "2:bad usage",
      "130:aborted (Ctrl-C)"
    })
public final class RunnerMain implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--workflow", description = "Name of the workflow to run (its class name).")
  String workflow;

  @Option(
      names = "--launch-plan",
      description = "Run a launch plan's workflow with the launch plan's fixed and default inputs.")
  String launchPlan;

  @Option(
      names = "--input",
      paramLabel = "NAME=VALUE",
      description = "A workflow input, typed by the workflow's interface (repeatable).")
  Map<String, String> inputs = new LinkedHashMap<>();

  @Option(
      names = "--kubeconfig",
      description = "Kubeconfig of a real cluster with the plugins' operators (default: embedded).")
  Path kubeconfig;

  @Option(names = "--context", description = "Kubeconfig context of a real cluster.")
  String context;

  @Option(
      names = "--namespace",
      defaultValue = "flytesnacks-development",
      description = "Namespace of the tasks' resources (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(
      names = "--storage",
      description =
          "Where inputs and outputs go. Default: a temporary file:// directory (embedded only);"
              + " on a cluster a bucket both sides reach, e.g. s3://bucket/runs.")
  String storage;

  @Option(
      names = "--image",
      defaultValue = "${env:FLYTE_INTERNAL_IMAGE}",
      description =
          "Task image (user jars + jflyte) the plugin tasks run in; required on a cluster."
              + " Default: $FLYTE_INTERNAL_IMAGE.")
  String image;

  @Option(
      names = "--user-code",
      description =
          "Directory of jars with the workflows and tasks (and flytekit-java), loaded child-first"
              + " as jflyte does. Default: this program's class path.")
  Path userCode;

  @Option(
      names = "--poll-interval",
      defaultValue = "PT0.1S",
      description = "How often a plugin task's status is read (default: ${DEFAULT-VALUE}).")
  Duration pollInterval;

  public static void main(String... args) {
    System.exit(run(args));
  }

  /** Runs the command without exiting the JVM. */
  public static int run(String... args) {
    return new CommandLine(new RunnerMain())
        .setExecutionExceptionHandler(
            (e, cmd, parsed) -> {
              cmd.getErr().println("error: " + e.getMessage());
              return 2;
            })
        .execute(args);
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    if ((workflow == null) == (launchPlan == null)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "give exactly one of --workflow NAME or --launch-plan NAME");
    }
    boolean embedded = kubeconfig == null && context == null;
    String storageRoot = storage != null ? storage : defaultStorage(embedded);
    if (!embedded && storageRoot.startsWith("file:")) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--storage "
              + storageRoot
              + " is on this machine, where the cluster's driver pods cannot"
              + " write: give a bucket both reach, e.g. --storage s3://bucket/runs");
    }
    if (!embedded && (image == null || image.isBlank())) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--image is required on a cluster: the task image with your jars and jflyte (see"
              + " docs/examples.md to build it with jib)");
    }
    Clock clock = Clock.systemUTC();
    Instant start = clock.instant();
    ConsoleProgress progress = new ConsoleProgress(out, clock);
    ClassLoader code =
        userCode != null
            ? ProjectLoader.forJarDirectory(userCode)
            : Thread.currentThread().getContextClassLoader();
    // The backend starts only once the workflow and its inputs are known to be right.
    AtomicReference<EmbeddedBackend> backend = new AtomicReference<>();
    Supplier<TaskRuntime> startRuntime =
        () -> {
          if (!embedded) {
            return clusterRuntime();
          }
          out.println(
              "EMBEDDED default: in-process Kubernetes API (fabric8 mock server) + SIMULATED"
                  + " operators; their simulated workloads run each plugin task in this JVM.");
          backend.set(EmbeddedBackend.start(code));
          return backend.get().runtime();
        };
    AtomicReference<TaskRuntime> started = new AtomicReference<>();
    WorkflowRunner runner =
        WorkflowRunner.builder()
            .runtime(
                () -> {
                  started.set(startRuntime.get());
                  return started.get();
                })
            .userCode(code)
            .storageRoot(storageRoot)
            .namespace(namespace)
            .image(image == null || image.isBlank() ? "flyteplugin/example-task:embedded" : image)
            .pollInterval(pollInterval)
            .listener(progress)
            .clock(clock)
            .build();
    String workflowName = workflow != null ? workflow : runner.workflowOfLaunchPlan(launchPlan);
    Map<String, Literal> workflowInputs = new LinkedHashMap<>();
    if (launchPlan != null) {
      workflowInputs.putAll(runner.launchPlanInputs(launchPlan));
    }
    Map<String, Variable> declared = runner.workflow(workflowName).interface_().inputs();
    inputs.forEach(
        (name, value) -> {
          Variable variable = declared.get(name);
          if (variable == null) {
            throw new CommandLine.ParameterException(
                spec.commandLine(),
                "--input "
                    + name
                    + ": the workflow has no input '"
                    + name
                    + "'; its inputs: "
                    + declared.keySet());
          }
          workflowInputs.put(name, Literals.parse(name, value, variable));
        });
    runner.startBackend();
    AtomicBoolean finished = new AtomicBoolean();
    AtomicBoolean aborting = new AtomicBoolean();
    AtomicBoolean closed = new AtomicBoolean();
    Thread abortOnCtrlC =
        new Thread(
            () -> {
              if (!finished.get() && aborting.compareAndSet(false, true)) {
                out.println("Aborting: deleting the resources of running tasks...");
                int aborted = runner.abortRunning();
                out.println("Aborted " + aborted + " running task(s).");
                out.flush();
                closeOnce(closed, started.get(), backend.get());
              }
            },
            "abort-on-ctrl-c");
    Runtime.getRuntime().addShutdownHook(abortOnCtrlC);
    try {
      out.printf("Running %s with %s%n", workflowName, Literals.display(workflowInputs));
      Map<String, Literal> outputs;
      try {
        outputs = runner.run(workflowName, workflowInputs);
      } catch (RuntimeException e) {
        if (aborting.get()) {
          return 130; // Ctrl-C: the abort hook reports, deletes and closes; the JVM exits 130
        }
        out.printf(
            "Workflow FAILED after %.1fs: %s%n",
            Duration.between(start, clock.instant()).toMillis() / 1000.0, e.getMessage());
        return 1;
      }
      out.println("Outputs:");
      outputs.forEach((name, value) -> out.printf("  %s = %s%n", name, Literals.display(value)));
      out.printf(
          "Workflow succeeded in %.1fs%n",
          Duration.between(start, clock.instant()).toMillis() / 1000.0);
      return 0;
    } finally {
      finished.set(true);
      try {
        Runtime.getRuntime().removeShutdownHook(abortOnCtrlC);
      } catch (IllegalStateException shuttingDown) {
        // The JVM is exiting (Ctrl-C): the hook does the cleanup.
      }
      if (!aborting.get()) {
        closeOnce(closed, started.get(), backend.get());
      }
      out.flush();
    }
  }

  private TaskRuntime clusterRuntime() {
    if (kubeconfig != null) {
      System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, kubeconfig.toString());
    }
    KubernetesClient client =
        new KubernetesClientBuilder().withConfig(Config.autoConfigure(context)).build();
    KubernetesTaskRuntime runtime =
        KubernetesTaskRuntime.builder()
            .client(client)
            .registry(
                PluginRegistry.configured(
                    RunnerMain.class.getClassLoader(), Map.of(), System.getenv(), Map.of()))
            .config(RuntimeConfig.defaults().withDefaultNamespace(namespace))
            .build();
    runtime.start();
    return runtime;
  }

  private static String defaultStorage(boolean embedded) throws IOException {
    return embedded ? Files.createTempDirectory("flyteplugin-run").toUri().toString() : "";
  }

  private static void closeOnce(
      AtomicBoolean closed, TaskRuntime runtime, EmbeddedBackend backend) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (backend != null) {
      backend.close();
    } else if (runtime != null) {
      runtime.close();
    }
  }
}
