package dev.flyteplugin.backend.runtime;

import dev.flyteplugin.backend.api.OperatorPlugin;
import dev.flyteplugin.backend.api.PhaseInfo;
import dev.flyteplugin.backend.api.TaskInfo;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers GetTask without ever stranding a task. Propeller counts every GetTask error and stops
 * polling a task after 5 ({@code flytestdlib} auto-refresh cache), and treats a missing object as
 * {@code ResourceDeletedExternally} (flytepropeller {@code
 * pkg/controller/nodes/task/k8s/plugin_manager.go}, {@code Handle}: NotFound from the cache). The
 * Go manager's cache is its own informer; ours may be unsynced (restart), cut (watch lost) or
 * behind (another instance created the task). So: the cache answers when it has the object; a miss
 * is checked against the API server, and only its 404 means deleted; an API error answers the last
 * status this runtime reported for the task, or a non-terminal "unknown" status.
 */
final class StatusReader {
  private static final Logger log = LoggerFactory.getLogger(StatusReader.class);

  private final ApiCalls api;
  private final RuntimeConfig config;
  private final Clock clock;
  private final Function<TaskHandle, Optional<SharedIndexInformer<GenericKubernetesResource>>>
      informerOf;
  private final Map<TaskHandle, Instant> recentlyCreated = new ConcurrentHashMap<>();

  /**
   * The creations in the order they were made, to forget those past the grace period from the head:
   * a scan of the whole map at every create was quadratic in the creations of one grace period
   * (10,000 map subtasks created within it).
   */
  private final Queue<Map.Entry<TaskHandle, Instant>> creationOrder = new ConcurrentLinkedQueue<>();

  private final LastStatuses last;
  private final PendingCreations pending;
  private final PreRunningLimit preRunning;

  StatusReader(
      ApiCalls api,
      RuntimeConfig config,
      Function<TaskHandle, Optional<SharedIndexInformer<GenericKubernetesResource>>> informerOf,
      PendingCreations pending,
      PreRunningLimit preRunning) {
    this.api = api;
    this.preRunning = preRunning;
    this.pending = pending;
    this.config = config;
    this.clock = api.clock();
    this.informerOf = informerOf;
    this.last = new LastStatuses(config.statusMemory());
  }

  /** The last statuses reported per task: a bounded map, least recently used dropped first. */
  static final class LastStatuses {
    private final int capacity;
    private final LinkedHashMap<TaskHandle, TaskStatus> map;

