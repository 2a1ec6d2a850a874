package dev.flyteplugin.jflyte;

import dev.flyteplugin.jflyte.auth.AdminAuth;
import dev.flyteplugin.jflyte.auth.FlytectlConfig;
import dev.flyteplugin.jflyte.auth.TokenSupplier;
import dev.flyteplugin.jflyte.execute.ExecuteArgs;
import dev.flyteplugin.jflyte.execute.ExecuteOutcome;
import dev.flyteplugin.jflyte.execute.LocalRun;
import dev.flyteplugin.jflyte.execute.Storage;
import dev.flyteplugin.jflyte.execute.TaskExecutor;
import dev.flyteplugin.jflyte.load.ProjectLoadException;
import dev.flyteplugin.jflyte.register.AdminChannels;
import dev.flyteplugin.jflyte.register.AdminLatestVersions;
import dev.flyteplugin.jflyte.register.AdminRegistrar;
import dev.flyteplugin.jflyte.register.RegistrationSummary;
import dev.flyteplugin.jflyte.register.RetryPolicy;
import dev.flyteplugin.jflyte.serialize.FlytectlFiles;
import dev.flyteplugin.jflyte.serialize.IdentifierDefaults;
import dev.flyteplugin.jflyte.serialize.RegistrationClosure;
import dev.flyteplugin.jflyte.stage.Artifact;
import dev.flyteplugin.jflyte.stage.ArtifactStager;
import dev.flyteplugin.jflyte.stage.JflyteCustom;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code jflyte} command line: serialize and register workflows, and the task entrypoint. */
@Command(
    name = "jflyte",
    mixinStandardHelpOptions = true,
    versionProvider = Jflyte.Version.class,
    description = "Serialize and register flytekit-java workflows; run tasks in containers.",
    subcommands = {
      Jflyte.Execute.class,
      Jflyte.ExecuteDynamicWorkflow.class,
      Jflyte.ExecuteLocal.class,
      Jflyte.Serialize.class,
      Jflyte.Register.class
    })
public final class Jflyte implements Callable<Integer> {

  /** Exit code for a failed command (bad input, failed registration...). */
  public static final int EXIT_FAILURE = 1;

  private final JflyteEnv env;
  private final PrintStream out;

  Jflyte(Map<String, String> env, PrintStream out) {
    this.env = new JflyteEnv(env);
    this.out = out;
  }

  public static void main(String... args) {
    System.exit(run(args));
  }

  /** Runs jflyte without exiting; returns the exit code. */
  public static int run(String... args) {
    return run(System.getenv(), System.out, System.err, args);
  }

  static int run(Map<String, String> env, PrintStream out, PrintStream err, String... args) {
    CommandLine commandLine = new CommandLine(new Jflyte(env, out));
    commandLine.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    commandLine.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    commandLine.setExecutionExceptionHandler(
        (e, cmd, parseResult) -> {
          // Expected failures get one clear line; anything else keeps its stack trace.
          if (e instanceof IllegalArgumentException
              || e instanceof ProjectLoadException
              || e instanceof IOException) {
            cmd.getErr().println("jflyte: error: " + e.getMessage());
          } else {
            cmd.getErr().println("jflyte: unexpected error: " + e);
            e.printStackTrace(cmd.getErr());
          }
          return EXIT_FAILURE;
        });
    return commandLine.execute(withoutLeadingJflyte(args));
  }

  /**
   * Task containers carry args {@code jflyte execute ...} (jflyte's own convention): with this
   * launcher as the image's entrypoint, the first arg repeats the program name.
   */
  static String[] withoutLeadingJflyte(String... args) {
    return args.length > 0 && args[0].equals("jflyte")
        ? java.util.Arrays.copyOfRange(args, 1, args.length)
        : args;
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(out);
    return CommandLine.ExitCode.USAGE;
  }

