package dev.flyteplugin.backend.runtime;

import dev.flyteplugin.backend.api.OperatorPlugin;
import dev.flyteplugin.backend.api.PhaseInfo;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes finished resources this runtime created once they are older than the cleanup TTL.
 * Propeller only calls delete on abort, so without this every finished task would leak its resource
 * (and the operator's pods). It looks only at the informers' caches, which hold only resources with
 * our managed-by label, and deletes only terminal ones.
 *
 * <p>The TTL runs from the terminal transition the plugin reports ({@link PhaseInfo#occurredAt()}),
 * else from when this instance first saw the resource terminal (after a restart that clock starts
 * again: cleanup is late, never early).
 */
final class CleanupSweeper {
  private static final Logger log = LoggerFactory.getLogger(CleanupSweeper.class);

  private final KubernetesTaskRuntime runtime;
  private final Clock clock;
  private final Map<String, Instant> firstSeenTerminal = new ConcurrentHashMap<>();

  CleanupSweeper(KubernetesTaskRuntime runtime, Clock clock) {
    this.runtime = runtime;
    this.clock = clock;
  }

  void sweepSafely() {
    try {
      sweep();
    } catch (RuntimeException e) {
      log.warn("cleanup sweep failed, next sweep retries: {}", e.toString());
    }
  }

  /** One pass over every cached resource; returns how many were deleted. */
  int sweep() {
    Duration ttl = runtime.config().cleanupTtl();
    Instant now = clock.instant();
    Set<String> seen = new HashSet<>();
    int deleted = 0;
    for (Map.Entry<InformerKey, SharedIndexInformer<GenericKubernetesResource>> entry :
        runtime.informers().entrySet()) {
      for (GenericKubernetesResource resource : entry.getValue().getStore().list()) {
        String uid = resource.getMetadata().getUid();
        seen.add(uid);
        if (resource.getMetadata().getDeletionTimestamp() != null
            || !runtime
                .config()
                .managedBy()
                .equals(KubernetesTaskRuntime.labelsOf(resource).get(ExecutionLabels.MANAGED_BY))) {
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
        Instant since =
            phase.occurredAt().orElseGet(() -> firstSeenTerminal.computeIfAbsent(uid, u -> now));
        if (Duration.between(since, now).compareTo(ttl) >= 0) {
          runtime.deleteOwned(entry.getKey().identity(), resource);
          firstSeenTerminal.remove(uid);
          deleted++;
          log.info(
              "cleaned up finished {} {}/{} ({} since {})",
              entry.getKey().identity().kind(),
              resource.getMetadata().getNamespace(),
              resource.getMetadata().getName(),
              phase.phase(),
              since);
        }
      }
    }
    firstSeenTerminal.keySet().retainAll(seen);
    return deleted;
  }
}
