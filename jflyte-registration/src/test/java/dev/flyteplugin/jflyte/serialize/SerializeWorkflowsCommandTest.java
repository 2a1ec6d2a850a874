package dev.flyteplugin.jflyte.serialize;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.flyteplugin.jflyte.JflyteTestRun;
import dev.flyteplugin.jflyte.fixtures.ChildWorkflow;
import dev.flyteplugin.jflyte.fixtures.DoubleTask;
import dev.flyteplugin.jflyte.fixtures.DynamicCallerWorkflow;
import dev.flyteplugin.jflyte.fixtures.ParentWorkflow;
import dev.flyteplugin.jflyte.fixtures.QuadrupleDynamicTask;
import flyteidl.admin.LaunchPlanOuterClass;
import flyteidl.admin.TaskOuterClass;
import flyteidl.admin.WorkflowOuterClass;
import flyteidl.core.IdentifierOuterClass.Identifier;
import flyteidl.core.IdentifierOuterClass.ResourceType;
import flyteidl.core.Workflow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jflyte serialize workflows} output re-read the way {@code flytectl register files} reads
 * it: files in name order, {@code _1} TaskSpec with template id, {@code _2} WorkflowSpec, {@code
 * _3} admin.LaunchPlan, every project/domain/version a registration placeholder.
 */
class SerializeWorkflowsCommandTest {
  static final Pattern FILE = Pattern.compile("^(\\d+)_(.+)_([123])\\.pb$");

  @TempDir Path out;

  @Test
  void writesFilesFlytectlRegistersInOrderWithPlaceholders() throws Exception {
    JflyteTestRun run =
        JflyteTestRun.run(
            Map.of("FLYTE_INTERNAL_IMAGE", "ghcr.io/example/app:1"),
            "serialize",
            "workflows",
            "-f",
            out.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();

    List<String> names;
    try (Stream<Path> files = Files.list(out)) {
      names = files.map(p -> p.getFileName().toString()).sorted().toList();
    }
    // 5 tasks (one dynamic), 3 workflows, 2 declared launch plans + 3 default ones.
    assertThat(names).hasSize(13).allMatch(n -> FILE.matcher(n).matches());
    List<Integer> kinds = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      Matcher m = FILE.matcher(names.get(i));
      assertThat(m.matches()).isTrue();
      assertThat(Integer.parseInt(m.group(1))).isEqualTo(i);
      kinds.add(Integer.parseInt(m.group(3)));
      String entity = m.group(2);
      byte[] bytes = Files.readAllBytes(out.resolve(names.get(i)));
      switch (m.group(3)) {
        case "1" -> {
          TaskOuterClass.TaskSpec spec = TaskOuterClass.TaskSpec.parseFrom(bytes);
          assertNoUnknownFields(spec);
          assertPlaceholders(spec.getTemplate().getId(), ResourceType.TASK, entity);
        }
        case "2" -> {
          WorkflowOuterClass.WorkflowSpec spec = WorkflowOuterClass.WorkflowSpec.parseFrom(bytes);
          assertNoUnknownFields(spec);
          assertPlaceholders(spec.getTemplate().getId(), ResourceType.WORKFLOW, entity);
          for (Workflow.Node node : spec.getTemplate().getNodesList()) {
            if (node.hasTaskNode()) {
              assertPlaceholders(
                  node.getTaskNode().getReferenceId(),
                  ResourceType.TASK,
                  entity.equals(DynamicCallerWorkflow.class.getName())
                      ? QuadrupleDynamicTask.class.getName()
                      : DoubleTask.class.getName());
            }
          }
          if (entity.equals(ParentWorkflow.class.getName())) {
            assertPlaceholders(
                spec.getSubWorkflows(0).getId(),
                ResourceType.WORKFLOW,
                ChildWorkflow.class.getName());
          }
        }
        default -> {
          LaunchPlanOuterClass.LaunchPlan plan = LaunchPlanOuterClass.LaunchPlan.parseFrom(bytes);
          assertNoUnknownFields(plan);
          assertPlaceholders(plan.getId(), ResourceType.LAUNCH_PLAN, entity);
          assertThat(plan.getSpec().getWorkflowId().getProject())
              .isEqualTo("{{ registration.project }}");
        }
      }
    }
    assertThat(kinds).containsExactly(1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3);
    assertThat(run.out()).contains("serialized 5 tasks, 3 workflows, 5 launch plans");
    // The default launch plan of a workflow: its name, its inputs required, no fixed inputs.
    String defaultPlan =
        names.stream()
            .filter(n -> n.endsWith("_" + ChildWorkflow.class.getName() + "_3.pb"))
            .findFirst()
            .orElseThrow();
    LaunchPlanOuterClass.LaunchPlan plan =
        LaunchPlanOuterClass.LaunchPlan.parseFrom(Files.readAllBytes(out.resolve(defaultPlan)));
    assertThat(plan.getSpec().getWorkflowId().getName()).isEqualTo(ChildWorkflow.class.getName());
    assertThat(plan.getSpec().getDefaultInputs().getParametersMap().get("x").getRequired())
        .isTrue();
    assertThat(plan.getSpec().getFixedInputs().getLiteralsMap()).isEmpty();
    // The dynamic workflow task runs execute-dynamic-workflow, typed as jflyte 0.4.35 does.
    String dynamicTask =
        names.stream()
            .filter(n -> n.endsWith("_" + QuadrupleDynamicTask.class.getName() + "_1.pb"))
            .findFirst()
            .orElseThrow();
    var template =
        TaskOuterClass.TaskSpec.parseFrom(Files.readAllBytes(out.resolve(dynamicTask)))
            .getTemplate();
    assertThat(template.getType()).isEqualTo("container");
    assertThat(template.getContainer().getArgsList())
        .startsWith(
            "jflyte", "execute-dynamic-workflow", "--task", QuadrupleDynamicTask.class.getName());
    assertThat(template.getMetadata().getDiscoverable()).isFalse();
  }

