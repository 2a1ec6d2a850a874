package dev.flyteplugin.runner;

import dev.flyteplugin.backend.runtime.TaskHandle;
import dev.flyteplugin.backend.runtime.TaskStatus;
import flyteidl.core.Execution.TaskLog;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.flyte.api.v1.Literal;

/** Prints a run's progress for a person: one line per step, with elapsed time and log links. */
public final class ConsoleProgress implements RunListener {
  private final PrintWriter out;
  private final Clock clock;
  private final Instant start;

  public ConsoleProgress(PrintWriter out, Clock clock) {
    this.out = out;
    this.clock = clock;
    this.start = clock.instant();
  }

  @Override
  public void localTaskStarted(String nodeId, String taskName) {
    line(nodeId, "running in this JVM (plain task " + simpleName(taskName) + ")");
  }

  @Override
  public void backendTaskCreated(String nodeId, String taskName, int attempt, TaskHandle handle) {
    line(
        nodeId,
        "created "
            + handle.category().name()
            + " resource "
            + handle.namespace()
            + "/"
            + handle.name()
            + (attempt > 0 ? " (attempt " + (attempt + 1) + ")" : ""));
  }

  @Override
  public void phaseChanged(String nodeId, TaskStatus status, Duration elapsed) {
    StringBuilder text = new StringBuilder(status.phase().name());
    if (!status.message().isBlank()) {
      text.append(" - ").append(status.message());
    }
    line(nodeId, text.toString());
    for (TaskLog link : status.logLinks()) {
      out.printf("%16s %s: %s%n", "", link.getName(), link.getUri());
    }
    status
        .customInfo()
        .getFieldsMap()
        .forEach((key, value) -> out.printf("%16s %s: %s%n", "", key, value.getStringValue()));
    out.flush();
  }

  @Override
  public void nodeSucceeded(String nodeId, Map<String, Literal> outputs, Duration elapsed) {
    line(nodeId, "succeeded in " + seconds(elapsed) + " " + abbreviate(Literals.display(outputs)));
  }

  @Override
  public void nodeFailed(String nodeId, Throwable error, Duration elapsed) {
    line(nodeId, "FAILED after " + seconds(elapsed) + ": " + error.getMessage());
  }

  @Override
  public void aborted(TaskHandle handle) {
    line("abort", "deleted " + handle.namespace() + "/" + handle.name());
  }

  private void line(String nodeId, String text) {
    out.printf("[%6s] %-16s %s%n", seconds(Duration.between(start, clock.instant())), nodeId, text);
    out.flush();
  }

  private static String seconds(Duration d) {
    return String.format("%.1fs", d.toMillis() / 1000.0);
  }

  private static String simpleName(String taskName) {
    return taskName.substring(taskName.lastIndexOf('.') + 1);
  }

  private static String abbreviate(String text) {
    String line = text.replaceAll("\\s+", " ");
    return line.length() <= 120 ? line : line.substring(0, 117) + "...";
  }
}
