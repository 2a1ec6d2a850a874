package dev.flyteplugin.jflyte.serialize;

import dev.flyteplugin.jflyte.load.LoadedProject;
import dev.flyteplugin.jflyte.load.ProjectLoader;
import flyteidl.admin.LaunchPlanOuterClass;
import flyteidl.admin.WorkflowOuterClass;
import flyteidl.core.IdentifierOuterClass;
import flyteidl.core.IdentifierOuterClass.Identifier;
import flyteidl.core.Interface;
import flyteidl.core.Tasks;
import flyteidl.core.Workflow;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything to register, as flyteidl messages keyed by entity name (sorted, so files and calls
 * come in a stable order): task templates, workflow specs with their sub-workflows, launch plans
 * (with a default launch plan per workflow). {@link #registrationOrder()} is the order FlyteAdmin
 * accepts them in.
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
    return load(classLoader, env, defaults, image, LatestVersions.NONE);
  }

  /** As {@link #load(ClassLoader, Map, IdentifierDefaults, String)}, resolving remote versions. */
  public static RegistrationClosure load(
      ClassLoader classLoader,
      Map<String, String> env,
      IdentifierDefaults defaults,
      String image,
      LatestVersions latestVersions) {
    Map<String, String> registrarEnv = new HashMap<>(env);
    registrarEnv.put("FLYTE_INTERNAL_PROJECT", defaults.project());
    registrarEnv.put("FLYTE_INTERNAL_DOMAIN", defaults.domain());
    registrarEnv.put("FLYTE_INTERNAL_VERSION", defaults.version());
    LoadedProject project = ProjectLoader.load(classLoader, registrarEnv);
    return ProjectLoader.withContextClassLoader(
        classLoader, () -> of(project, new ProtoConverter(defaults, latestVersions), image));
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
    project
        .dynamicTasks()
        .forEach(
            (id, task) ->
                tasks.put(
                    id.name(), converter.taskTemplate(id, TaskTemplates.dynamic(task, image))));

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
    // flytekit (Python) registers a default launch plan per workflow, named as the workflow, with
    // the workflow's inputs as required parameters; the console launches workflows through it.
    for (WorkflowOuterClass.WorkflowSpec spec : workflows.values()) {
      Workflow.WorkflowTemplate template = spec.getTemplate();
      String name = template.getId().getName();
      if (!launchPlans.containsKey(name)) {
        launchPlans.put(name, defaultLaunchPlan(template));
      }
    }
    return new RegistrationClosure(tasks, workflows, launchPlans);
  }

  /** The launch plan flytekit creates for a workflow: its name, no fixed inputs, no schedule. */
  static LaunchPlanOuterClass.LaunchPlan defaultLaunchPlan(Workflow.WorkflowTemplate workflow) {
    Identifier workflowId = workflow.getId();
    Interface.ParameterMap.Builder parameters = Interface.ParameterMap.newBuilder();
    workflow
        .getInterface()
        .getInputs()
        .getVariablesMap()
        .forEach(
            (input, variable) ->
                parameters.putParameters(
                    input,
                    Interface.Parameter.newBuilder().setVar(variable).setRequired(true).build()));
    return LaunchPlanOuterClass.LaunchPlan.newBuilder()
        .setId(
            workflowId.toBuilder().setResourceType(IdentifierOuterClass.ResourceType.LAUNCH_PLAN))
        .setSpec(
            LaunchPlanOuterClass.LaunchPlanSpec.newBuilder()
                .setWorkflowId(workflowId)
                .setDefaultInputs(parameters)
                .setFixedInputs(flyteidl.core.Literals.LiteralMap.getDefaultInstance())
                .setEntityMetadata(LaunchPlanOuterClass.LaunchPlanMetadata.getDefaultInstance()))
        .build();
  }

  /** One entity to register. */
  public record Entity(Kind kind, String name) {}

  /** The kinds of entity, in FlyteAdmin's create calls and flytectl's file suffixes. */
  public enum Kind {
    TASK("task", 1),
    WORKFLOW("workflow", 2),
    LAUNCH_PLAN("launch plan", 3);

    private final String label;
    private final int fileSuffix;

    Kind(String label, int fileSuffix) {
      this.label = label;
      this.fileSuffix = fileSuffix;
    }

    public String label() {
      return label;
    }

    public int fileSuffix() {
      return fileSuffix;
    }
  }

  /**
   * The order FlyteAdmin accepts the entities in: every task first (tasks reference nothing), then
   * workflows and launch plans such that a launch plan comes after its workflow (CreateLaunchPlan
   * loads it: flyteadmin launch_plan_manager.go CreateLaunchPlan -> util.GetWorkflowModel) and a
   * workflow after every launch plan of this batch its nodes call (CreateWorkflow compiles against
   * them: workflow_manager.go getCompiledWorkflow -> GetRequiredLaunchPlanIds ->
   * util.GetLaunchPlanModel). Among ready entities, workflows before launch plans, then by name.
   *
   * @throws IllegalArgumentException on a cycle (a workflow calling its own launch plan)
   */
  public List<Entity> registrationOrder() {
    List<Entity> order = new ArrayList<>();
    tasks.keySet().forEach(name -> order.add(new Entity(Kind.TASK, name)));

    Map<Identifier, String> planNames = new HashMap<>();
    launchPlans.forEach((name, plan) -> planNames.put(plan.getId(), name));
    Map<Identifier, String> workflowNames = new HashMap<>();
    workflows.forEach((name, spec) -> workflowNames.put(spec.getTemplate().getId(), name));

    Map<Entity, Set<Entity>> dependsOn = new LinkedHashMap<>();
    workflows.forEach(
        (name, spec) -> {
          Set<Entity> needs = new LinkedHashSet<>();
          List<Workflow.WorkflowTemplate> all = new ArrayList<>(spec.getSubWorkflowsList());
          all.add(spec.getTemplate());
          for (Workflow.WorkflowTemplate template : all) {
            for (Workflow.Node node : template.getNodesList()) {
              for (Workflow.Node target : targets(node)) {
                if (target.hasWorkflowNode() && target.getWorkflowNode().hasLaunchplanRef()) {
                  String plan = planNames.get(target.getWorkflowNode().getLaunchplanRef());
                  if (plan != null) {
                    needs.add(new Entity(Kind.LAUNCH_PLAN, plan));
                  }
                }
              }
            }
          }
          dependsOn.put(new Entity(Kind.WORKFLOW, name), needs);
        });
    launchPlans.forEach(
        (name, plan) -> {
          String workflow = workflowNames.get(plan.getSpec().getWorkflowId());
          dependsOn.put(
              new Entity(Kind.LAUNCH_PLAN, name),
              workflow == null ? Set.of() : Set.of(new Entity(Kind.WORKFLOW, workflow)));
        });

    java.util.Comparator<Entity> readyOrder =
        java.util.Comparator.comparing(Entity::kind).thenComparing(Entity::name);
    Set<Entity> done = new HashSet<>();
    while (done.size() < dependsOn.size()) {
      Entity next =
          dependsOn.entrySet().stream()
              .filter(entry -> !done.contains(entry.getKey()) && done.containsAll(entry.getValue()))
              .map(Map.Entry::getKey)
              .min(readyOrder)
              .orElse(null);
      if (next == null) {
        List<String> stuck =
            dependsOn.keySet().stream()
                .filter(entity -> !done.contains(entity))
                .sorted(readyOrder)
                .map(entity -> entity.kind().label() + " '" + entity.name() + "'")
                .toList();
        throw new IllegalArgumentException(
            "workflows and launch plans call each other in a cycle, so none can be registered"
                + " first: "
                + stuck
                + "; a workflow cannot call its own launch plan, directly or through others");
      }
      done.add(next);
      order.add(next);
    }
    return List.copyOf(order);
  }

  /**
   * This closure with {@code extra} merged into the custom of every task with a container that is
   * not a raw container (runnable and dynamic tasks: what jflyte runs), as flytekit-java 0.4.35
   * ProjectClosure.applyCustom does for the staged artifact list.
   */
  public RegistrationClosure withCustom(com.google.protobuf.Struct extra) {
    SortedMap<String, Tasks.TaskTemplate> rewritten = new TreeMap<>();
    tasks.forEach(
        (name, template) -> {
          if (!template.hasContainer() || template.getType().equals("raw-container")) {
            rewritten.put(name, template);
          } else {
            rewritten.put(
                name,
                template.toBuilder()
                    .setCustom(template.getCustom().toBuilder().putAllFields(extra.getFieldsMap()))
                    .build());
          }
        });
    return new RegistrationClosure(rewritten, workflows, launchPlans);
  }

  /** Whether any task runs jflyte (so the user's jars must reach it). */
  public boolean runsJflyte() {
    return tasks.values().stream()
        .anyMatch(t -> t.hasContainer() && !t.getType().equals("raw-container"));
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
  public static List<Workflow.Node> targets(Workflow.Node node) {
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