  @Test
  void theSameProjectAlwaysSerializesToTheSameBytes() throws Exception {
    // Map entries (interface variables...) in key order, whatever order the SDK produced them in:
    // each file is exactly the deterministic encoding of what it holds.
    JflyteTestRun run =
        JflyteTestRun.run(
            Map.of("FLYTE_INTERNAL_IMAGE", "ghcr.io/example/app:1"),
            "serialize",
            "workflows",
            "-f",
            out.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    try (Stream<Path> files = Files.list(out)) {
      for (Path file : files.toList()) {
        byte[] bytes = Files.readAllBytes(file);
        Message message =
            switch (file.getFileName().toString().replaceAll(".*_([123])\\.pb$", "$1")) {
              case "1" -> TaskOuterClass.TaskSpec.parseFrom(bytes);
              case "2" -> WorkflowOuterClass.WorkflowSpec.parseFrom(bytes);
              default -> LaunchPlanOuterClass.LaunchPlan.parseFrom(bytes);
            };
        java.io.ByteArrayOutputStream canonical = new java.io.ByteArrayOutputStream();
        com.google.protobuf.CodedOutputStream coded =
            com.google.protobuf.CodedOutputStream.newInstance(canonical);
        coded.useDeterministicSerialization();
        message.writeTo(coded);
        coded.flush();
        assertThat(bytes)
            .as("%s is deterministically encoded", file)
            .isEqualTo(canonical.toByteArray());
      }
    }
  }

  @Test
  void failsWithAClearMessageWhenRunnableTasksHaveNoImage() {
    JflyteTestRun run = JflyteTestRun.run(Map.of(), "serialize", "workflows", "-f", out.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("no image for runnable task").contains("FLYTE_INTERNAL_IMAGE");
  }

  private static void assertPlaceholders(Identifier id, ResourceType type, String name) {
    assertThat(id.getResourceType()).isEqualTo(type);
    assertThat(id.getName()).isEqualTo(name);
    assertThat(id.getProject()).isEqualTo("{{ registration.project }}");
    assertThat(id.getDomain()).isEqualTo("{{ registration.domain }}");
    assertThat(id.getVersion()).isEqualTo("{{ registration.version }}");
  }

  private static void assertNoUnknownFields(Message message) {
    // A file parsed as the wrong message type shows up as unknown fields.
    assertThat(message.getUnknownFields().asMap()).isEmpty();
    message
        .getAllFields()
        .values()
        .forEach(
            value -> {
              if (value instanceof Message nested) {
                assertNoUnknownFields(nested);
              }
            });
  }
}
