package dev.flyteplugin.backend.runtime;

import dev.flyteplugin.backend.api.OperatorPlugin;
import dev.flyteplugin.backend.api.PhaseInfo;
import dev.flyteplugin.backend.api.ResourceIdentity;
import flyteidl.core.Execution.TaskExecution;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
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

  /**
   * What one sweep did.
   *
   * @param deleted finished resources deleted
   * @param failed deletes that failed (retried next sweep)
   * @param superseded running resources of an attempt a later attempt of the lineage replaced
   */
  record Result(int deleted, int failed, int superseded) {
    Result(int deleted, int failed) {
      this(deleted, failed, 0);
    }
  }

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
    try {
      sweepPending();
    } catch (ApiCalls.DeadlineOver | RuntimeException e) {
      log.warn("sweep of pending creations failed, next sweep retries: {}", e.toString());
    }
  }

  /**
   * Deletes leftover ConfigMaps of tasks that waited for quota: the resource exists already (the
   * delete after its creation failed), or nobody polled the task for {@link
   * RuntimeConfig#unreportedCleanupLimit()} (its execution is gone).
   *
   * @return how many were deleted
   */
  int sweepPending() throws ApiCalls.DeadlineOver {
    Instant now = api.clock().instant();
    List<String> namespaces =
        config.allowedNamespaces().isEmpty()
            ? List.of(InformerKey.ALL_NAMESPACES)
            : config.allowedNamespaces().stream().sorted().toList();
    int deleted = 0;
    for (String namespace : namespaces) {
      List<ConfigMap> pending =
          api.onClient(
              Deadline.none(),
              Optional.of(config.apiReadTimeout()),
              "listing pending creations",
              c ->
                  (namespace.isEmpty()
                          ? c.configMaps().inAnyNamespace()
                          : c.configMaps().inNamespace(namespace))
                      .withLabel(ExecutionLabels.MANAGED_BY, config.managedBy())
                      .withLabel(ExecutionLabels.INSTANCE, config.instance())
                      .withLabel(PendingCreations.PENDING_FOR)
                      .list()
                      .getItems());
      for (ConfigMap configMap : pending) {
        String ns = configMap.getMetadata().getNamespace();
        String name = configMap.getMetadata().getLabels().get(PendingCreations.PENDING_FOR);
        String created = configMap.getMetadata().getCreationTimestamp();
        boolean old =
            created != null
                && !now.isBefore(Instant.parse(created).plus(config.unreportedCleanupLimit()));
        boolean resourceExists =
            runtime.informers().values().stream()
                .anyMatch(i -> i.getStore().getByKey(ns + "/" + name) != null);
        if (!old && !resourceExists) {
          continue;
        }
        try {
          api.onClient(
              Deadline.none(),
              Optional.of(config.apiReadTimeout()),
              "deleting a pending creation",
              c ->
                  c.configMaps()
                      .inNamespace(ns)
                      .withName(configMap.getMetadata().getName())
                      .delete());
          deleted++;
          log.info(
              "deleted pending creation {}/{} ({})",
              ns,
              configMap.getMetadata().getName(),
              resourceExists ? "its resource exists" : "never polled since " + created);
        } catch (KubernetesClientException e) {
          log.warn("could not delete pending creation {}/{}: {}", ns, name, e.toString());
        }
      }
    }
    return deleted;
  }

  /** One pass over every cached resource. */
  Result sweep() {
    Instant now = api.clock().instant();
    Set<String> seen = new HashSet<>();
    int deleted = 0;
    int failed = 0;
    int superseded = 0;
    for (Map.Entry<InformerKey, SharedIndexInformer<GenericKubernetesResource>> entry :
        runtime.informers().entrySet()) {
      ResourceIdentity identity = entry.getKey().identity();
      List<GenericKubernetesResource> cached = entry.getValue().getStore().list();
      Map<String, Integer> latestAttempt = latestAttempts(cached);
      for (GenericKubernetesResource resource : cached) {
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
          Optional<String> abandoned = abandonedReason(resource, phase, now);
          if (abandoned.isPresent()) {
            deleted += deleteAbandoned(identity, resource, abandoned.get()) ? 1 : 0;
            continue;
          }
          if (isSuperseded(labels, latestAttempt)) {
            // The abort at the later attempt's create failed: the old attempt must not keep
            // holding compute.
            try {
              delete(identity, resource);
              superseded++;
              log.info(
                  "aborted {} {}/{}: a later attempt of its lineage replaced it",
                  identity.kind(),
                  resource.getMetadata().getNamespace(),
                  resource.getMetadata().getName());
            } catch (KubernetesClientException | ApiCalls.DeadlineOver e) {
              failed++;
              log.warn("abort of superseded {} failed: {}", resource.getMetadata().getName(), e);
            }
          }
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
    return new Result(deleted, failed, superseded);
  }

  /**
   * Why a non-terminal resource must go now: past the pre-running limit with nobody polling it, or
   * back to running after its terminal status reached propeller (nobody tracks that rerun).
   */
  private Optional<String> abandonedReason(
      GenericKubernetesResource resource, PhaseInfo phase, Instant now) {
    if (TerminalHold.flippedBack(resource, phase)) {
      return Optional.of(
          "it went back to " + phase.phase() + " after its terminal status reached propeller");
    }
    return runtime.preRunning().expiry(resource, phase, now).map(PhaseInfo::message);
  }

  private boolean deleteAbandoned(
      ResourceIdentity identity, GenericKubernetesResource resource, String why) {
    try {
      delete(identity, resource);
      log.info(
          "deleted {} {}/{}: {}",
          identity.kind(),
          resource.getMetadata().getNamespace(),
          resource.getMetadata().getName(),
          why);
      return true;
    } catch (KubernetesClientException | ApiCalls.DeadlineOver e) {
      log.warn("could not delete {}: {}", resource.getMetadata().getName(), e.toString());
      return false;
    }
  }

  /** The highest attempt of each lineage among our own cached resources. */
  private Map<String, Integer> latestAttempts(List<GenericKubernetesResource> cached) {
    Map<String, Integer> latest = new HashMap<>();
    for (GenericKubernetesResource resource : cached) {
      Map<String, String> labels = KubernetesTaskRuntime.labelsOf(resource);
      String lineage = labels.get(ExecutionLabels.LINEAGE_KEY);
      int attempt = attemptOf(labels);
      if (lineage != null && attempt >= 0) {
        latest.merge(lineage, attempt, Math::max);
      }
    }
    return latest;
  }

  private static boolean isSuperseded(Map<String, String> labels, Map<String, Integer> latest) {
    String lineage = labels.get(ExecutionLabels.LINEAGE_KEY);
    int attempt = attemptOf(labels);
    return lineage != null && attempt >= 0 && latest.getOrDefault(lineage, -1) > attempt;
  }

  private static int attemptOf(Map<String, String> labels) {
    try {
      return Integer.parseInt(labels.getOrDefault(ExecutionLabels.RETRY_ATTEMPT, "-1"));
    } catch (NumberFormatException e) {
      return -1;
    }
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
  /**
   * @param reported the terminal status this instance answered, if it remembers one; else the
   *     resource's phase when marked is recorded
   */
  void markReported(OperatorPlugin plugin, TaskHandle handle, Optional<TaskStatus> reported) {
    String key = StatusReader.key(plugin, handle);
    boolean marked =
        runtime.informers().entrySet().stream()
            .filter(e -> e.getKey().identity().equals(plugin.identity()))
            .map(e -> e.getValue().getStore().getByKey(key))
            .anyMatch(
                r ->
                    r != null
                        && KubernetesTaskRuntime.labelsOf(r)
                            .containsKey(ExecutionLabels.TERMINAL_REPORTED_AT));
    if (marked || !marking.add(handle)) {
      return; // marked already (seen in the cache), or being marked
    }
    try {
      background.execute(() -> mark(plugin, handle, reported));
    } catch (RejectedExecutionException e) {
      marking.remove(handle);
      log.warn("runtime closed: cannot record that {} was reported", handle);
    }
  }

  private void mark(OperatorPlugin plugin, TaskHandle handle, Optional<TaskStatus> reported) {
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
      Optional<TaskExecution.Phase> phase = reported.map(TaskStatus::phase);
      if (phase.isEmpty()) {
        try {
          PhaseInfo current = plugin.phase(resource);
          if (current.phase().isTerminal()) {
            phase = Optional.of(KubernetesTaskRuntime.status(current).phase());
          }
        } catch (RuntimeException e) {
          // no phase label: nothing to hold
        }
      }
      String patch =
          api.client()
              .getKubernetesSerialization()
              .asJson(
                  Map.of(
                      "metadata",
                      Map.of("labels", TerminalHold.markLabels(api.clock().instant(), phase))));
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
