package dev.flyteplugin.jflyte.serialize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flyteplugin.jflyte.fixtures.ChildWorkflow;
import dev.flyteplugin.jflyte.fixtures.CountWordsSparkTask;
import dev.flyteplugin.jflyte.fixtures.DoubleTask;
import dev.flyteplugin.jflyte.fixtures.EchoContainerTask;
import dev.flyteplugin.jflyte.fixtures.ParentWorkflow;
import dev.flyteplugin.jflyte.fixtures.QueryPluginTask;
import dev.flyteplugin.proto.example.ExamplePlugin;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;
import flyteidl.admin.LaunchPlanOuterClass;
import flyteidl.admin.WorkflowOuterClass;
import flyteidl.core.IdentifierOuterClass.ResourceType;
import flyteidl.core.Tasks;
import flyteidl.core.Workflow;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The protobufs produced for the fixture project, compared with reviewed golden files, plus the
 * properties the goldens exist to protect, asserted directly.
 */
class GoldenProtosTest {
  static final IdentifierDefaults DEFAULTS =
      new IdentifierDefaults("flytesnacks", "development", "v1");
  static final String IMAGE = "ghcr.io/example/jflyte-app:v1";

  static RegistrationClosure closure;

  @BeforeAll
  static void load() {
    closure =
        RegistrationClosure.load(
            GoldenProtosTest.class.getClassLoader(), Map.of(), DEFAULTS, IMAGE);
  }

  @Test
  void runnableTaskRunsJflyteExecuteInTheImageWithResourcesAndMetadata() throws Exception {
    Tasks.TaskTemplate task = closure.tasks().get(DoubleTask.class.getName());
    Golden.assertMatches("runnable_task", task);

    assertThat(task.getType()).isEqualTo("java-task");
    assertThat(task.getContainer().getImage()).isEqualTo(IMAGE);
    assertThat(task.getContainer().getArgsList())
        .containsExactly(
            "jflyte",
            "execute",
            "--task",
            DoubleTask.class.getName(),
            "--inputs",
            "{{.input}}",
            "--outputPrefix",
            "{{.outputPrefix}}",
            "--taskTemplatePath",
            "{{.taskTemplatePath}}");
    assertThat(task.getContainer().getEnvList())
        .extracting(e -> e.getKey() + "=" + e.getValue())
        .containsExactly("JAVA_TOOL_OPTIONS=-Xmx1g -XX:+UseSerialGC");
    assertThat(task.getMetadata().getRetries().getRetries()).isEqualTo(2);
    assertThat(task.getMetadata().getDiscoverable()).isTrue();
    assertThat(task.getMetadata().getDiscoveryVersion()).isEqualTo("1");
    assertThat(task.getId().getResourceType()).isEqualTo(ResourceType.TASK);
    assertThat(task.getId().getProject()).isEqualTo("flytesnacks");
  }

  @Test
  void dynamicWorkflowTaskIsAContainerTaskRunningExecuteDynamicWorkflow() throws Exception {
    Tasks.TaskTemplate task =
        closure.tasks().get(dev.flyteplugin.jflyte.fixtures.QuadrupleDynamicTask.class.getName());
    Golden.assertMatches("dynamic_task", task);

    assertThat(task.getType()).isEqualTo("container");
    assertThat(task.getContainer().getArgsList())
        .containsExactly(
            "jflyte",
            "execute-dynamic-workflow",
            "--task",
            dev.flyteplugin.jflyte.fixtures.QuadrupleDynamicTask.class.getName(),
            "--inputs",
            "{{.input}}",
            "--outputPrefix",
            "{{.outputPrefix}}",
            "--taskTemplatePath",
            "{{.taskTemplatePath}}");
    assertThat(task.getMetadata().getDiscoverable()).isFalse();
  }

  @Test
  void stagedJarsAreListedInTheCustomOfTasksJflyteRunsOnly() throws Exception {
    RegistrationClosure staged =
        closure.withCustom(
            dev.flyteplugin.jflyte.stage.JflyteCustom.toStruct(
                java.util.List.of(
                    new dev.flyteplugin.jflyte.stage.Artifact(
                        "app.jar", "s3://bucket/staging/app-XUFAKrxLKna5cZ2REBfFkg.jar"))));
    Tasks.TaskTemplate task = staged.tasks().get(DoubleTask.class.getName());
    Golden.assertMatches("staged_runnable_task", task);

    assertThat(task.getCustom().getFieldsMap()).containsKey("jflyte");
    // The Spark task's own custom keeps its fields next to the artifact list.
    Tasks.TaskTemplate spark = staged.tasks().get(CountWordsSparkTask.class.getName());
    assertThat(spark.getCustom().getFieldsMap())
        .containsKey("jflyte")
        .containsAllEntriesOf(
            closure.tasks().get(CountWordsSparkTask.class.getName()).getCustom().getFieldsMap());
    // A container task runs its own image and a plugin task has no container: nothing staged.
    assertThat(
            staged
                .tasks()
                .get(dev.flyteplugin.jflyte.fixtures.EchoContainerTask.class.getName())
                .getCustom()
                .getFieldsMap())
        .doesNotContainKey("jflyte");
    assertThat(
            staged
                .tasks()
                .get(dev.flyteplugin.jflyte.fixtures.QueryPluginTask.class.getName())
                .getCustom()
                .getFieldsMap())
        .doesNotContainKey("jflyte");
  }

