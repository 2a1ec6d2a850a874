package dev.flyteplugin.jflyte.execute;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The {@code execute} options, exactly jflyte's; shared by the CLI and {@link TaskExecutor}. */
public final class ExecuteArgs {

  @Option(
      names = "--task",
      required = true,
      description = "Task name (the task class's fully qualified name by default).")
  String task;

  @Option(
      names = "--inputs",
      required = true,
      description = "URI of the inputs LiteralMap (propeller's {{.input}}).")
  String inputs;

  @Option(
      names = "--outputPrefix",
      required = true,
      description = "URI prefix for outputs.pb or error.pb (propeller's {{.outputPrefix}}).")
  String outputPrefix;

  @Option(
      names = "--taskTemplatePath",
      required = true,
      description =
          "URI of the TaskTemplate (propeller's {{.taskTemplatePath}}). When its custom lists"
              + " staged jars (custom.jflyte.artifacts), they are downloaded (cached) and the task"
              + " is loaded from them; otherwise from the image.")
  String taskTemplatePath;

  boolean dynamic;

  /** Whether these are {@code execute-dynamic-workflow} args. */
  public boolean dynamic() {
    return dynamic;
  }

  public String task() {
    return task;
  }

  public String inputs() {
    return inputs;
  }

  public String outputPrefix() {
    return outputPrefix;
  }

  public String taskTemplatePath() {
    return taskTemplatePath;
  }

  /**
   * Parses a task container's args as propeller rendered them, with or without the leading {@code
   * jflyte}: {@code [jflyte] execute --task ... --inputs ... --outputPrefix ... --taskTemplatePath
   * ...}.
   */
  public static ExecuteArgs parse(List<String> containerArgs) {
    List<String> args = new ArrayList<>(containerArgs);
    if (!args.isEmpty() && args.get(0).equals("jflyte")) {
      args.remove(0);
    }
    if (args.isEmpty()
        || !(args.get(0).equals("execute") || args.get(0).equals("execute-dynamic-workflow"))) {
      throw new IllegalArgumentException(
          "container args must start with [jflyte] execute or execute-dynamic-workflow, got "
              + containerArgs);
    }
    ExecuteArgs parsed = new ExecuteArgs();
    parsed.dynamic = args.remove(0).equals("execute-dynamic-workflow");
    try {
      new CommandLine(parsed).parseArgs(args.toArray(String[]::new));
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException(
          "bad execute args " + containerArgs + ": " + e.getMessage(), e);
    }
    return parsed;
  }
}
