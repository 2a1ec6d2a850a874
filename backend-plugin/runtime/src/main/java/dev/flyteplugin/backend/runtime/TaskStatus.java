package dev.flyteplugin.backend.runtime;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Struct;
import flyteidl.core.Execution.ExecutionError;
import flyteidl.core.Execution.TaskExecution;
import flyteidl.core.Execution.TaskLog;
import java.util.List;
import java.util.Optional;

/**
 * Where a task stands, in Flyte's terms: what the agent returns as {@code Resource}.
 *
 * <p>Log links and custom info are always filled in for the current phase, so that the first report
 * of each phase carries them (propeller keeps phase version 0 and never re-reads them).
 *
 * @param phase Flyte's task phase; failures are {@code RETRYABLE_FAILED} or {@code FAILED}
 *     (permanent)
 * @param reason a short machine-friendly reason, e.g. {@code ResourceDeletedExternally}
 * @param message a human-readable message, e.g. the operator's error message
 * @param logLinks links to the task's logs and dashboards
 * @param customInfo plugin-specific information (e.g. {@code sparkDriverUI})
 * @param error the execution error of a failed task, with its kind (USER or SYSTEM)
 */
public record TaskStatus(
    TaskExecution.Phase phase,
    String reason,
    String message,
    List<TaskLog> logLinks,
    Struct customInfo,
    Optional<ExecutionError> error) {
  public TaskStatus {
    requireNonNull(phase, "phase");
    requireNonNull(reason, "reason");
    requireNonNull(message, "message");
    logLinks = List.copyOf(logLinks);
    requireNonNull(customInfo, "customInfo");
    requireNonNull(error, "error");
  }

  public boolean isTerminal() {
    return switch (phase) {
      case SUCCEEDED, FAILED, RETRYABLE_FAILED, ABORTED -> true;
      default -> false;
    };
  }
}
