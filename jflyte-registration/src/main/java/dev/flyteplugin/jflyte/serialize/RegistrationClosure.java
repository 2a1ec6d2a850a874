package dev.flyteplugin.jflyte.serialize;

import dev.flyteplugin.jflyte.load.LoadedProject;
import dev.flyteplugin.jflyte.load.ProjectLoader;
import flyteidl.admin.LaunchPlanOuterClass;
import flyteidl.admin.WorkflowOuterClass;
import flyteidl.core.IdentifierOuterClass.Identifier;
import flyteidl.core.Tasks;
import flyteidl.core.Workflow;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything to register, as flyteidl messages keyed by entity name (sorted, so files and calls
 * come in a stable order): task templates, workflow specs with their sub-workflows, launch plans.
 */
public record RegistrationClosure(
    SortedMap<String, Tasks.TaskTemplate> tasks,
    SortedMap<String, WorkflowOuterClass.WorkflowSpec> workflows,
    SortedMap<String, LaunchPlanOuterClass.LaunchPlan> launchPlans) {

  public RegistrationClosure {
    tasks = Collections.unmodifiableSortedMap(new TreeMap<>(tasks));
    workflows = Collections.unmodifiableSortedMap(new TreeMap<>(workflows));
    launchPlans = Collections.unmodifiableSortedMap(new TreeMap<>(launchPlans));
  }

  /**
   * Loads the project visible to {@code classLoader} (Registrar SPI) and converts it.
   *
   * @param env environment for the registrars ({@code FLYTE_*}); project, domain and version are
   *     overridden by {@code defaults}
   * @param image the image runnable tasks run in (may be null when there are none)
   */
  public static RegistrationClosure load(
      ClassLoader classLoader, Map<String, String> env, IdentifierDefaults defaults, String image) {
    Map<String, String> registrarEnv = new HashMap<>(env);
    registrarEnv.put("FLYTE_INTERNAL_PROJECT", defaults.project());
    registrarEnv.put("FLYTE_INTERNAL_DOMAIN", defaults.domain());
    registrarEnv.put("FLYTE_INTERNAL_VERSION", defaults.version());
    LoadedProject project = ProjectLoader.load(classLoader, registrarEnv);
    return ProjectLoader.withContextClassLoader(
        classLoader, () -> of(project, new ProtoConverter(defaults), image));
  }

  /** Converts a loaded project. */
  public static RegistrationClosure of(
      LoadedProject project, ProtoConverter converter, String image) {
    SortedMap<String, Tasks.TaskTemplate> tasks = new TreeMap<>();
    project
        .runnableTasks()
        .forEach(
            (id, task) ->
                tasks.put(
                    id.name(), converter.taskTemplate(id, TaskTemplates.runnable(task, image))));
    project
        .containerTasks()
        .forEach(
            (id, task) ->
                tasks.put(id.name(), converter.taskTemplate(id, TaskTemplates.container(task))));
    project
        .pluginTasks()
        .forEach(
            (id, task) ->
                tasks.put(id.name(), converter.taskTemplate(id, TaskTemplates.plugin(task))));

    Map<Identifier, Workflow.WorkflowTemplate> templates = new LinkedHashMap<>();
    project
        .workflows()
        .forEach(
            (id, workflow) -> {
              Workflow.WorkflowTemplate template = converter.workflowTemplate(id, workflow);
              templates.put(template.getId(), template);
            });

    SortedMap<String, WorkflowOuterClass.WorkflowSpec> workflows = new TreeMap<>();
    for (Workflow.WorkflowTemplate template : templates.values()) {
      Set<Identifier> subWorkflowIds = new LinkedHashSet<>();
      collectSubWorkflows(template, templates, new ArrayList<>(), subWorkflowIds);
      WorkflowOuterClass.WorkflowSpec.Builder spec =
          WorkflowOuterClass.WorkflowSpec.newBuilder().setTemplate(template);
      subWorkflowIds.stream()
          .sorted((a, b) -> a.getName().compareTo(b.getName()))
          .forEach(id -> spec.addSubWorkflows(templates.get(id)));
      workflows.put(template.getId().getName(), spec.build());
    }

    SortedMap<String, LaunchPlanOuterClass.LaunchPlan> launchPlans = new TreeMap<>();
    project
        .launchPlans()
        .forEach(
            (id, plan) -> {
              LaunchPlanOuterClass.LaunchPlan proto = converter.launchPlan(id, plan);
              launchPlans.put(id.name(), proto);
            });
    return new RegistrationClosure(tasks, workflows, launchPlans);
  }

  private static void collectSubWorkflows(
      Workflow.WorkflowTemplate workflow,
      Map<Identifier, Workflow.WorkflowTemplate> all,
      List<String> path,
      Set<Identifier> found) {
    path.add(workflow.getId().getName());
    for (Workflow.Node node : workflow.getNodesList()) {
      for (Workflow.Node target : targets(node)) {
        if (!target.hasWorkflowNode() || !target.getWorkflowNode().hasSubWorkflowRef()) {
          continue;
        }
        Identifier ref = target.getWorkflowNode().getSubWorkflowRef();
        Workflow.WorkflowTemplate sub = all.get(ref);
        if (sub == null) {
          throw new IllegalArgumentException(
              String.format(
                  "workflow '%s' node '%s' uses sub-workflow '%s' (version '%s'), which is not in"
                      + " this project; a sub-workflow must be registered with its parent (use a"
                      + " launch plan reference for a remote workflow)",
                  path.get(0), target.getId(), ref.getName(), ref.getVersion()));
        }
        if (path.contains(ref.getName())) {
          throw new IllegalArgumentException(
              "workflow '" + ref.getName() + "' contains itself through " + path);
        }
        if (found.add(ref)) {
          collectSubWorkflows(sub, all, path, found);
        }
      }
    }
    path.remove(path.size() - 1);
  }

  /** The node and, for a branch, every node it may run. */
  private static List<Workflow.Node> targets(Workflow.Node node) {
    List<Workflow.Node> result = new ArrayList<>();
    result.add(node);
    if (node.hasBranchNode()) {
      Workflow.IfElseBlock ifElse = node.getBranchNode().getIfElse();
      result.addAll(targets(ifElse.getCase().getThenNode()));
      ifElse.getOtherList().forEach(other -> result.addAll(targets(other.getThenNode())));
      if (ifElse.hasElseNode()) {
        result.addAll(targets(ifElse.getElseNode()));
      }
    }
    return result;
  }
}
