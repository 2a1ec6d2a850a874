package dev.flyteplugin.backend.runtime;

import dev.flyteplugin.backend.api.OperatorPlugin;
import dev.flyteplugin.backend.api.PhaseInfo;
import dev.flyteplugin.backend.api.ResourceIdentity;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates one attempt's resource within the caller's deadline, as flytepropeller's k8s plugin
 * manager launches it ({@code pkg/controller/nodes/task/k8s/plugin_manager.go}, {@code
 * launchResource}: AlreadyExists is success, error classes in {@link ApiError}), plus what an
 * out-of-process plugin needs on top:
 *
 * <ul>
 *   <li>Propeller turns any CreateTask error, a timeout included, into a NEW attempt ({@code
 *       pluginmachinery/internal/webapi/launcher.go}), so work done after its deadline is work
 *       nobody tracks: no call starts after the deadline, retries and request timeouts are bounded
 *       by it, and an object created too late is deleted again.
 *   <li>Adoption only of the same lineage and attempt (same attempt key); anything else at that
 *       name is a conflict naming both.
 *   <li>A new attempt of a lineage aborts the earlier attempts still running: propeller does not
 *       (it only calls DeleteTask on abort), and they may hold expensive compute.
 * </ul>
 */
final class Launcher {
  private static final Logger log = LoggerFactory.getLogger(Launcher.class);

  /** How long an object whose create call timed out is looked for, to delete it. */
  static final Duration ABANDONED_WINDOW = Duration.ofSeconds(30);

  private static final Duration ABANDONED_POLL = Duration.ofSeconds(1);

  private final ApiCalls api;
  private final RuntimeConfig config;
  private final ScheduledExecutorService background;

  Launcher(ApiCalls api, RuntimeConfig config, ScheduledExecutorService background) {
    this.api = api;
    this.config = config;
    this.background = background;
  }

  /** Creates the resource, or adopts it when this attempt's resource exists already. */
  void create(
      ResourceIdentity identity,
      GenericKubernetesResource resource,
      TaskHandle handle,
      String attemptKey,
      Deadline deadline)
      throws TaskCreationException {
    Duration backoff = config.createBackoff();
    KubernetesClientException last = null;
    for (int attempt = 1; attempt <= config.createAttempts(); attempt++) {
      try {
        api.call(
            deadline,
            Optional.empty(),
            "creating " + describe(identity, handle),
            op -> op.inNamespace(handle.namespace()).resource(resource).create(),
            identity);
        if (deadline.isOver(api.clock())) {
          // Created, but the caller is gone: propeller will start a new attempt and never track
          // this one.
          deleteLate(identity, handle, attemptKey);
          throw deadlineOver(identity, handle, "the create call returned after it");
        }
        log.info("created {}", describe(identity, handle));
        return;
      } catch (ApiCalls.DeadlineOver e) {
        throw deadlineOver(identity, handle, e.getMessage());
      } catch (KubernetesClientException e) {
        if (deadline.isOver(api.clock())) {
          log.warn(
              "create call of {} ended after the caller's deadline (HTTP {}, status {}): {}",
              describe(identity, handle),
              e.getCode(),
              e.getStatus() == null ? null : e.getStatus().getCode(),
              e.toString());
          if (e.getStatus() == null) {
            // No answer from the server (the request timed out at the deadline, code -1): it may
            // still have created the object. Look for it in the background and delete it.
            cleanUpAbandoned(identity, handle, attemptKey);
          }
          throw deadlineOver(identity, handle, "the create call was still running: " + e);
        }
        last = e;
        ApiError error = ApiError.classify(e);
        if (error == ApiError.ALREADY_EXISTS) {
          if (adoptExisting(identity, handle, attemptKey, deadline)) {
            return;
          }
          continue; // it vanished between create and get: try again
        }
        if (!error.retryable()) {
          throw error.toCreationException(identity, handle, e);
        }
        log.warn(
            "create of {} failed (attempt {}/{}): {}",
            describe(identity, handle),
            attempt,
            config.createAttempts(),
            e.getMessage());
      }
      if (attempt < config.createAttempts()) {
        Optional<Duration> remaining = deadline.remaining(api.clock());
        if (remaining.isPresent() && remaining.get().compareTo(backoff) <= 0) {
          throw deadlineOver(
              identity,
              handle,
              "it would pass during the wait before create attempt "
                  + (attempt + 1)
                  + " (last error: "
                  + last.getMessage()
                  + ")");
        }
        sleep(backoff);
        backoff = min(backoff.multipliedBy(2), config.maxCreateBackoff());
      }
    }
    throw ApiError.classify(last).toCreationException(identity, handle, last);
  }

