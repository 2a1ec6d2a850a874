package dev.flyteplugin.jflyte.load;

import java.util.Map;
import org.flyte.api.v1.ContainerTask;
import org.flyte.api.v1.DynamicWorkflowTask;
import org.flyte.api.v1.LaunchPlan;
import org.flyte.api.v1.LaunchPlanIdentifier;
import org.flyte.api.v1.PluginTask;
import org.flyte.api.v1.RunnableTask;
import org.flyte.api.v1.TaskIdentifier;
import org.flyte.api.v1.WorkflowIdentifier;
import org.flyte.api.v1.WorkflowTemplate;

/** Everything the user's registrars declared, as flytekit-api models. Maps are immutable. */
public record LoadedProject(
    Map<TaskIdentifier, RunnableTask> runnableTasks,
    Map<TaskIdentifier, ContainerTask> containerTasks,
    Map<TaskIdentifier, PluginTask> pluginTasks,
    Map<TaskIdentifier, DynamicWorkflowTask> dynamicTasks,
    Map<WorkflowIdentifier, WorkflowTemplate> workflows,
    Map<LaunchPlanIdentifier, LaunchPlan> launchPlans) {

  public LoadedProject {
    runnableTasks = Map.copyOf(runnableTasks);
    containerTasks = Map.copyOf(containerTasks);
    pluginTasks = Map.copyOf(pluginTasks);
    dynamicTasks = Map.copyOf(dynamicTasks);
    workflows = Map.copyOf(workflows);
    launchPlans = Map.copyOf(launchPlans);
  }

  public int taskCount() {
    return runnableTasks.size() + containerTasks.size() + pluginTasks.size() + dynamicTasks.size();
  }
}
