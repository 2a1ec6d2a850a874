package dev.flyteplugin.jflyte.serialize;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flyte.api.v1.Container;
import org.flyte.api.v1.ContainerTask;
import org.flyte.api.v1.DynamicWorkflowTask;
import org.flyte.api.v1.KeyValuePair;
import org.flyte.api.v1.PluginTask;
import org.flyte.api.v1.Resources;
import org.flyte.api.v1.RunnableTask;
import org.flyte.api.v1.Task;
import org.flyte.api.v1.TaskTemplate;

/** Builds flytekit-api {@link TaskTemplate}s for each kind of task, the way jflyte 0.4.35 does. */
public final class TaskTemplates {

  /** The runnable task's container args; propeller renders the {@code {{.x}}} templates. */
  public static List<String> executeArgs(String taskName) {
    return List.of(
        "jflyte",
        "execute",
        "--task",
        taskName,
        "--inputs",
        "{{.input}}",
        "--outputPrefix",
        "{{.outputPrefix}}",
        "--taskTemplatePath",
        "{{.taskTemplatePath}}");
  }

  /** A dynamic workflow task's container args (jflyte 0.4.35: execute-dynamic-workflow). */
  public static List<String> executeDynamicArgs(String taskName) {
    List<String> args = new ArrayList<>(executeArgs(taskName));
    args.set(1, "execute-dynamic-workflow");
    return List.copyOf(args);
  }

  /** The task type of a dynamic workflow task, as jflyte 0.4.35 writes it. */
  public static final String DYNAMIC_TYPE = "container";

  private static final Pattern QUANTITY = Pattern.compile("^([0-9]+(?:\\.[0-9]+)?)([a-zA-Z]*)$");

  private TaskTemplates() {}

  /** A runnable task runs {@code jflyte execute} in {@code image}, which holds the user's jars. */
  public static TaskTemplate runnable(RunnableTask task, String image) {
    if (image == null || image.isBlank()) {
      throw new IllegalArgumentException(
          "no image for runnable task '"
              + task.getName()
              + "': set FLYTE_INTERNAL_IMAGE (or --image) to the image that holds jflyte and your"
              + " jars");
    }
    List<KeyValuePair> env = new ArrayList<>();
    javaToolOptions(task)
        .ifPresent(options -> env.add(KeyValuePair.of("JAVA_TOOL_OPTIONS", options)));
    Container container =
        Container.builder()
            .command(List.of())
            .args(executeArgs(task.getName()))
            .image(image)
            .env(env)
            .resources(task.getResources())
            .build();
    return common(task).container(container).build();
  }

  /**
   * A dynamic workflow task runs {@code jflyte execute-dynamic-workflow} in {@code image}; like
   * flytekit-java 0.4.35 (ProjectClosure.createTaskTemplateForDynamicWorkflow): type {@code
   * container}, empty custom, never cached, no resources, no env.
   */
  public static TaskTemplate dynamic(DynamicWorkflowTask task, String image) {
    if (image == null || image.isBlank()) {
      throw new IllegalArgumentException(
          "no image for dynamic workflow task '"
              + task.getName()
              + "': set FLYTE_INTERNAL_IMAGE (or --image) to the image that holds jflyte and your"
              + " jars");
    }
    Container container =
        Container.builder()
            .command(List.of())
            .args(executeDynamicArgs(task.getName()))
            .image(image)
            .env(List.of())
            .build();
    return TaskTemplate.builder()
        .type(DYNAMIC_TYPE)
        .interface_(task.getInterface())
        .retries(task.getRetries())
        .custom(org.flyte.api.v1.Struct.of(Map.of()))
        .container(container)
        .discoverable(false)
        .cacheSerializable(false)
        .build();
  }

  public static TaskTemplate container(ContainerTask task) {
    Container container =
        Container.builder()
            .command(task.getCommand())
            .args(task.getArgs())
            .image(task.getImage())
            .env(task.getEnv())
            .resources(task.getResources())
            .build();
    return common(task).container(container).build();
  }

  /** A plugin task has no container: its backend plugin reads {@code custom}. */
  public static TaskTemplate plugin(PluginTask task) {
    return common(task).build();
  }

  private static TaskTemplate.Builder common(Task task) {
    TaskTemplate.Builder builder =
        TaskTemplate.builder()
            .type(task.getType())
            .interface_(task.getInterface())
            .retries(task.getRetries())
            .custom(task.getCustom())
            .discoverable(task.isCached())
            .cacheSerializable(task.isCacheSerializable());
    if (task.getCacheVersion() != null) {
      builder.discoveryVersion(task.getCacheVersion());
    }
    return builder;
  }

  /** -Xmx from the memory limit (as jflyte does), then the task's own options. */
  private static java.util.Optional<String> javaToolOptions(RunnableTask task) {
    List<String> options = new ArrayList<>();
    Map<Resources.ResourceName, String> limits = task.getResources().limits();
    if (limits != null && limits.containsKey(Resources.ResourceName.MEMORY)) {
      options.add("-Xmx" + javaMemory(task.getName(), limits.get(Resources.ResourceName.MEMORY)));
    }
    options.addAll(task.getCustomJavaToolOptions());
    return options.isEmpty()
        ? java.util.Optional.empty()
        : java.util.Optional.of(String.join(" ", options));
  }

  /** A Kubernetes memory quantity as a JVM size: binary units keep their unit, others in bytes. */
  static String javaMemory(String taskName, String quantity) {
    Matcher matcher = QUANTITY.matcher(quantity.trim());
    if (!matcher.matches()) {
      throw new IllegalArgumentException(
          "task '" + taskName + "': memory limit '" + quantity + "' is not a Kubernetes quantity");
    }
    BigDecimal number = new BigDecimal(matcher.group(1));
    String unit = matcher.group(2);
    long multiplier =
        switch (unit) {
          case "Ki", "Mi", "Gi", "Ti" -> 0;
          case "" -> 1;
          case "k" -> 1_000L;
          case "M" -> 1_000_000L;
          case "G" -> 1_000_000_000L;
          case "T" -> 1_000_000_000_000L;
          default ->
              throw new IllegalArgumentException(
                  "task '"
                      + taskName
                      + "': memory limit '"
                      + quantity
                      + "' has unit '"
                      + unit
                      + "'; use Ki, Mi, Gi, Ti, k, M, G or T");
        };
    if (multiplier == 0) {
      return number.setScale(0, RoundingMode.UP).toPlainString()
          + unit.substring(0, 1).toLowerCase();
    }
    return number
        .multiply(BigDecimal.valueOf(multiplier))
        .setScale(0, RoundingMode.UP)
        .toPlainString();
  }
}
