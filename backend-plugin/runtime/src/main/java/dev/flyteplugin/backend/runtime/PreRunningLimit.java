package dev.flyteplugin.backend.runtime;

import dev.flyteplugin.backend.api.PhaseInfo;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The limit on time in a pre-running phase ({@link RuntimeConfig#maxPreRunning()}): a task whose
 * operator never gets it running (a SparkApplication stuck in SUBMITTED because its driver pod
 * cannot be scheduled, spark-operator#2872; a FlinkDeployment stuck DEPLOYING) fails, and its
 * resource is deleted with its pods (airflow#63824: a timed-out start-up left the SparkApplication
 * behind).
 *
 * <p>As flyteplugins' {@code DemystifyPending} ({@code pluginmachinery/flytek8s/pod_helper.go})
 * answers its {@code pod-pending-timeout}: {@code PhaseInfoRetryableFailureWithCleanup
 * ("PodPendingTimeout", ...)}, a retryable USER failure whose resource is cleaned up. Retryable
 * because a stuck start is often the cluster's state at that moment (capacity, an image registry),
 * which a new attempt may not meet; the task's retry budget bounds it.
 *
 * <p>Measured from the phase's {@code occurredAt} when the plugin reports one, else from the
 * resource's {@code metadata.creationTimestamp}: both live in the API server (the informer cache
 * keeps the creation timestamp), so an agent restart does not reset the clock, and any instance
 * answers the same. The expiry is remembered here (bounded, least recently used dropped) so that a
 * poll after the deletion still reads the timeout rather than {@code ResourceDeletedExternally}.
 */
final class PreRunningLimit {
  private static final Logger log = LoggerFactory.getLogger(PreRunningLimit.class);

  /** The failure code, after flyteplugins' {@code PodPendingTimeout}. */
  static final String CODE = "PreRunningTimeout";

  private final RuntimeConfig config;
  private final ApiCalls api;
  private final Executor background;
  private final Consumer<TaskHandle> abort;
  private final StatusReader.LastStatuses expired;
  private final Set<TaskHandle> deleting = ConcurrentHashMap.newKeySet();

  /**
   * @param abort deletes a task's resource with its pods (the runtime's abort path)
   */
  PreRunningLimit(
      RuntimeConfig config, ApiCalls api, Executor background, Consumer<TaskHandle> abort) {
    this.config = config;
    this.api = api;
    this.background = background;
    this.abort = abort;
    this.expired = new StatusReader.LastStatuses(config.statusMemory());
  }

  /**
   * The phase to report for a resource: {@code phase}, or the timeout failure once the task has
   * been pre-running longer than the limit; the resource's deletion then starts in the background.
   */
  PhaseInfo apply(TaskHandle handle, GenericKubernetesResource resource, PhaseInfo phase) {
    Optional<PhaseInfo> failure = expiry(resource, phase, api.clock().instant());
    if (failure.isEmpty()) {
      return phase;
    }
    expired.put(handle, KubernetesTaskRuntime.status(failure.get()));
    if (resource.getMetadata().getDeletionTimestamp() == null && deleting.add(handle)) {
      try {
        background.execute(
            () -> {
              try {
                abort.accept(handle);
              } catch (RuntimeException e) {
                log.warn(
                    "could not delete {} after its pre-running limit: {}", handle, e.toString());
              } finally {
                deleting.remove(handle);
              }
            });
      } catch (RejectedExecutionException e) {
        deleting.remove(handle);
        log.warn("runtime closed: {} not deleted after its pre-running limit", handle);
      }
    }
    return failure.get();
  }

  /** The timeout reported for a task whose resource this limit deleted, if remembered. */
  Optional<TaskStatus> remembered(TaskHandle handle) {
    return expired.get(handle);
  }

  /**
   * The timeout failure when {@code phase} is pre-running and has lasted longer than the limit at
   * {@code now}; empty when it has not, or the limit is off, or no start time is known.
   */
  Optional<PhaseInfo> expiry(GenericKubernetesResource resource, PhaseInfo phase, Instant now) {
    Duration limit = config.maxPreRunning();
    if (limit.isZero() || !phase.phase().isPreRunning()) {
      return Optional.empty();
    }
    Optional<Instant> since = phase.occurredAt().or(() -> created(resource));
    if (since.isEmpty()) {
      return Optional.empty();
    }
    Duration elapsed = Duration.between(since.get(), now);
    if (elapsed.compareTo(limit) <= 0) {
      return Optional.empty();
    }
    String what = resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
    return Optional.of(
        PhaseInfo.retryableFailure(
            CODE,
            "the task stayed in "
                + phase.phase()
                + " ("
                + phase.reason()
                + ": "
                + phase.message()
                + ") for "
                + elapsed.withNanos(0)
                + ", longer than the pre-running limit "
                + limit
                + " (RuntimeConfig.maxPreRunning; agent --max-pre-running /"
                + " FLYTE_AGENT_MAX_PRE_RUNNING); "
                + what
                + " and its pods are deleted. Raise the limit if the cluster queues tasks this"
                + " long on purpose",
            phase.info()));
  }

  private static Optional<Instant> created(GenericKubernetesResource resource) {
    String created = resource.getMetadata().getCreationTimestamp();
    if (created == null || created.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(created));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
