package dev.flyteplugin.backend.api;

import static java.util.Objects.requireNonNull;

import flyteidl.core.Execution.ExecutionError;
import java.time.Instant;
import java.util.Optional;

/**
 * Where a plugin's resource stands. Immutable and made only by the named factories below, whose
 * names say who failed and whether to retry, as flyteplugins' {@code pluginmachinery/core/phase.go}
 * does ({@code PhaseInfoRetryableFailure} = user error, retryable; {@code
 * PhaseInfoSystemRetryableFailure} = system error, retryable; {@code PhaseInfoFailure} = user,
 * permanent; {@code PhaseInfoSystemFailure} = system, permanent). Expected task failures are
 * values, never exceptions.
 *
 * @param phase the phase
 * @param reason a short machine-friendly reason, e.g. {@code SparkApplicationRunning}
 * @param message a human-readable message
 * @param info log links and custom info of this phase
 * @param error the execution error of a failure phase, empty otherwise
 * @param occurredAt when the resource entered this phase, if the operator records it (for a
 *     terminal phase the runtime measures its cleanup TTL from here; for a pre-running phase, its
 *     pre-running limit, else from the resource's creation: a plugin whose operator can go back to
 *     a pre-running state after running, e.g. Flink's RECONCILING, reports when it did)
 */
public record PhaseInfo(
    PluginPhase phase,
    String reason,
    String message,
    TaskInfo info,
    Optional<ExecutionError> error,
    Optional<Instant> occurredAt) {

  public PhaseInfo {
    requireNonNull(phase, "phase");
    requireNonNull(reason, "reason");
    requireNonNull(message, "message");
    requireNonNull(info, "info");
    requireNonNull(error, "error");
    requireNonNull(occurredAt, "occurredAt");
    if (phase.isFailure() != error.isPresent()) {
      throw new IllegalArgumentException(
          "a failure phase needs an execution error and no other phase may carry one: " + phase);
    }
  }

  public static PhaseInfo queued(String reason, String message) {
    return of(PluginPhase.QUEUED, reason, message, TaskInfo.empty());
  }

  public static PhaseInfo waitingForResources(String reason, String message, TaskInfo info) {
    return of(PluginPhase.WAITING_FOR_RESOURCES, reason, message, info);
  }

  public static PhaseInfo initializing(String reason, String message, TaskInfo info) {
    return of(PluginPhase.INITIALIZING, reason, message, info);
  }

  public static PhaseInfo running(String reason, String message, TaskInfo info) {
    return of(PluginPhase.RUNNING, reason, message, info);
  }

  public static PhaseInfo success(String message, TaskInfo info) {
    return of(PluginPhase.SUCCESS, "Succeeded", message, info);
  }

  /** The user's code failed; Flyte retries if the task has retries left. */
  public static PhaseInfo retryableFailure(String code, String message, TaskInfo info) {
    return failure(
        PluginPhase.RETRYABLE_FAILURE, ExecutionError.ErrorKind.USER, code, message, info);
  }

  /** The platform failed (not the user's code); Flyte retries from its system retry budget. */
  public static PhaseInfo systemRetryableFailure(String code, String message, TaskInfo info) {
    return failure(
        PluginPhase.RETRYABLE_FAILURE, ExecutionError.ErrorKind.SYSTEM, code, message, info);
  }

  /** The user's task cannot succeed, retrying cannot help. */
  public static PhaseInfo permanentFailure(String code, String message, TaskInfo info) {
    return failure(
        PluginPhase.PERMANENT_FAILURE, ExecutionError.ErrorKind.USER, code, message, info);
  }

  /** The platform failed in a way retrying cannot fix. */
  public static PhaseInfo systemPermanentFailure(String code, String message, TaskInfo info) {
    return failure(
        PluginPhase.PERMANENT_FAILURE, ExecutionError.ErrorKind.SYSTEM, code, message, info);
  }

  /** This phase, entered at {@code time}. */
  public PhaseInfo withOccurredAt(Instant time) {
    return new PhaseInfo(phase, reason, message, info, error, Optional.of(time));
  }

  private static PhaseInfo of(PluginPhase phase, String reason, String message, TaskInfo info) {
    return new PhaseInfo(phase, reason, message, info, Optional.empty(), Optional.empty());
  }

  private static PhaseInfo failure(
      PluginPhase phase,
      ExecutionError.ErrorKind kind,
      String code,
      String message,
      TaskInfo info) {
    ExecutionError error =
        ExecutionError.newBuilder().setCode(code).setMessage(message).setKind(kind).build();
    return new PhaseInfo(phase, code, message, info, Optional.of(error), Optional.empty());
  }
}
