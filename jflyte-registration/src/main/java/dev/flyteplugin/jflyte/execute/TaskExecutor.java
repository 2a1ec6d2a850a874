package dev.flyteplugin.jflyte.execute;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.flyteplugin.jflyte.load.ProjectLoader;
import dev.flyteplugin.jflyte.serialize.IdentifierDefaults;
import dev.flyteplugin.jflyte.serialize.LatestVersions;
import dev.flyteplugin.jflyte.serialize.ProtoConverter;
import dev.flyteplugin.jflyte.serialize.RegistrationClosure;
import dev.flyteplugin.jflyte.stage.Artifact;
import dev.flyteplugin.jflyte.stage.ArtifactCache;
import dev.flyteplugin.jflyte.stage.JflyteCustom;
import flyteidl.core.Errors;
import flyteidl.core.Execution;
import flyteidl.core.Literals;
import flyteidl.core.Tasks;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flyte.api.v1.ContainerError;
import org.flyte.api.v1.DynamicJobSpec;
import org.flyte.api.v1.DynamicWorkflowTask;
import org.flyte.api.v1.DynamicWorkflowTaskRegistrar;
import org.flyte.api.v1.Literal;
import org.flyte.api.v1.RunnableTask;
import org.flyte.api.v1.RunnableTaskRegistrar;
import org.flyte.api.v1.TaskIdentifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task container entrypoint as a library: runs a runnable task the way {@code jflyte execute}
 * does, reading {@code --inputs} and writing {@code <outputPrefix>/outputs.pb} or {@code
 * <outputPrefix>/error.pb}.
 *
 * <p>Failures of the task become {@code error.pb} and never escape {@link #execute}: an exception
 * from the task's code is a USER error ({@link ContainerError} keeps its code and kind, anything
 * else is non-recoverable); a failure to read the inputs, find the task or convert literals is a
 * SYSTEM error (recoverable only for storage I/O). {@code execute} throws only when the args are
 * malformed or nothing can be written to the output prefix.
 */