  /**
   * After AlreadyExists: adopts the resource if it is ours and for this very lineage and attempt.
   *
   * @return false when it is gone again (create should be retried)
   */
  private boolean adoptExisting(
      ResourceIdentity identity, TaskHandle handle, String attemptKey, Deadline deadline)
      throws TaskCreationException {
    GenericKubernetesResource existing;
    try {
      existing =
          api.call(
              deadline,
              Optional.of(config.apiReadTimeout()),
              "reading the existing " + describe(identity, handle),
              op -> op.inNamespace(handle.namespace()).withName(handle.name()).get(),
              identity);
    } catch (ApiCalls.DeadlineOver e) {
      throw deadlineOver(identity, handle, e.getMessage());
    }
    if (existing == null) {
      return false;
    }
    Map<String, String> labels = KubernetesTaskRuntime.labelsOf(existing);
    if (!config.managedBy().equals(labels.get(ExecutionLabels.MANAGED_BY))
        || !attemptKey.equals(labels.get(ExecutionLabels.ATTEMPT_KEY))) {
      Map<String, String> annotations = existing.getMetadata().getAnnotations();
      throw new TaskCreationException(
          TaskCreationException.Kind.INVALID_TASK,
          "AlreadyExists: "
              + describe(identity, handle)
              + " belongs to another task: it has "
              + ExecutionLabels.MANAGED_BY
              + "="
              + labels.get(ExecutionLabels.MANAGED_BY)
              + ", "
              + ExecutionLabels.ATTEMPT_KEY
              + "="
              + labels.get(ExecutionLabels.ATTEMPT_KEY)
              + " (task "
              + (annotations == null
                  ? null
                  : annotations.get(ExecutionLabels.TASK_EXECUTION_ID_ANNOTATION))
              + "), this task needs "
              + ExecutionLabels.MANAGED_BY
              + "="
              + config.managedBy()
              + ", "
              + ExecutionLabels.ATTEMPT_KEY
              + "="
              + attemptKey
              + "; it is left untouched");
    }
    log.info("adopted existing {}", describe(identity, handle));
    return true;
  }

