package dev.flyteplugin.backend.runtime;

import com.google.protobuf.Struct;
import dev.flyteplugin.backend.api.PhaseInfo;
import dev.flyteplugin.backend.api.TaskInfo;
import flyteidl.core.Execution.TaskExecution;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A terminal status that reached propeller stands. Operators move finished resources back to a
 * non-terminal state: flink-kubernetes-operator#944 (a FINISHED job reset to RECONCILING after an
 * operator restart), the Spark operator's rerun of a finished application whose spec changed
 * ({@code INVALIDATING -> PENDING_RERUN}, kubeflow/spark-operator {@code
 * internal/controller/sparkapplication/controller.go}, {@code
 * reconcileInvalidatingSparkApplication}) or with restart policy {@code Always}. Propeller has
 * recorded the result and moved on; if it asks again (an answer lost on the way, a propeller
 * restart) it must read the same result, not a RUNNING that would later end differently. And the
 * rerun holds compute nobody tracks, so the sweeper deletes such a resource at once.
 *
 * <p>Stateless: {@link TaskRuntime#markReported} labels the resource with when ({@value
 * ExecutionLabels#TERMINAL_REPORTED_AT}) and which phase ({@link #REPORTED_PHASE}) reached
 * propeller; the informer cache keeps labels, so any instance, also after a restart, holds it.
 */
final class TerminalHold {
  /** The Flyte phase that reached propeller, e.g. {@code SUCCEEDED}. */
  static final String REPORTED_PHASE = ExecutionLabels.PREFIX + "terminal-reported-phase";

  private TerminalHold() {}

  /** The labels {@code markReported} puts on a resource whose terminal {@code phase} was sent. */
  static Map<String, String> markLabels(Instant now, Optional<TaskExecution.Phase> phase) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(ExecutionLabels.TERMINAL_REPORTED_AT, Long.toString(now.getEpochSecond()));
    phase.ifPresent(p -> labels.put(REPORTED_PHASE, p.name()));
    return labels;
  }

  /**
   * Whether the resource went back to a non-terminal phase after its terminal status reached
   * propeller.
   */
  static boolean flippedBack(GenericKubernetesResource resource, PhaseInfo phase) {
    return !phase.phase().isTerminal()
        && KubernetesTaskRuntime.labelsOf(resource)
            .containsKey(ExecutionLabels.TERMINAL_REPORTED_AT);
  }

  /**
   * The status to report: {@code status}, or, when the resource moved on after a terminal status
   * was reported (back to a non-terminal phase, or to another terminal one: Flink's "Job Not Found"
   * after FINISHED maps to a failure), the reported one (the last reported, else rebuilt from the
   * label).
   */
  static TaskStatus hold(
      GenericKubernetesResource resource, TaskStatus status, Optional<TaskStatus> last) {
    Map<String, String> labels = KubernetesTaskRuntime.labelsOf(resource);
    if (!labels.containsKey(ExecutionLabels.TERMINAL_REPORTED_AT)) {
      return status;
    }
    String reported = labels.getOrDefault(REPORTED_PHASE, "");
    if (status.isTerminal() && (reported.isEmpty() || status.phase().name().equals(reported))) {
      return status;
    }
    if (last.isPresent()
        && last.get().isTerminal()
        && (reported.isEmpty() || last.get().phase().name().equals(reported))) {
      return last.get();
    }
    String message =
        "the operator moved "
            + resource.getMetadata().getNamespace()
            + "/"
            + resource.getMetadata().getName()
            + " back to "
            + status.phase()
            + " ("
            + status.reason()
            + ") after its terminal status "
            + reported
            + " reached propeller; that result stands";
    TaskInfo info = new TaskInfo(status.logLinks(), Struct.getDefaultInstance());
    PhaseInfo held;
    if (TaskExecution.Phase.SUCCEEDED.name().equals(reported)) {
      held = PhaseInfo.success(message, info);
    } else if (TaskExecution.Phase.FAILED.name().equals(reported)) {
      held = PhaseInfo.permanentFailure("TerminalStatusHeld", message, info);
    } else if (TaskExecution.Phase.RETRYABLE_FAILED.name().equals(reported)) {
      held = PhaseInfo.retryableFailure("TerminalStatusHeld", message, info);
    } else {
      return status; // marked without the phase (an older runtime): nothing to hold
    }
    return KubernetesTaskRuntime.status(held);
  }
}
