package dev.flyteplugin.jflyte.execute;

import dev.flyteplugin.jflyte.serialize.ProtoConverter;
import dev.flyteplugin.jflyte.serialize.RegistrationClosure;
import flyteidl.core.DynamicJob;
import flyteidl.core.IdentifierOuterClass.Identifier;
import flyteidl.core.Tasks;
import flyteidl.core.Workflow;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.flyte.api.v1.Binding;
import org.flyte.api.v1.BindingData;
import org.flyte.api.v1.DynamicJobSpec;
import org.flyte.api.v1.Literal;

/**
 * Turns what a dynamic workflow task returned into the flyteidl {@code DynamicJobSpec} propeller
 * reads from {@code futures.pb}, as flytekit-java 0.4.35's ExecuteDynamicWorkflow does: the nodes,
 * the output bindings, every sub-workflow the nodes reach and the template of every task they run
 * (propeller compiles the spec on its own, it does not look tasks up).
 */
final class DynamicJobs {
  private DynamicJobs() {}

  /**
   * @param project the project's own tasks and workflows, converted with the execution's project,
   *     domain and version (so a node's partial reference matches their ids)
   */
  static DynamicJob.DynamicJobSpec toProto(
      DynamicJobSpec spec,
      ProtoConverter converter,
      RegistrationClosure project,
      java.util.function.Function<Identifier, Tasks.TaskTemplate> remoteTasks) {
    DynamicJob.DynamicJobSpec.Builder proto = DynamicJob.DynamicJobSpec.newBuilder();
    spec.nodes().forEach(node -> proto.addNodes(converter.node(node)));
    spec.outputs().forEach(binding -> proto.addOutputs(ProtoConverter.binding(binding)));
    proto.setMinSuccesses(spec.nodes().size());

    Map<Identifier, Workflow.WorkflowTemplate> projectWorkflows = new HashMap<>();
    project
        .workflows()
        .values()
        .forEach(
            workflowSpec -> {
              projectWorkflows.put(workflowSpec.getTemplate().getId(), workflowSpec.getTemplate());
              workflowSpec
                  .getSubWorkflowsList()
                  .forEach(sub -> projectWorkflows.put(sub.getId(), sub));
            });
    spec.subWorkflows()
        .forEach(
            (id, template) -> {
              Workflow.WorkflowTemplate converted = converter.workflowTemplate(id, template);
              projectWorkflows.put(converted.getId(), converted);
            });
    Map<Identifier, Tasks.TaskTemplate> projectTasks = new HashMap<>();
    project.tasks().values().forEach(task -> projectTasks.put(task.getId(), task));
    spec.tasks()
        .forEach(
            (id, template) -> {
              Tasks.TaskTemplate converted = converter.taskTemplate(id, template);
              projectTasks.put(converted.getId(), converted);
            });

    Map<Identifier, Workflow.WorkflowTemplate> subWorkflows = new LinkedHashMap<>();
    Map<Identifier, Tasks.TaskTemplate> tasks = new LinkedHashMap<>();
    Deque<Workflow.Node> pending = new ArrayDeque<>(proto.getNodesList());
    while (!pending.isEmpty()) {
      for (Workflow.Node node : RegistrationClosure.targets(pending.poll())) {
        if (node.hasTaskNode()) {
          Identifier taskId = node.getTaskNode().getReferenceId();
          if (!tasks.containsKey(taskId)) {
            Tasks.TaskTemplate task = projectTasks.get(taskId);
            if (task == null && remoteTasks != null) {
              // Another project's task: its registered template (the original fetches it too:
              // ExecuteDynamicWorkflow.fetchTaskTemplate).
              task = remoteTasks.apply(taskId);
            }
            if (task == null) {
              throw new IllegalArgumentException(
                  String.format(
                      "dynamic workflow node '%s' runs task '%s' (project '%s', domain '%s',"
                          + " version '%s'), which is not in this project: propeller needs the"
                          + " template of every task of a dynamic workflow; set FLYTE_PLATFORM_URL"
                          + " so jflyte can fetch it from FlyteAdmin, or call it through a launch"
                          + " plan",
                      node.getId(),
                      taskId.getName(),
                      taskId.getProject(),
                      taskId.getDomain(),
                      taskId.getVersion()));
            }
            tasks.put(taskId, task);
          }
        } else if (node.hasWorkflowNode() && node.getWorkflowNode().hasSubWorkflowRef()) {
          Identifier workflowId = node.getWorkflowNode().getSubWorkflowRef();
          if (!subWorkflows.containsKey(workflowId)) {
            Workflow.WorkflowTemplate workflow = projectWorkflows.get(workflowId);
            if (workflow == null) {
              throw new IllegalArgumentException(
                  "dynamic workflow node '"
                      + node.getId()
                      + "' uses sub-workflow '"
                      + workflowId.getName()
                      + "', which is not in this project");
            }
            subWorkflows.put(workflowId, workflow);
            pending.addAll(workflow.getNodesList());
          }
        }
      }
    }
    proto.addAllSubworkflows(subWorkflows.values());
    proto.addAllTasks(tasks.values());
    return proto.build();
  }

  /** Outputs of a dynamic workflow without nodes: its bindings are all literals. */
  static Map<String, Literal> outputsWithoutNodes(List<Binding> bindings) {
    return bindings.stream()
        .collect(Collectors.toMap(Binding::var_, binding -> literal(binding.binding())));
  }

  private static Literal literal(BindingData data) {
    return switch (data.kind()) {
      case SCALAR -> Literal.ofScalar(data.scalar());
      case COLLECTION ->
          Literal.ofCollection(data.collection().stream().map(DynamicJobs::literal).toList());
      case MAP ->
          Literal.ofMap(
              data.map().entrySet().stream()
                  .collect(
                      Collectors.toMap(Map.Entry::getKey, entry -> literal(entry.getValue()))));
      case PROMISE ->
          throw new IllegalArgumentException(
              "dynamic workflow without nodes binds output to a promise of node '"
                  + data.promise().nodeId()
                  + "'");
    };
  }
}
