package dev.flyteplugin.jflyte.execute;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.flyteplugin.jflyte.load.ProjectLoader;
import dev.flyteplugin.jflyte.serialize.ProtoConverter;
import flyteidl.core.Errors;
import flyteidl.core.Execution;
import flyteidl.core.Literals;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.flyte.api.v1.ContainerError;
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

  private final ClassLoader userCode;
  private final Map<String, String> env;
  private final Storage storage;

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
  }

  /** Runs the task the container args name; see the class comment for what is written. */
  public ExecuteOutcome execute(List<String> containerArgs) {
    ExecuteArgs args = ExecuteArgs.parse(containerArgs);
    // Fail before anything else when the output prefix has no storage: nowhere to report to.
    storage.fileSystem(args.outputPrefix());
    String outputsUri = Storage.child(args.outputPrefix(), OUTPUTS_PB);

    Map<String, Literal> inputs;
    RunnableTask task;
    try {
      inputs =
          ProtoConverter.fromLiteralMap(Literals.LiteralMap.parseFrom(storage.read(args.inputs())));
    } catch (IOException e) {
      return writeError(
          args,
          systemError("SYSTEM:InputsUnreadable", true, "cannot read inputs " + args.inputs(), e));
    } catch (RuntimeException e) {
      return writeError(
          args, systemError("SYSTEM:BadInputs", false, "cannot use inputs " + args.inputs(), e));
    }
    try {
      task = findTask(args.task());
    } catch (RuntimeException | LinkageError e) {
      return writeError(
          args,
          systemError("SYSTEM:TaskNotLoaded", false, "cannot load task '" + args.task() + "'", e));
    }

    Map<String, Literal> outputs;
    try {
      outputs = ProjectLoader.withContextClassLoader(userCode, () -> task.run(inputs));
    } catch (ContainerError e) {
      LOG.error("task {} failed", args.task(), e);
      return writeError(
          args,
          Errors.ContainerError.newBuilder()
              .setCode(e.getCode())
              .setMessage(String.valueOf(e.getMessage()))
              .setKind(
                  e.getKind() == ContainerError.Kind.RECOVERABLE
                      ? Errors.ContainerError.Kind.RECOVERABLE
                      : Errors.ContainerError.Kind.NON_RECOVERABLE)
              .setOrigin(Execution.ExecutionError.ErrorKind.USER)
              .build());
    } catch (Throwable e) {
      LOG.error("task {} failed", args.task(), e);
      return writeError(
          args,
          Errors.ContainerError.newBuilder()
              .setCode("USER:" + e.getClass().getSimpleName())
              .setMessage(stackTrace(e))
              .setKind(Errors.ContainerError.Kind.NON_RECOVERABLE)
              .setOrigin(Execution.ExecutionError.ErrorKind.USER)
              .build());
    }

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
    try {
      storage.write(outputsUri, bytes);
    } catch (IOException e) {
      return writeError(
          args, systemError("SYSTEM:OutputsUnwritable", true, "cannot write " + outputsUri, e));
    }
    return ExecuteOutcome.outputsWritten(outputsUri);
  }

  private RunnableTask findTask(String name) {
    Map<TaskIdentifier, RunnableTask> tasks =
        ProjectLoader.withContextClassLoader(
            userCode,
            () -> ProjectLoader.loadAll(RunnableTaskRegistrar.class, userCode, lookupEnv()));
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
