package dev.flyteplugin.jflyte.execute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flyteplugin.jflyte.JflyteTestRun;
import dev.flyteplugin.jflyte.fixtures.DoubleTask;
import flyteidl.core.Errors;
import flyteidl.core.Execution.ExecutionError.ErrorKind;
import flyteidl.core.Literals;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The container entrypoint round trip on file:// storage with real protobuf bytes. */
class TaskExecutorTest {
  @TempDir Path dir;

  private final TaskExecutor executor =
      new TaskExecutor(
          TaskExecutorTest.class.getClassLoader(),
          Map.of(
              "FLYTE_INTERNAL_TASK_PROJECT",
              "p",
              "FLYTE_INTERNAL_TASK_DOMAIN",
              "d",
              "FLYTE_INTERNAL_TASK_VERSION",
              "v"));

  @Test
  void successWritesOutputsPbAndNoErrorPb() throws Exception {
    ExecuteOutcome outcome = executor.execute(args(DoubleTask.class.getName(), inputs(21)));

    assertThat(outcome.succeeded()).isTrue();
    Literals.LiteralMap outputs =
        Literals.LiteralMap.parseFrom(Files.readAllBytes(dir.resolve("out/outputs.pb")));
    assertThat(outputs.getLiteralsOrThrow("y").getScalar().getPrimitive().getInteger())
        .isEqualTo(42);
    assertThat(dir.resolve("out/error.pb")).doesNotExist();
    assertThat(outcome.documentUri()).isEqualTo(dir.resolve("out").toUri() + "outputs.pb");
  }

  @Test
  void anExceptionFromTheTaskIsANonRecoverableUserError() throws Exception {
    ExecuteOutcome outcome = executor.execute(args(DoubleTask.class.getName(), inputs(13)));

    Errors.ContainerError error = readError();
    assertThat(outcome.error()).contains(error);
    assertThat(error.getOrigin()).isEqualTo(ErrorKind.USER);
    assertThat(error.getKind()).isEqualTo(Errors.ContainerError.Kind.NON_RECOVERABLE);
    assertThat(error.getCode()).isEqualTo("USER:IllegalStateException");
    assertThat(error.getMessage()).contains("unlucky number 13");
    assertThat(dir.resolve("out/outputs.pb")).doesNotExist();
  }

  @Test
  void aContainerErrorKeepsItsCodeAndRecoverableKind() throws Exception {
    ExecuteOutcome outcome = executor.execute(args(DoubleTask.class.getName(), inputs(-1)));

    Errors.ContainerError error = readError();
    assertThat(outcome.recoverable()).isTrue();
    assertThat(error.getOrigin()).isEqualTo(ErrorKind.USER);
    assertThat(error.getCode()).isEqualTo("USER:NegativeInput");
    assertThat(error.getMessage()).isEqualTo("x must be >= 0, got -1");
  }

  @Test
  void aContainerErrorWithASystemCodeHasTheSystemOrigin() throws Exception {
    // flytekit's convention: the code's prefix says whose fault it is (USER: / SYSTEM:).
    ExecuteOutcome outcome = executor.execute(args(DoubleTask.class.getName(), inputs(1007)));

    Errors.ContainerError error = readError();
    assertThat(outcome.recoverable()).isTrue();
    assertThat(error.getOrigin()).isEqualTo(ErrorKind.SYSTEM);
    assertThat(error.getCode()).isEqualTo("SYSTEM:ExecutorsLost");
  }

  @Test
  void aVirtualMachineErrorIsARecoverableSystemError() throws Exception {
    // An OutOfMemoryError is the machine's limit, not the task's logic: a retry may get more.
    ExecuteOutcome outcome = executor.execute(args(DoubleTask.class.getName(), inputs(1008)));

    Errors.ContainerError error = readError();
    assertThat(outcome.recoverable()).isTrue();
    assertThat(error.getOrigin()).isEqualTo(ErrorKind.SYSTEM);
    assertThat(error.getCode()).isEqualTo("SYSTEM:OutOfMemoryError");
    assertThat(error.getMessage()).contains("Java heap space");
  }

  @Test
  void anUnknownTaskIsANonRecoverableSystemErrorNamingTheTask() throws Exception {
    ExecuteOutcome outcome = executor.execute(args("com.example.Missing", inputs(1)));

    Errors.ContainerError error = readError();
    assertThat(outcome.errorOrigin()).contains(ErrorKind.SYSTEM);
    assertThat(error.getKind()).isEqualTo(Errors.ContainerError.Kind.NON_RECOVERABLE);
    assertThat(error.getMessage())
        .contains("com.example.Missing")
        .contains(DoubleTask.class.getName());
  }

  @Test
  void unreadableInputsAreARecoverableSystemError() throws Exception {
    ExecuteOutcome outcome =
        executor.execute(
            args(DoubleTask.class.getName(), dir.resolve("absent.pb").toUri().toString()));

    Errors.ContainerError error = readError();
    assertThat(outcome.succeeded()).isFalse();
    assertThat(error.getOrigin()).isEqualTo(ErrorKind.SYSTEM);
    assertThat(error.getKind()).isEqualTo(Errors.ContainerError.Kind.RECOVERABLE);
    assertThat(error.getCode()).isEqualTo("SYSTEM:InputsUnreadable");
  }