  /**
   * Aborts the earlier attempts of the lineage that are still running (deletes them with their
   * pods). Best effort within the deadline: a failure is logged, the new attempt stands.
   *
   * @return how many were aborted
   */
  int abortEarlierAttempts(
      OperatorPlugin plugin, TaskHandle handle, String lineageKey, int attempt, Deadline deadline) {
    ResourceIdentity identity = plugin.identity();
    int aborted = 0;
    try {
      var siblings =
          api.call(
              deadline,
              Optional.of(config.apiReadTimeout()),
              "listing the earlier attempts of " + handle,
              op ->
                  op.inNamespace(handle.namespace())
                      .withLabel(ExecutionLabels.MANAGED_BY, config.managedBy())
                      .withLabel(ExecutionLabels.LINEAGE_KEY, lineageKey)
                      .list()
                      .getItems(),
              identity);
      for (GenericKubernetesResource sibling : siblings) {
        String other = KubernetesTaskRuntime.labelsOf(sibling).get(ExecutionLabels.RETRY_ATTEMPT);
        if (other == null
            || parseOr(other, Integer.MAX_VALUE) >= attempt
            || sibling.getMetadata().getDeletionTimestamp() != null
            || isTerminal(plugin, sibling)) {
          continue;
        }
        api.call(
            deadline,
            Optional.of(config.apiReadTimeout()),
            "aborting an earlier attempt",
            op ->
                op.inNamespace(sibling.getMetadata().getNamespace())
                    .withName(sibling.getMetadata().getName())
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND)
                    .delete(),
            identity);
        aborted++;
        log.info(
            "attempt {} of {} aborts earlier attempt {} ({}), which was still running",
            attempt,
            handle,
            other,
            sibling.getMetadata().getName());
      }
    } catch (ApiCalls.DeadlineOver | KubernetesClientException e) {
      log.warn("could not abort the earlier attempts of {}: {}", handle, e.toString());
    }
    return aborted;
  }

  private static boolean isTerminal(OperatorPlugin plugin, GenericKubernetesResource resource) {
    try {
      PhaseInfo phase = plugin.phase(resource);
      return phase.phase().isTerminal();
    } catch (RuntimeException e) {
      return false; // unreadable: treat as running, an abort cannot hurt a superseded attempt
    }
  }

  /** Deletes an object this call created after the caller's deadline. */
  private void deleteLate(ResourceIdentity identity, TaskHandle handle, String attemptKey) {
    try {
      api.call(
          Deadline.none(),
          Optional.of(config.apiReadTimeout()),
          "deleting a late " + describe(identity, handle),
          op ->
              op.inNamespace(handle.namespace())
                  .withName(handle.name())
                  .withPropagationPolicy(DeletionPropagation.BACKGROUND)
                  .delete(),
          identity);
      log.warn("deleted {}: created after its caller's deadline", describe(identity, handle));
    } catch (ApiCalls.DeadlineOver | KubernetesClientException e) {
      cleanUpAbandoned(identity, handle, attemptKey);
    }
  }

  /**
   * Looks for an object whose create call was abandoned and deletes it if it shows up (with this
   * attempt's key), for at most {@link #ABANDONED_WINDOW}.
   */
  private void cleanUpAbandoned(ResourceIdentity identity, TaskHandle handle, String attemptKey) {
    Instant until = api.clock().instant().plus(ABANDONED_WINDOW);
    Runnable[] poll = new Runnable[1];
    poll[0] =
        () -> {
          try {
            GenericKubernetesResource found =
                api.call(
                    Deadline.none(),
                    Optional.of(config.apiReadTimeout()),
                    "looking for an abandoned " + describe(identity, handle),
                    op -> op.inNamespace(handle.namespace()).withName(handle.name()).get(),
                    identity);
            if (found != null
                && attemptKey.equals(
                    KubernetesTaskRuntime.labelsOf(found).get(ExecutionLabels.ATTEMPT_KEY))) {
              deleteLate(identity, handle, attemptKey);
              return;
            }
          } catch (ApiCalls.DeadlineOver | KubernetesClientException e) {
            log.debug("looking for an abandoned {}: {}", handle, e.toString());
          }
          if (api.clock().instant().isBefore(until) && !background.isShutdown()) {
            background.schedule(poll[0], ABANDONED_POLL.toMillis(), TimeUnit.MILLISECONDS);
          }
        };
    try {
      background.execute(poll[0]);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.warn("runtime closed: cannot clean up abandoned {}", handle);
    }
  }

  private TaskCreationException deadlineOver(
      ResourceIdentity identity, TaskHandle handle, String detail) {
    return new TaskCreationException(
        TaskCreationException.Kind.TRANSIENT,
        "DeadlineExceeded: "
            + describe(identity, handle)
            + " was not created within the caller's deadline ("
            + detail
            + "); nothing of it is left running");
  }

  private static String describe(ResourceIdentity identity, TaskHandle handle) {
    return identity.kind() + " " + handle.namespace() + "/" + handle.name();
  }

  private static int parseOr(String text, int fallback) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static void sleep(Duration duration) throws TaskCreationException {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TaskCreationException(
          TaskCreationException.Kind.TRANSIENT, "interrupted while retrying create", e);
    }
  }
}
