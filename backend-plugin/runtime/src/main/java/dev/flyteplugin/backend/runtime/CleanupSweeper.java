package dev.flyteplugin.backend.runtime;

import dev.flyteplugin.backend.api.OperatorPlugin;
import dev.flyteplugin.backend.api.PhaseInfo;
import dev.flyteplugin.backend.api.ResourceIdentity;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes finished resources of this deployment once propeller has seen their result. Propeller
 * calls DeleteTask only on abort (flyteplugins {@code pluginmachinery/internal/webapi}: Finalize
 * does not delete), so without this every finished task would leak its resource and pods; but a
 * resource deleted before propeller polled its terminal phase reads as {@code
 * ResourceDeletedExternally} and the task is retried or lost. So a finished resource is deleted
 * only {@link RuntimeConfig#cleanupTtl()} after {@link TaskRuntime#markReported} recorded that its
 * terminal status reached propeller (label {@value ExecutionLabels#TERMINAL_REPORTED_AT}), or
 * {@link RuntimeConfig#unreportedCleanupLimit()} after its end when that never happened.
 *
 * <p>It looks only at the informers' caches (resources with our managed-by label) and deletes only
 * terminal resources carrying this deployment's instance label. One failing delete does not stop a
 * sweep.
 */
final class CleanupSweeper {
  private static final Logger log = LoggerFactory.getLogger(CleanupSweeper.class);

  private final KubernetesTaskRuntime runtime;
  private final ApiCalls api;
  private final RuntimeConfig config;
  private final Executor background;
  private final Map<String, Instant> firstSeenTerminal = new ConcurrentHashMap<>();
  private final Set<TaskHandle> marking = ConcurrentHashMap.newKeySet();

  /** What one sweep did. */
  record Result(int deleted, int failed) {}

  CleanupSweeper(
      KubernetesTaskRuntime runtime, ApiCalls api, RuntimeConfig config, Executor background) {
    this.runtime = runtime;
    this.api = api;
    this.config = config;
    this.background = background;
  }

  void sweepSafely() {
    try {
      sweep();
    } catch (RuntimeException e) {
      log.warn("cleanup sweep failed, next sweep retries: {}", e.toString());
    }
  }

  /** One pass over every cached resource. */
  Result sweep() {
    Instant now = api.clock().instant();
    Set<String> seen = new HashSet<>();
    int deleted = 0;
    int failed = 0;
    for (Map.Entry<InformerKey, SharedIndexInformer<GenericKubernetesResource>> entry :
        runtime.informers().entrySet()) {
      ResourceIdentity identity = entry.getKey().identity();
      for (GenericKubernetesResource resource : entry.getValue().getStore().list()) {
        String uid = resource.getMetadata().getUid();
        seen.add(uid);
        Map<String, String> labels = KubernetesTaskRuntime.labelsOf(resource);
        if (resource.getMetadata().getDeletionTimestamp() != null
            || !config.managedBy().equals(labels.get(ExecutionLabels.MANAGED_BY))
            || !config.instance().equals(labels.get(ExecutionLabels.INSTANCE))) {
          continue;
        }
        Optional<OperatorPlugin> plugin = runtime.pluginOf(resource);
        if (plugin.isEmpty()) {
          continue;
        }
        PhaseInfo phase;
        try {
          phase = plugin.get().phase(resource);
        } catch (RuntimeException e) {
          continue;
        }
        if (!phase.phase().isTerminal()) {
          continue;
        }
        Instant ended =
            phase.occurredAt().orElseGet(() -> firstSeenTerminal.computeIfAbsent(uid, u -> now));
        Optional<Instant> reported = reportedAt(labels);
        boolean due =
            reported.isPresent()
                ? !now.isBefore(reported.get().plus(config.cleanupTtl()))
                : !now.isBefore(ended.plus(config.unreportedCleanupLimit()));
        if (!due) {
          continue;
        }
        try {
          delete(identity, resource);
          firstSeenTerminal.remove(uid);
          deleted++;
          log.info(
              "cleaned up finished {} {}/{} ({}, ended {}, {})",
              identity.kind(),
              resource.getMetadata().getNamespace(),
              resource.getMetadata().getName(),
              phase.phase(),
              ended,
              reported.map(r -> "reported to propeller " + r).orElse("never reported"));
        } catch (KubernetesClientException | ApiCalls.DeadlineOver e) {
          failed++;
          log.warn(
              "cleanup of {} {}/{} failed, the next sweep retries: {}",
              identity.kind(),
              resource.getMetadata().getNamespace(),
              resource.getMetadata().getName(),
              e.getMessage());
        }
      }
    }
    firstSeenTerminal.keySet().retainAll(seen);
    return new Result(deleted, failed);
  }

  private void delete(ResourceIdentity identity, GenericKubernetesResource resource)
      throws ApiCalls.DeadlineOver {
    api.call(
        Deadline.none(),
        Optional.of(config.apiReadTimeout()),
        "deleting a finished resource",
        op ->
            op.inNamespace(resource.getMetadata().getNamespace())
                .withName(resource.getMetadata().getName())
                .withPropagationPolicy(DeletionPropagation.BACKGROUND)
                .delete(),
        identity);
  }

  static Optional<Instant> reportedAt(Map<String, String> labels) {
    String value = labels.get(ExecutionLabels.TERMINAL_REPORTED_AT);
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.ofEpochSecond(Long.parseLong(value)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Records, in the background, that the task's terminal status reached propeller: a label on the
   * resource (if it is ours and not marked yet). Never throws; a failure leaves the resource to the
   * unreported limit.
   */
  void markReported(OperatorPlugin plugin, TaskHandle handle) {
    if (!marking.add(handle)) {
      return;
    }
    try {
      background.execute(() -> mark(plugin, handle));
    } catch (RejectedExecutionException e) {
      marking.remove(handle);
      log.warn("runtime closed: cannot record that {} was reported", handle);
    }
  }

  private void mark(OperatorPlugin plugin, TaskHandle handle) {
    try {
      GenericKubernetesResource resource =
          api.call(
              Deadline.none(),
              Optional.of(config.apiReadTimeout()),
              "reading " + handle,
              op -> op.inNamespace(handle.namespace()).withName(handle.name()).get(),
              plugin.identity());
      if (resource == null) {
        return;
      }
      Map<String, String> labels = KubernetesTaskRuntime.labelsOf(resource);
      if (!config.managedBy().equals(labels.get(ExecutionLabels.MANAGED_BY))
          || labels.containsKey(ExecutionLabels.TERMINAL_REPORTED_AT)) {
        return;
      }
      String patch =
          "{\"metadata\":{\"labels\":{\""
              + ExecutionLabels.TERMINAL_REPORTED_AT
              + "\":\""
              + api.clock().instant().getEpochSecond()
              + "\"}}}";
      api.call(
          Deadline.none(),
          Optional.of(config.apiReadTimeout()),
          "marking " + handle + " reported",
          op ->
              op.inNamespace(handle.namespace())
                  .withName(handle.name())
                  .patch(PatchContext.of(PatchType.JSON_MERGE), patch),
          plugin.identity());
      log.debug("{}: terminal status reached propeller", handle);
    } catch (ApiCalls.DeadlineOver | RuntimeException e) {
      log.warn("could not record that {} was reported: {}", handle, e.toString());
    } finally {
      marking.remove(handle);
    }
  }
}