  @Test
  void corruptInputsAreANonRecoverableSystemErrorSoNoRetryIsBurnt() throws Exception {
    Path corrupt = dir.resolve("corrupt.pb");
    // A field 1 (map entry) with a length running past the end: never a LiteralMap.
    Files.write(corrupt, new byte[] {0x0a, 0x7f, 0x01, 0x02, 0x03});
    ExecuteOutcome outcome =
        executor.execute(args(DoubleTask.class.getName(), corrupt.toUri().toString()));

    Errors.ContainerError error = readError();
    assertThat(outcome.recoverable()).isFalse();
    assertThat(error.getOrigin()).isEqualTo(ErrorKind.SYSTEM);
    assertThat(error.getKind()).isEqualTo(Errors.ContainerError.Kind.NON_RECOVERABLE);
    assertThat(error.getCode()).isEqualTo("SYSTEM:CorruptInputs");
    assertThat(error.getMessage())
        .contains("corrupt.pb")
        .contains("5 bytes")
        .contains("LiteralMap");
    assertThat(dir.resolve("out/outputs.pb")).doesNotExist();
  }

  @Test
  void outputsOverTheLimitAreAUserErrorNamingTheSize() throws Exception {
    TaskExecutor small =
        new TaskExecutor(
            TaskExecutorTest.class.getClassLoader(),
            Map.of(
                "FLYTE_INTERNAL_TASK_PROJECT",
                "p",
                "FLYTE_INTERNAL_TASK_DOMAIN",
                "d",
                "FLYTE_INTERNAL_TASK_VERSION",
                "v",
                TaskExecutor.MAX_OUTPUT_BYTES_ENV,
                "4"));
    ExecuteOutcome outcome = small.execute(args(DoubleTask.class.getName(), inputs(21)));

    Errors.ContainerError error = readError();
    assertThat(error.getOrigin()).isEqualTo(ErrorKind.USER);
    assertThat(error.getKind()).isEqualTo(Errors.ContainerError.Kind.NON_RECOVERABLE);
    assertThat(error.getCode()).isEqualTo("USER:OutputsTooLarge");
    assertThat(error.getMessage())
        .contains(DoubleTask.class.getName())
        .containsPattern("are \\d+ bytes, more than the limit of 4 bytes")
        .contains(TaskExecutor.MAX_OUTPUT_BYTES_ENV);
    assertThat(outcome.succeeded()).isFalse();
    assertThat(dir.resolve("out/outputs.pb")).doesNotExist();
    // Under the default limit the same task succeeds.
    assertThat(executor.execute(args(DoubleTask.class.getName(), inputs(21))).succeeded()).isTrue();
  }

  @Test
  void argsWithoutTheLeadingJflyteAreAccepted() throws Exception {
    List<String> args = args(DoubleTask.class.getName(), inputs(2));
    assertThat(executor.execute(args.subList(1, args.size())).succeeded()).isTrue();
  }

  @Test
  void malformedArgsAndUnknownStorageAreRejectedBeforeRunning() throws Exception {
    String inputs = inputs(2);
    assertThatThrownBy(() -> executor.execute(List.of("jflyte", "run", "--task", "x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[jflyte] execute");
    assertThatThrownBy(
            () -> executor.execute(List.of("execute", "--task", "x", "--inputs", inputs)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--outputPrefix");
    assertThatThrownBy(
            () ->
                executor.execute(
                    List.of(
                        "execute",
                        "--task",
                        "x",
                        "--inputs",
                        inputs,
                        "--outputPrefix",
                        "abfs://bucket/out",
                        "--taskTemplatePath",
                        "abfs://bucket/tt.pb")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no storage for 'abfs://bucket/out'");
  }

  @Test
  void theExecuteCommandWritesTheErrorDocumentAndExitsZeroLikeJflyte() throws Exception {
    List<String> args = args(DoubleTask.class.getName(), inputs(13));
    JflyteTestRun run =
        JflyteTestRun.run(Map.of(), args.subList(1, args.size()).toArray(String[]::new));

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("task failed, wrote").contains("error.pb");
    assertThat(readError().getMessage()).contains("unlucky");
  }

  private String inputs(long x) throws Exception {
    Path file = dir.resolve("inputs.pb");
    Literals.LiteralMap.newBuilder()
        .putLiterals(
            "x",
            Literals.Literal.newBuilder()
                .setScalar(
                    Literals.Scalar.newBuilder()
                        .setPrimitive(Literals.Primitive.newBuilder().setInteger(x)))
                .build())
        .build()
        .writeTo(Files.newOutputStream(file));
    return file.toUri().toString();
  }

  private List<String> args(String task, String inputs) {
    return List.of(
        "jflyte",
        "execute",
        "--task",
        task,
        "--inputs",
        inputs,
        "--outputPrefix",
        dir.resolve("out").toUri().toString(),
        "--taskTemplatePath",
        dir.resolve("tt.pb").toUri().toString());
  }

  private Errors.ContainerError readError() throws Exception {
    return Errors.ErrorDocument.parseFrom(Files.readAllBytes(dir.resolve("out/error.pb")))
        .getError();
  }
}