  private static Jflyte root(CommandSpec spec) {
    return (Jflyte) spec.root().userObject();
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Jflyte.class.getPackage().getImplementationVersion();
      return new String[] {
        "jflyte (jflyte-registration) " + (version == null ? "development" : version),
        "for flytekit-java 0.4.35, flyteidl 1.16.5"
      };
    }
  }

  /** Options shared by serialize and register. */
  static final class ProjectOptions {
    @Option(
        names = {"-cp", "--classpath"},
        description =
            "Directory with the packaged jars of your workflows (child-first). Default:"
                + " $JFLYTE_CLASSPATH, else jflyte's own class path.")
    String classpath;

    @Option(
        names = "--image",
        description =
            "Image runnable tasks run in (holds jflyte and your jars). Default:"
                + " $FLYTE_INTERNAL_IMAGE.")
    String image;

    @Option(
        names = "--staging-location",
        description =
            "Upload the jars of -cp to this URI (s3://bucket/prefix, gs://..., file://...) under"
                + " content-addressed names and list them in the task templates, so `execute`"
                + " downloads them (flytekit-java jflyte's jar staging). Default:"
                + " $FLYTE_STAGING_LOCATION; unset: the image holds the jars.")
    String stagingLocation;

    /** The closure, with the jars staged when a staging location is set (original's staging). */
    RegistrationClosure stageIfConfigured(
        JflyteEnv env, ClassLoader userCode, RegistrationClosure closure, PrintStream out) {
      String staging = env.optionOrEnv(stagingLocation, JflyteEnv.STAGING_LOCATION);
      if (staging == null || !closure.runsJflyte()) {
        return closure;
      }
      String dir = env.optionOrEnv(classpath, JflyteEnv.CLASSPATH);
      if (dir == null) {
        throw new IllegalArgumentException(
            "jar staging to "
                + staging
                + " needs the directory of your jars: give -cp/--classpath DIR (or"
                + " JFLYTE_CLASSPATH), or unset FLYTE_STAGING_LOCATION to use image packaging");
      }
      Storage storage = Storage.load(userCode, env.all());
      List<Artifact> artifacts =
          new ArtifactStager(staging, storage).stageDirectory(Path.of(dir), out);
      return closure.withCustom(JflyteCustom.toStruct(artifacts));
    }
  }

  private static int runExecute(Jflyte jflyte, String command, ExecuteArgs args) {
    ClassLoader userCode = jflyte.env.userClassLoader(null);
    ExecuteOutcome outcome =
        new TaskExecutor(userCode, jflyte.env.all())
            .execute(
                List.of(
                    command,
                    "--task",
                    args.task(),
                    "--inputs",
                    args.inputs(),
                    "--outputPrefix",
                    args.outputPrefix(),
                    "--taskTemplatePath",
                    args.taskTemplatePath()));
    // Like jflyte: exit 0 once error.pb is written; propeller reads the error document.
    jflyte.out.println(
        (outcome.succeeded() ? "wrote " : "task failed, wrote ") + outcome.documentUri());
    return CommandLine.ExitCode.OK;
  }

  @Command(
      name = "execute-dynamic-workflow",
      mixinStandardHelpOptions = true,
      description =
          "Dynamic workflow task entrypoint: run the task, write <outputPrefix>/futures.pb"
              + " (flyteidl DynamicJobSpec: nodes, the templates of their tasks, sub-workflows),"
              + " or outputs.pb when it made no nodes, or error.pb.")
  static final class ExecuteDynamicWorkflow implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ExecuteArgs args;

    @Override
    public Integer call() {
      return runExecute(root(spec), "execute-dynamic-workflow", args);
    }
  }

  @Command(
      name = "execute-local",
      mixinStandardHelpOptions = true,
      description =
          "Run a workflow in this JVM (flytekit-java's LocalEngine) and print its outputs."
              + " Inputs follow as --<name>=<value> (simple types).")
  static final class ExecuteLocal implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--workflow",
        required = true,
        description = "Workflow name (the class's fully qualified name by default).")
    String workflow;

    @Option(
        names = {"-cp", "--classpath"},
        description = "Directory with your jars. Default: $JFLYTE_CLASSPATH, else the class path.")
    String classpath;

    @CommandLine.Unmatched List<String> inputs = new java.util.ArrayList<>();

    @Override
    public Integer call() {
      Jflyte jflyte = root(spec);
      Map<String, org.flyte.api.v1.Literal> outputs =
          LocalRun.run(jflyte.env.userClassLoader(classpath), jflyte.env.all(), workflow, inputs);
      new java.util.TreeMap<>(outputs)
          .forEach((name, literal) -> jflyte.out.println(name + " = " + LocalRun.show(literal)));
      return CommandLine.ExitCode.OK;
    }
  }

  @Command(
      name = "execute",
      mixinStandardHelpOptions = true,
      description =
          "Task container entrypoint: run a runnable task, write <outputPrefix>/outputs.pb or"
              + " error.pb. User code comes from $JFLYTE_CLASSPATH (jar directory) or the class"
              + " path.")
  static final class Execute implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ExecuteArgs args;

    @Override
    public Integer call() {
      return runExecute(root(spec), "execute", args);
    }
  }

  @Command(
      name = "serialize",
      mixinStandardHelpOptions = true,
      description = "Serialize entities to files.",
      subcommands = SerializeWorkflows.class)
  static final class Serialize implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().usage(root(spec).out);
      return CommandLine.ExitCode.USAGE;
    }
  }

  @Command(
      name = "workflows",
      mixinStandardHelpOptions = true,
      description =
          "Write the tasks, workflows and launch plans as files for `flytectl register files`"
              + " (project, domain and version left as registration placeholders).")
  static final class SerializeWorkflows implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ProjectOptions project;

    @Option(
        names = {"-f", "--folder"},
        required = true,
        description = "Output directory (created if missing).")
    Path folder;

    @Option(
        names = {"-am", "--auth-mode"},
        description =
            "Accepted for flytekit-java jflyte command lines; unused: serialize does not contact"
                + " FlyteAdmin (remote references need explicit versions here).")
    String authMode;

    @Override
    public Integer call() throws IOException {
      Jflyte jflyte = root(spec);
      ClassLoader userCode = jflyte.env.userClassLoader(project.classpath);
      RegistrationClosure closure =
          project.stageIfConfigured(
              jflyte.env,
              userCode,
              RegistrationClosure.load(
                  userCode,
                  jflyte.env.all(),
                  IdentifierDefaults.FLYTECTL_PLACEHOLDERS,
                  jflyte.env.optionOrEnv(project.image, JflyteEnv.IMAGE)),
              jflyte.out);
      List<Path> files = FlytectlFiles.write(closure, folder);
      files.forEach(file -> jflyte.out.println("wrote " + file));
      jflyte.out.printf(
          "serialized %d tasks, %d workflows, %d launch plans to %s%n",
          closure.tasks().size(), closure.workflows().size(), closure.launchPlans().size(), folder);
      return CommandLine.ExitCode.OK;
    }
  }

  @Command(
      name = "register",
      mixinStandardHelpOptions = true,
      description = "Register entities with FlyteAdmin.",
      subcommands = RegisterWorkflows.class)
  static final class Register implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().usage(root(spec).out);
      return CommandLine.ExitCode.USAGE;
    }
  }

  // No standard help mixin here: flytekit-java's jflyte uses -v/--version for the entity version,
  // which clashes with picocli's standard --version (and then broke --help). Help is declared
  // alone.
  @Command(
      name = "workflows",
      description =
          "Register the tasks, workflows and launch plans with FlyteAdmin over gRPC (tasks, then"
              + " workflows and launch plans in dependency order, a default launch plan per"
              + " workflow; existing identical entities count as success).")
  static final class RegisterWorkflows implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ProjectOptions project;

    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "Show this help message and exit.")
    boolean help;

    @Option(
        names = {"-p", "--project"},
        description = "Flyte project. Default: $FLYTE_INTERNAL_PROJECT.")
    String projectName;

    @Option(
        names = {"-d", "--domain"},
        description =
            "Flyte domain (development, staging, production...). Default:"
                + " $FLYTE_INTERNAL_DOMAIN.")
    String domain;

    @Option(
        names = {"-v", "--version"},
        description = "Version of every registered entity. Default: $FLYTE_INTERNAL_VERSION.")
    String version;

    @Option(
        names = "--platform-url",
        description =
            "FlyteAdmin gRPC address (host:port, dns:///host:port, or https://host). Default:"
                + " $FLYTE_PLATFORM_URL, else admin.endpoint of the flytectl config.")
    String platformUrl;

    @Option(
        names = "--insecure",
        description =
            "Plaintext instead of TLS. Default: $FLYTE_PLATFORM_INSECURE, else admin.insecure of"
                + " the flytectl config.")
    Boolean insecure;

    @Option(
        names = "--token-file",
        description = "File holding a bearer token for FlyteAdmin. Default: $FLYTE_AUTH_TOKEN.")
    Path tokenFile;

    @Option(
        names = {"-am", "--auth-mode"},
        description =
            "Token source by method name (jflyte-api TokenSourceFactory, e.g. from"
                + " jflyte-google-cloud or a FLYTE_INTERNAL_MODULE_DIR module), as flytekit-java's"
                + " jflyte.")
    String authMode;

    @Option(
        names = "--config",
        description =
            "flytectl config file (admin.endpoint, insecure, authType ClientSecret, clientId,"
                + " clientSecretLocation/clientSecretEnvVar, tokenUrl, scopes, audience). Default:"
                + " $FLYTECTL_CONFIG, else ~/.flyte/config.yaml when it exists.")
    Path config;

    @Option(
        names = "--activate-schedules",
        description =
            "After registering, set every launch plan with a schedule ACTIVE (UpdateLaunchPlan),"
                + " which starts its schedule.")
    boolean activateSchedules;

    @Option(
        names = "--max-attempts",
        defaultValue = "5",
        description =
            "Attempts per call on UNAVAILABLE, DEADLINE_EXCEEDED or INTERNAL"
                + " (default ${DEFAULT-VALUE}).")
    int maxAttempts;

    @Override
    public Integer call() throws Exception {
      Jflyte jflyte = root(spec);
      JflyteEnv env = jflyte.env;
      IdentifierDefaults defaults =
          new IdentifierDefaults(
              env.optionOrEnv(projectName, JflyteEnv.PROJECT),
              env.optionOrEnv(domain, JflyteEnv.DOMAIN),
              env.optionOrEnv(version, JflyteEnv.VERSION));
      ClassLoader userCode = env.userClassLoader(project.classpath);
      FlytectlConfig flytectl = null;
      Optional<Path> configFile =
          config != null ? Optional.of(config) : FlytectlConfig.defaultLocation(env.all());
      if (configFile.isPresent()) {
        flytectl = FlytectlConfig.read(configFile.get());
      }
      String url = env.optionOrEnv(platformUrl, JflyteEnv.PLATFORM_URL);
      if (url == null && flytectl != null) {
        url = flytectl.endpoint();
      }
      boolean plaintext =
          insecure != null
              ? insecure
              : env.get(JflyteEnv.PLATFORM_INSECURE) != null
                  ? env.insecure()
                  : flytectl != null && flytectl.insecure();
      RetryPolicy policy =
          new RetryPolicy(
              maxAttempts,
              RetryPolicy.DEFAULT.initialBackoff(),
              RetryPolicy.DEFAULT.maxBackoff(),
              RetryPolicy.DEFAULT.callTimeout());
      TokenSupplier tokens = null;
      String header = null;
      if (tokenFile != null) {
        tokens = AdminAuth.fromFile(tokenFile);
      } else if (env.get(JflyteEnv.AUTH_TOKEN) != null) {
        String token = env.get(JflyteEnv.AUTH_TOKEN).trim();
        tokens = () -> token;
      } else if (authMode != null) {
        List<ClassLoader> loaders = new java.util.ArrayList<>();
        loaders.add(Jflyte.class.getClassLoader());
        loaders.addAll(Storage.moduleClassLoadersOf(env.all()));
        tokens = AdminAuth.fromTokenSourceFactory(authMode, loaders, env.all());
      } else if (flytectl != null) {
        header = flytectl.authorizationHeader();
        ManagedChannel discovery = AdminChannels.open(url, plaintext, (String) null);
        try {
          tokens =
              AdminAuth.fromFlytectlConfig(
                  flytectl, discovery, env::get, java.time.Clock.systemUTC());
        } finally {
          discovery.shutdownNow();
        }
      }
      ManagedChannel channel =
          AdminChannels.open(
              url, plaintext, tokens == null ? null : AdminAuth.bearer(tokens, header));
      try {
        RegistrationClosure closure =
            project.stageIfConfigured(
                env,
                userCode,
                RegistrationClosure.load(
                    userCode,
                    env.all(),
                    defaults,
                    env.optionOrEnv(project.image, JflyteEnv.IMAGE),
                    new AdminLatestVersions(channel, policy)),
                jflyte.out);
        RegistrationSummary summary =
            new AdminRegistrar(channel, policy, jflyte.out).register(closure, activateSchedules);
        return summary.succeeded() ? CommandLine.ExitCode.OK : EXIT_FAILURE;
      } finally {
        channel.shutdown();
        if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
          channel.shutdownNow();
        }
      }
    }
  }
}
