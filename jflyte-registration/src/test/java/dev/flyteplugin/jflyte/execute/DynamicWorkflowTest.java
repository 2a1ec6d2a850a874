package dev.flyteplugin.jflyte.execute;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flyteplugin.jflyte.JflyteTestRun;
import dev.flyteplugin.jflyte.fixtures.ChildWorkflow;
import dev.flyteplugin.jflyte.fixtures.DoubleTask;
import dev.flyteplugin.jflyte.fixtures.DynamicCallerWorkflow;
import dev.flyteplugin.jflyte.fixtures.ParentWorkflow;
import dev.flyteplugin.jflyte.fixtures.QuadrupleDynamicTask;
import flyteidl.core.DynamicJob;
import flyteidl.core.Errors;
import flyteidl.core.Literals;
import flyteidl.core.Tasks;
import flyteidl.core.Workflow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** execute-dynamic-workflow (futures.pb as flytekit-java's jflyte writes it) and execute-local. */
class DynamicWorkflowTest {
  static final Map<String, String> ENV =
      Map.of(
          "FLYTE_INTERNAL_TASK_PROJECT", "flytesnacks",
          "FLYTE_INTERNAL_TASK_DOMAIN", "development",
          "FLYTE_INTERNAL_TASK_VERSION", "v5",
          "FLYTE_INTERNAL_IMAGE", "ghcr.io/example/app:5");

  @TempDir Path dir;

  final TaskExecutor executor =
      new TaskExecutor(getClass().getClassLoader(), ENV, Storage.localOnly());

  @Test
  void writesTheDynamicJobSpecWithTheTemplatesOfItsTasksAndSubWorkflows() throws Exception {
    ExecuteOutcome outcome =
        executor.execute(
            args("execute-dynamic-workflow", QuadrupleDynamicTask.class.getName(), inputs(3)));

    assertThat(outcome.succeeded()).as(String.valueOf(outcome.errorMessage())).isTrue();
    assertThat(outcome.documentUri()).endsWith("/out/futures.pb");
    DynamicJob.DynamicJobSpec spec =
        DynamicJob.DynamicJobSpec.parseFrom(Files.readAllBytes(dir.resolve("out/futures.pb")));
    assertThat(spec.getNodesList())
        .extracting(Workflow.Node::getId)
        .containsExactly("double", "child");
    assertThat(spec.getMinSuccesses()).isEqualTo(2);

    Tasks.TaskTemplate task = spec.getTasks(0);
    assertThat(spec.getTasksList()).hasSize(1);
    assertThat(task.getId().getName()).isEqualTo(DoubleTask.class.getName());
    assertThat(task.getId().getProject()).isEqualTo("flytesnacks");
    assertThat(task.getId().getVersion()).isEqualTo("v5");
    assertThat(task.getContainer().getImage()).isEqualTo("ghcr.io/example/app:5");
    assertThat(spec.getNodes(0).getTaskNode().getReferenceId()).isEqualTo(task.getId());
    assertThat(spec.getNodes(0).getInputs(0).getBinding().getScalar().getPrimitive().getInteger())
        .isEqualTo(3);

    assertThat(spec.getSubworkflowsList()).hasSize(1);
    Workflow.WorkflowTemplate child = spec.getSubworkflows(0);
    assertThat(child.getId().getName()).isEqualTo(ChildWorkflow.class.getName());
    assertThat(spec.getNodes(1).getWorkflowNode().getSubWorkflowRef()).isEqualTo(child.getId());
    // The sub-workflow's own task is the same template, listed once.
    assertThat(child.getNodes(0).getTaskNode().getReferenceId()).isEqualTo(task.getId());

    assertThat(spec.getOutputsList())
        .singleElement()
        .satisfies(
            binding -> {
              assertThat(binding.getVar()).isEqualTo("y");
              assertThat(binding.getBinding().getPromise().getNodeId()).isEqualTo("child");
            });
  }

  @Test
  void theTaskTemplatesInTheSpecRunWithExecute() throws Exception {
    executor.execute(
        args("execute-dynamic-workflow", QuadrupleDynamicTask.class.getName(), inputs(3)));
    Tasks.TaskTemplate task =
        DynamicJob.DynamicJobSpec.parseFrom(Files.readAllBytes(dir.resolve("out/futures.pb")))
            .getTasks(0);

    // As propeller would: render the template's args and run them.
    Path nodeDir = dir.resolve("node");
    List<String> rendered = new ArrayList<>();
    for (String arg : task.getContainer().getArgsList()) {
      rendered.add(
          arg.replace("{{.input}}", inputs(21))
              .replace("{{.outputPrefix}}", nodeDir.toUri().toString())
              .replace("{{.taskTemplatePath}}", dir.resolve("absent.pb").toUri().toString()));
    }
    ExecuteOutcome outcome = executor.execute(rendered);

    assertThat(outcome.succeeded()).isTrue();
    assertThat(
            Literals.LiteralMap.parseFrom(Files.readAllBytes(nodeDir.resolve("outputs.pb")))
                .getLiteralsOrThrow("y")
                .getScalar()
                .getPrimitive()
                .getInteger())
        .isEqualTo(42);
  }

  @Test
  void withoutNodesTheOutputsAreWrittenDirectly() throws Exception {
    ExecuteOutcome outcome =
        executor.execute(
            args("execute-dynamic-workflow", QuadrupleDynamicTask.class.getName(), inputs(0)));

    assertThat(outcome.documentUri()).endsWith("/out/outputs.pb");
    assertThat(Files.exists(dir.resolve("out/futures.pb"))).isFalse();
    assertThat(
            Literals.LiteralMap.parseFrom(Files.readAllBytes(dir.resolve("out/outputs.pb")))
                .getLiteralsOrThrow("y")
                .getScalar()
                .getPrimitive()
                .getInteger())
        .isZero();
  }

  @Test
  void anUnknownDynamicTaskIsASystemErrorDocument() throws Exception {
    ExecuteOutcome outcome =
        executor.execute(args("execute-dynamic-workflow", "com.acme.Missing", inputs(1)));

    assertThat(outcome.succeeded()).isFalse();
    Errors.ContainerError error =
        Errors.ErrorDocument.parseFrom(Files.readAllBytes(dir.resolve("out/error.pb"))).getError();
    assertThat(error.getCode()).isEqualTo("SYSTEM:TaskNotLoaded");
    assertThat(error.getMessage()).contains("com.acme.Missing");
  }

  @Test
  void theCommandLineRunsIt() throws Exception {
    List<String> args =
        args("execute-dynamic-workflow", QuadrupleDynamicTask.class.getName(), inputs(2));
    JflyteTestRun run = JflyteTestRun.run(ENV, args.subList(1, args.size()).toArray(String[]::new));

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("futures.pb");
  }

  @Test
  void executeLocalRunsAWorkflowAndPrintsItsOutputs() {
    // child: 3 -> 6; branch: not zero -> DoubleTask(6) = 12
    JflyteTestRun run =
        JflyteTestRun.run(
            Map.of(), "execute-local", "--workflow", ParentWorkflow.class.getName(), "--x=3");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("y = 12");
  }

  @Test
  void executeLocalSaysThatFlytekitsLocalEngineCannotRunDynamicTasks() {
    // flytekit-local-engine 0.4.35 rejects dynamic workflow tasks; the message reaches the user.
    JflyteTestRun run =
        JflyteTestRun.run(
            Map.of(),
            "execute-local",
            "--workflow",
            DynamicCallerWorkflow.class.getName(),
            "--x=3");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("DynamicWorkflowTask isn't yet supported for local execution");
  }

  @Test
  void executeLocalNamesAMissingOrBadInput() {
    JflyteTestRun missing =
        JflyteTestRun.run(
            Map.of(), "execute-local", "--workflow", DynamicCallerWorkflow.class.getName());
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err()).contains("missing input --x=<integer>");

    JflyteTestRun bad =
        JflyteTestRun.run(
            Map.of(),
            "execute-local",
            "--workflow",
            DynamicCallerWorkflow.class.getName(),
            "--x",
            "three");
    assertThat(bad.exitCode()).isEqualTo(1);
    assertThat(bad.err()).contains("input 'x': 'three' is not a integer");
  }

  private String inputs(long x) throws Exception {
    Path file = Files.createTempFile(dir, "inputs", ".pb");
    Files.write(
        file,
        Literals.LiteralMap.newBuilder()
            .putLiterals(
                "x",
                Literals.Literal.newBuilder()
                    .setScalar(
                        Literals.Scalar.newBuilder()
                            .setPrimitive(Literals.Primitive.newBuilder().setInteger(x)))
                    .build())
            .build()
            .toByteArray());
    return file.toUri().toString();
  }

  private List<String> args(String command, String task, String inputs) {
    return List.of(
        "jflyte",
        command,
        "--task",
        task,
        "--inputs",
        inputs,
        "--outputPrefix",
        dir.resolve("out").toUri().toString(),
        "--taskTemplatePath",
        dir.resolve("tt.pb").toUri().toString());
  }
}