  @Test
  void aDefaultLaunchPlanIsRegisteredForEveryWorkflow() throws Exception {
    Golden.assertMatches(
        "default_launch_plan",
        closure.launchPlans().get(dev.flyteplugin.jflyte.fixtures.ChildWorkflow.class.getName()));
  }

  @Test
  void examplePluginTaskCarriesItsSparkConfigInCustom() throws Exception {
    Tasks.TaskTemplate task = closure.tasks().get(CountWordsSparkTask.class.getName());
    Golden.assertMatches("example_plugin_task", task);

    assertThat(task.getType()).isEqualTo(ExamplePlugin.TASK_TYPE);
    SparkApplicationConfig config = ExamplePlugin.decode(task.getCustom());
    assertThat(config.getSparkVersion()).isEqualTo("3.5.1");
    assertThat(task.getContainer().getArgsList())
        .contains("execute", CountWordsSparkTask.class.getName());
  }

  @Test
  void containerTaskKeepsItsOwnImageCommandAndEnv() throws Exception {
    Tasks.TaskTemplate task = closure.tasks().get(EchoContainerTask.class.getName());
    Golden.assertMatches("container_task", task);

    assertThat(task.getType()).isEqualTo("raw-container");
    assertThat(task.getContainer().getImage()).isEqualTo("alpine:3.20");
    assertThat(task.getContainer().getCommandList()).containsExactly("echo");
  }

  @Test
  void pluginTaskHasNoContainer() throws Exception {
    Tasks.TaskTemplate task = closure.tasks().get(QueryPluginTask.class.getName());
    Golden.assertMatches("plugin_task", task);

    assertThat(task.hasContainer()).isFalse();
    assertThat(task.getCustom().getFieldsOrThrow("engine").getStringValue()).isEqualTo("sql");
  }

  @Test
  void workflowSpecIncludesItsSubWorkflowAndTheBranch() throws Exception {
    WorkflowOuterClass.WorkflowSpec spec = closure.workflows().get(ParentWorkflow.class.getName());
    Golden.assertMatches("workflow_with_subworkflow_and_branch", spec);

    assertThat(spec.getSubWorkflowsList())
        .extracting(t -> t.getId().getName())
        .containsExactly(ChildWorkflow.class.getName());
    Workflow.Node child = node(spec.getTemplate(), "child");
    assertThat(child.getWorkflowNode().getSubWorkflowRef())
        .isEqualTo(spec.getSubWorkflows(0).getId());
    Workflow.Node decide = node(spec.getTemplate(), "decide");
    assertThat(
            decide
                .getBranchNode()
                .getIfElse()
                .getCase()
                .getThenNode()
                .getTaskNode()
                .getReferenceId()
                .getName())
        .isEqualTo(DoubleTask.class.getName());
    assertThat(decide.getBranchNode().getIfElse().hasElseNode()).isTrue();
  }

  @Test
  void launchPlanHasScheduleAndDefaultInput() throws Exception {
    LaunchPlanOuterClass.LaunchPlan plan = closure.launchPlans().get("ParentWorkflowNightly");
    Golden.assertMatches("launch_plan_with_schedule", plan);

    assertThat(plan.getId().getResourceType()).isEqualTo(ResourceType.LAUNCH_PLAN);
    assertThat(plan.getSpec().getEntityMetadata().getSchedule().getCronSchedule().getSchedule())
        .isEqualTo("0 3 * * *");
    assertThat(plan.getSpec().getWorkflowId().getName()).isEqualTo(ParentWorkflow.class.getName());
    assertThat(
            plan.getSpec()
                .getDefaultInputs()
                .getParametersOrThrow("x")
                .getDefault()
                .getScalar()
                .getPrimitive()
                .getInteger())
        .isEqualTo(21);
    assertThat(
            closure
                .launchPlans()
                .get("ChildWorkflowFixed")
                .getSpec()
                .getFixedInputs()
                .getLiteralsOrThrow("x")
                .getScalar()
                .getPrimitive()
                .getInteger())
        .isEqualTo(5);
  }

  private static Workflow.Node node(Workflow.WorkflowTemplate template, String id) {
    return template.getNodesList().stream()
        .filter(n -> n.getId().equals(id))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no node " + id + " in " + template.getNodesList()));
  }
}