    LastStatuses(int capacity) {
      this.capacity = capacity;
      this.map =
          new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<TaskHandle, TaskStatus> eldest) {
              return size() > LastStatuses.this.capacity;
            }
          };
    }

    synchronized void put(TaskHandle handle, TaskStatus status) {
      map.put(handle, status);
    }

    synchronized Optional<TaskStatus> get(TaskHandle handle) {
      return Optional.ofNullable(map.get(handle));
    }

    synchronized void remove(TaskHandle handle) {
      map.remove(handle);
    }

    synchronized int size() {
      return map.size();
    }
  }

  LastStatuses lastStatuses() {
    return last;
  }

  void created(TaskHandle handle) {
    Instant now = clock.instant();
    // Forget creations the informer has had time to see (status() also forgets them when seen).
    for (Map.Entry<TaskHandle, Instant> oldest = creationOrder.peek();
        oldest != null
            && Duration.between(oldest.getValue(), now).compareTo(config.cacheGracePeriod()) > 0;
        oldest = creationOrder.peek()) {
      if (creationOrder.remove(oldest)) {
        recentlyCreated.remove(oldest.getKey(), oldest.getValue());
      }
    }
    recentlyCreated.put(handle, now);
    creationOrder.add(Map.entry(handle, now));
  }

  /** Creations still within their grace period, as far as the runtime remembers (tests). */
  int recentlyCreatedCount() {
    return recentlyCreated.size();
  }

  void forget(TaskHandle handle) {
    recentlyCreated.remove(handle);
    last.remove(handle);
  }

  /** The status from a synced cache holding the object; empty otherwise. */
  Optional<TaskStatus> cached(OperatorPlugin plugin, TaskHandle handle) {
    Optional<SharedIndexInformer<GenericKubernetesResource>> informer = informerOf.apply(handle);
    if (informer.isEmpty() || !informer.get().hasSynced()) {
      return Optional.empty();
    }
    GenericKubernetesResource resource = informer.get().getStore().getByKey(key(plugin, handle));
    if (resource == null) {
      return Optional.empty();
    }
    return Optional.of(answer(plugin, handle, resource));
  }

  TaskStatus status(OperatorPlugin plugin, TaskHandle handle) {
    Optional<SharedIndexInformer<GenericKubernetesResource>> informer = informerOf.apply(handle);
    if (informer.isEmpty()) {
      return KubernetesTaskRuntime.status(
          PhaseInfo.systemPermanentFailure(
              "NamespaceNotWatched",
              "namespace '"
                  + handle.namespace()
                  + "' is not among this runtime's allowed namespaces "
                  + config.allowedNamespaces().stream().sorted().toList(),
              TaskInfo.empty()));
    }
    if (informer.get().hasSynced()) {
      GenericKubernetesResource resource = informer.get().getStore().getByKey(key(plugin, handle));
      if (resource != null) {
        return answer(plugin, handle, resource);
      }
      Instant created = recentlyCreated.get(handle);
      if (created != null
          && Duration.between(created, clock.instant()).compareTo(config.cacheGracePeriod()) < 0) {
        return KubernetesTaskRuntime.status(
            PhaseInfo.queued("ResourceNotYetObserved", "created, waiting for the watch event"));
      }
    }
    // Unsynced, or a miss past the grace period: the API server decides.
    GenericKubernetesResource resource;
    try {
      resource =
          api.call(
              Deadline.none(),
              Optional.of(config.apiReadTimeout()),
              "reading " + handle,
              op -> op.inNamespace(handle.namespace()).withName(handle.name()).get(),
              plugin.identity());
    } catch (KubernetesClientException | ApiCalls.DeadlineOver e) {
      String why = e instanceof KubernetesClientException k ? "HTTP " + k.getCode() : "";
      log.warn("status of {}: API server read failed ({}): {}", handle, why, e.getMessage());
      return last.get(handle)
          .orElseGet(
              () ->
                  KubernetesTaskRuntime.status(
                      PhaseInfo.queued(
                          "StatusUnknown",
                          "the status is unknown: the informer cache does not hold "
                              + handle.namespace()
                              + "/"
                              + handle.name()
                              + " and reading it from the API server failed ("
                              + e.getMessage()
                              + "); asking again at the next poll")));
    }
    if (resource == null) {
      Optional<TaskStatus> waiting = pending.retry(plugin, handle);
      if (waiting.isPresent()) {
        if (waiting.get().phase() == flyteidl.core.Execution.TaskExecution.Phase.QUEUED) {
          created(handle); // created just now: the watch event follows
        }
        last.put(handle, waiting.get());
        return waiting.get();
      }
      // Deleted by the pre-running limit, or after a terminal status was answered (a rerun the
      // sweeper removed, a cleanup): that answer stands.
      Optional<TaskStatus> kept =
          preRunning.remembered(handle).or(() -> last.get(handle).filter(TaskStatus::isTerminal));
      if (kept.isPresent()) {
        return kept.get();
      }
      // Only the API server's 404 means gone. Our informer sees only resources with our
      // managed-by label, but a direct read sees any: a foreign one is reported below.
      return KubernetesTaskRuntime.status(
          PhaseInfo.systemRetryableFailure(
              "ResourceDeletedExternally",
              plugin.identity().kind()
                  + " "
                  + handle.namespace()
                  + "/"
                  + handle.name()
                  + " does not exist (the API server answered 404): it was deleted externally",
              TaskInfo.empty()));
    }
    return answer(plugin, handle, resource);
  }

  private TaskStatus answer(
      OperatorPlugin plugin, TaskHandle handle, GenericKubernetesResource resource) {
    recentlyCreated.remove(handle);
    Optional<String> foreign = foreignReason(resource, handle);
    if (foreign.isPresent()) {
      return KubernetesTaskRuntime.status(
          PhaseInfo.systemPermanentFailure("ForeignResource", foreign.get(), TaskInfo.empty()));
    }
    PhaseInfo phase;
    try {
      phase = plugin.phase(resource);
    } catch (RuntimeException e) {
      log.error("plugin {} failed to map the phase of {}", plugin.getClass().getName(), handle, e);
      phase =
          PhaseInfo.systemRetryableFailure(
              "PhaseMappingFailed",
              "plugin " + plugin.getClass().getName() + " could not read the resource: " + e,
              TaskInfo.empty());
    }
    phase = preRunning.apply(handle, resource, phase);
    TaskStatus status;
    if (resource.getMetadata().getDeletionTimestamp() != null && !phase.phase().isTerminal()) {
      // As the Go manager does: a non-terminal object being deleted will not finish.
      status =
          KubernetesTaskRuntime.status(
              PhaseInfo.systemRetryableFailure(
                  "UnexpectedObjectDeletion",
                  "the resource is being deleted while the task is " + phase.phase(),
                  phase.info()));
    } else {
      status = KubernetesTaskRuntime.status(phase);
    }
    status = TerminalHold.hold(resource, status, last.get(handle));
    last.put(handle, status);
    return status;
  }

  /** Why the runtime must not touch this object, if it is not this handle's. */
  Optional<String> foreignReason(GenericKubernetesResource resource, TaskHandle handle) {
    Map<String, String> labels = KubernetesTaskRuntime.labelsOf(resource);
    if (!config.managedBy().equals(labels.get(ExecutionLabels.MANAGED_BY))) {
      return Optional.of(
          handle.namespace()
              + "/"
              + handle.name()
              + " is not managed by "
              + config.managedBy()
              + "; refusing to touch it");
    }
    String type = labels.get(ExecutionLabels.TASK_TYPE);
    String version = labels.get(ExecutionLabels.TASK_TYPE_VERSION);
    if (!ResourceNames.labelValue(handle.category().name()).equals(type)
        || !Integer.toString(handle.category().version()).equals(version)) {
      return Optional.of(
          handle.namespace()
              + "/"
              + handle.name()
              + " belongs to task type "
              + type
              + "@v"
              + version
              + ", not "
              + handle.category()
              + "; refusing to touch it");
    }
    return Optional.empty();
  }

  static String key(OperatorPlugin plugin, TaskHandle handle) {
    return plugin.identity().namespaced()
        ? handle.namespace() + "/" + handle.name()
        : handle.name();
  }
}