public final class TaskExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(TaskExecutor.class);

  static final String OUTPUTS_PB = "outputs.pb";
  static final String ERROR_PB = "error.pb";
  static final String FUTURES_PB = "futures.pb";

  private final ClassLoader userCode;
  private final Map<String, String> env;
  private final Storage storage;
  private final ArtifactCache artifactCache;
  private final long maxOutputBytes;

  /**
   * Environment variable: the largest {@code outputs.pb} written, in bytes (default {@value
   * #DEFAULT_MAX_OUTPUT_BYTES}, propeller's default {@code storage.limits.maxDownloadMBs} of 10).
   */
  public static final String MAX_OUTPUT_BYTES_ENV = "JFLYTE_MAX_OUTPUT_BYTES";

  public static final long DEFAULT_MAX_OUTPUT_BYTES = 10L << 20;

  /**
   * @param userCode class loader that sees the user's tasks and flytekit-java (its registrars)
   * @param env the container environment ({@code FLYTE_INTERNAL_*}, storage settings...)
   */
  public TaskExecutor(ClassLoader userCode, Map<String, String> env) {
    this(userCode, env, Storage.load(userCode, env));
  }

  public TaskExecutor(ClassLoader userCode, Map<String, String> env, Storage storage) {
    this.userCode = userCode;
    this.env = Map.copyOf(env);
    this.storage = storage;
    this.artifactCache = ArtifactCache.fromEnv(env, storage);
    this.maxOutputBytes = maxOutputBytes(env);
  }

  private static long maxOutputBytes(Map<String, String> env) {
    String value = env.get(MAX_OUTPUT_BYTES_ENV);
    if (value == null || value.isBlank()) {
      return DEFAULT_MAX_OUTPUT_BYTES;
    }
    try {
      long bytes = Long.parseLong(value.trim());
      if (bytes > 0) {
        return bytes;
      }
    } catch (NumberFormatException e) {
      // fall through to the error naming the variable
    }
    throw new IllegalArgumentException(
        MAX_OUTPUT_BYTES_ENV + " must be a positive number of bytes, got '" + value + "'");
  }

  /** Runs the task the container args name; see the class comment for what is written. */
  public ExecuteOutcome execute(List<String> containerArgs) {
    ExecuteArgs args = ExecuteArgs.parse(containerArgs);
    // Fail before anything else when the output prefix has no storage: nowhere to report to.
    storage.fileSystem(args.outputPrefix());
    String outputsUri = Storage.child(args.outputPrefix(), OUTPUTS_PB);

    // Staged jars (flytekit-java 0.4.35 Execute -> PackageLoader.load(taskTemplate)): the task
    // template's custom lists them; without that list the task comes from the image.
    Tasks.TaskTemplate template;
    ClassLoader code;
    try {
      template = readTemplate(args.taskTemplatePath());
      Optional<List<Artifact>> staged =
          template == null ? Optional.empty() : JflyteCustom.fromCustom(template.getCustom());
      code = staged.isPresent() ? artifactCache.classLoader(staged.get()) : userCode;
    } catch (IOException | java.io.UncheckedIOException e) {
      return writeError(
          args,
          systemError(
              "SYSTEM:ArtifactsUnavailable",
              true,
              "cannot read the task template or its staged jars " + args.taskTemplatePath(),
              e));
    } catch (RuntimeException e) {
      return writeError(
          args,
          systemError("SYSTEM:BadTaskTemplate", false, "cannot use " + args.taskTemplatePath(), e));
    }

    byte[] inputBytes;
    try {
      inputBytes = storage.read(args.inputs());
    } catch (IOException e) {
      // Storage I/O: another attempt may read it.
      return writeError(
          args,
          systemError("SYSTEM:InputsUnreadable", true, "cannot read inputs " + args.inputs(), e));
    }
    Map<String, Literal> inputs;
    try {
      inputs = ProtoConverter.fromLiteralMap(Literals.LiteralMap.parseFrom(inputBytes));
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      // The same bytes fail every attempt: retrying would only burn the task's retries.
      return writeError(
          args,
          systemError(
              "SYSTEM:CorruptInputs",
              false,
              "inputs "
                  + args.inputs()
                  + " ("
                  + inputBytes.length
                  + " bytes) are not a flyteidl.core.LiteralMap",
              e));
    } catch (RuntimeException e) {
      return writeError(
          args, systemError("SYSTEM:BadInputs", false, "cannot use inputs " + args.inputs(), e));
    }
    if (args.dynamic()) {
      return executeDynamic(args, code, template, inputs);
    }
    RunnableTask task;
    try {
      task = findTask(code, args.task());
    } catch (RuntimeException | LinkageError e) {
      return writeError(
          args,
          systemError("SYSTEM:TaskNotLoaded", false, "cannot load task '" + args.task() + "'", e));
    }

    Map<String, Literal> outputs;
    try {
      outputs = ProjectLoader.withContextClassLoader(code, () -> task.run(inputs));
    } catch (Throwable e) {
      return writeError(args, userError(args.task(), e));
    }
    return writeOutputs(args, outputsUri, outputs);
  }

  private ExecuteOutcome writeOutputs(
      ExecuteArgs args, String outputsUri, Map<String, Literal> outputs) {
    byte[] bytes;
    try {
      bytes = ProtoConverter.literalMap(outputs).toByteArray();
    } catch (RuntimeException e) {
      return writeError(
          args,
          systemError(
              "SYSTEM:BadOutputs",
              false,
              "cannot convert outputs of task '" + args.task() + "'",
              e));
    }
    if (bytes.length > maxOutputBytes) {
      return writeError(
          args,
          Errors.ContainerError.newBuilder()
              .setCode("USER:OutputsTooLarge")
              .setMessage(
                  "the outputs of task '"
                      + args.task()
                      + "' are "
                      + bytes.length
                      + " bytes, more than the limit of "
                      + maxOutputBytes
                      + " bytes ("
                      + MAX_OUTPUT_BYTES_ENV
                      + "; propeller reads outputs.pb whole, see its storage.limits.maxDownloadMBs):"
                      + " return large data as a blob or file literal instead")
              .setKind(Errors.ContainerError.Kind.NON_RECOVERABLE)
              .setOrigin(Execution.ExecutionError.ErrorKind.USER)
              .build());
    }
    try {
      storage.write(outputsUri, bytes);
    } catch (IOException e) {
      return writeError(
          args, systemError("SYSTEM:OutputsUnwritable", true, "cannot write " + outputsUri, e));
    }
    return ExecuteOutcome.outputsWritten(outputsUri);
  }

  /**
   * {@code execute-dynamic-workflow}: runs the dynamic workflow task and writes {@code
   * <outputPrefix>/futures.pb} (flyteidl core.DynamicJobSpec), or {@code outputs.pb} when it
   * produced no nodes (flytekit-java 0.4.35 ExecuteDynamicWorkflow.execute).
   */
  private ExecuteOutcome executeDynamic(
      ExecuteArgs args,
      ClassLoader code,
      Tasks.TaskTemplate template,
      Map<String, Literal> inputs) {
    Map<String, String> registrarEnv = ProjectLoader.registrarEnv(env);
    DynamicWorkflowTask task;
    try {
      task =
          ProjectLoader.withContextClassLoader(
                  code,
                  () ->
                      ProjectLoader.loadAll(DynamicWorkflowTaskRegistrar.class, code, lookupEnv()))
              .entrySet()
              .stream()
              .filter(entry -> entry.getKey().name().equals(args.task()))
              .map(Map.Entry::getValue)
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "no dynamic workflow task named '" + args.task() + "' in this image"));
    } catch (RuntimeException | LinkageError e) {
      return writeError(
          args,
          systemError(
              "SYSTEM:TaskNotLoaded",
              false,
              "cannot load dynamic workflow task '" + args.task() + "'",
              e));
    }
    DynamicJobSpec spec;
    try {
      spec = ProjectLoader.withContextClassLoader(code, () -> task.run(inputs));
    } catch (Throwable e) {
      return writeError(args, userError(args.task(), e));
    }
    if (spec.nodes().isEmpty()) {
      Map<String, Literal> outputs;
      try {
        outputs = DynamicJobs.outputsWithoutNodes(spec.outputs());
      } catch (RuntimeException e) {
        return writeError(
            args,
            systemError("SYSTEM:BadOutputs", false, "cannot bind outputs of " + args.task(), e));
      }
      return writeOutputs(args, Storage.child(args.outputPrefix(), OUTPUTS_PB), outputs);
    }
    byte[] futures;
    RemoteAdmin admin = null;
    try {
      IdentifierDefaults ids =
          new IdentifierDefaults(
              registrarEnv.get("FLYTE_INTERNAL_PROJECT"),
              registrarEnv.get("FLYTE_INTERNAL_DOMAIN"),
              registrarEnv.get("FLYTE_INTERNAL_VERSION"));
      String image = env.get("FLYTE_INTERNAL_IMAGE");
      if ((image == null || image.isBlank()) && template != null && template.hasContainer()) {
        image = template.getContainer().getImage();
      }
      // With FLYTE_PLATFORM_URL, remote references are resolved at FlyteAdmin as at register
      // (versionless ones to the latest version, templates of remote tasks fetched), as
      // ExecuteDynamicWorkflow.rewrite does with its FlyteAdminClient.
      admin = RemoteAdmin.fromEnv(env);
      ProtoConverter converter =
          new ProtoConverter(ids, admin == null ? LatestVersions.NONE : admin.latestVersions());
      RegistrationClosure project = RegistrationClosure.load(code, env, ids, image);
      if (template != null && template.getCustom().containsFields(JflyteCustom.FIELD)) {
        // The tasks it starts use the same staged jars (ExecuteDynamicWorkflow does the same).
        project =
            project.withCustom(
                com.google.protobuf.Struct.newBuilder()
                    .putFields(
                        JflyteCustom.FIELD,
                        template.getCustom().getFieldsOrThrow(JflyteCustom.FIELD))
                    .build());
      }
      RegistrationClosure closure = project;
      RemoteAdmin remote = admin;
      java.util.function.Function<flyteidl.core.IdentifierOuterClass.Identifier, Tasks.TaskTemplate>
          remoteTasks = remote == null ? null : remote::taskTemplate;
      futures =
          ProjectLoader.withContextClassLoader(
                  code, () -> DynamicJobs.toProto(spec, converter, closure, remoteTasks))
              .toByteArray();
    } catch (RemoteAdmin.Unavailable e) {
      return writeError(
          args,
          systemError(
              "SYSTEM:AdminUnavailable",
              true,
              "cannot reach FlyteAdmin for the dynamic workflow of '" + args.task() + "'",
              e));
    } catch (RuntimeException | LinkageError e) {
      return writeError(
          args,
          systemError(
              "SYSTEM:BadDynamicWorkflow",
              false,
              "cannot build the dynamic workflow of '" + args.task() + "'",
              e));
    } finally {
      if (admin != null) {
        admin.close();
      }
    }
    String futuresUri = Storage.child(args.outputPrefix(), FUTURES_PB);
    try {
      storage.write(futuresUri, futures);
    } catch (IOException e) {
      return writeError(
          args, systemError("SYSTEM:OutputsUnwritable", true, "cannot write " + futuresUri, e));
    }
    return ExecuteOutcome.outputsWritten(futuresUri);
  }

  /** The task template at {@code uri}, or null when there is none (local runs, tests). */
  private Tasks.TaskTemplate readTemplate(String uri) throws IOException {
    boolean present;
    try {
      present = storage.exists(uri);
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      // A storage client failure (jflyte-aws throws unchecked ones): transient, so recoverable.
      throw new IOException("cannot check " + uri + ": " + e.getMessage(), e);
    }
    if (!present) {
      LOG.info("no task template at {}: the task is loaded from the image", uri);
      return null;
    }
    return Tasks.TaskTemplate.parseFrom(storage.read(uri));
  }

  private static Errors.ContainerError userError(String taskName, Throwable e) {
    LOG.error("task {} failed", taskName, e);
    if (e instanceof ContainerError error) {
      // flytekit's convention: the code's prefix says whose fault it is (USER: / SYSTEM:).
      return Errors.ContainerError.newBuilder()
          .setCode(error.getCode())
          .setMessage(String.valueOf(error.getMessage()))
          .setKind(
              error.getKind() == ContainerError.Kind.RECOVERABLE
                  ? Errors.ContainerError.Kind.RECOVERABLE
                  : Errors.ContainerError.Kind.NON_RECOVERABLE)
          .setOrigin(
              String.valueOf(error.getCode()).startsWith("SYSTEM:")
                  ? Execution.ExecutionError.ErrorKind.SYSTEM
                  : Execution.ExecutionError.ErrorKind.USER)
          .build();
    }
    if (e instanceof VirtualMachineError) {
      // Out of memory (or stack, or a broken JVM): the machine's limit, not the task's logic; a
      // retry may get a bigger or healthier one.
      return Errors.ContainerError.newBuilder()
          .setCode("SYSTEM:" + e.getClass().getSimpleName())
          .setMessage(stackTrace(e))
          .setKind(Errors.ContainerError.Kind.RECOVERABLE)
          .setOrigin(Execution.ExecutionError.ErrorKind.SYSTEM)
          .build();
    }
    return Errors.ContainerError.newBuilder()
        .setCode("USER:" + e.getClass().getSimpleName())
        .setMessage(stackTrace(e))
        .setKind(Errors.ContainerError.Kind.NON_RECOVERABLE)
        .setOrigin(Execution.ExecutionError.ErrorKind.USER)
        .build();
  }

  private RunnableTask findTask(ClassLoader code, String name) {
    Map<TaskIdentifier, RunnableTask> tasks =
        ProjectLoader.withContextClassLoader(
            code, () -> ProjectLoader.loadAll(RunnableTaskRegistrar.class, code, lookupEnv()));
    return tasks.entrySet().stream()
        .filter(entry -> entry.getKey().name().equals(name))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no runnable task named '"
                        + name
                        + "' in this image (found "
                        + tasks.keySet().stream().map(TaskIdentifier::name).sorted().toList()
                        + "); is the image built from the same version as the registration?"));
  }

  /**
   * The registrars' environment. The task is looked up by name only, so a missing project, domain
   * or version (an embedding caller, an old backend) must not stop it: flytekit-java 0.4.35's
   * registrars reject null ones.
   */
  private Map<String, String> lookupEnv() {
    Map<String, String> lookup = new java.util.HashMap<>(ProjectLoader.registrarEnv(env));
    ProjectLoader.IDENTITY_ENV_KEYS.forEach(key -> lookup.putIfAbsent(key, "unset"));
    return lookup;
  }

  private static Errors.ContainerError systemError(
      String code, boolean recoverable, String what, Throwable e) {
    LOG.error("{}", what, e);
    return Errors.ContainerError.newBuilder()
        .setCode(code)
        .setMessage(what + ": " + stackTrace(e))
        .setKind(
            recoverable
                ? Errors.ContainerError.Kind.RECOVERABLE
                : Errors.ContainerError.Kind.NON_RECOVERABLE)
        .setOrigin(Execution.ExecutionError.ErrorKind.SYSTEM)
        .build();
  }

  private ExecuteOutcome writeError(ExecuteArgs args, Errors.ContainerError error) {
    String uri = Storage.child(args.outputPrefix(), ERROR_PB);
    try {
      storage.write(uri, Errors.ErrorDocument.newBuilder().setError(error).build().toByteArray());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(
          "cannot write " + uri + " to report: " + error.getMessage(), e);
    }
    return ExecuteOutcome.errorWritten(uri, error);
  }

  private static String stackTrace(Throwable e) {
    StringWriter out = new StringWriter();
    e.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  /** Parses a LiteralMap; exposed for callers that read {@code outputs.pb} back. */
  public static Map<String, Literal> readLiteralMap(byte[] bytes)
      throws InvalidProtocolBufferException {
    return ProtoConverter.fromLiteralMap(Literals.LiteralMap.parseFrom(bytes));
  }
}
