package dev.flyteplugin.backend.runtime;

import dev.flyteplugin.backend.api.ResourceIdentity;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's informer cache: one shared informer per kind (or per kind and allowed namespace),
 * restricted to this deployment's resources by the managed-by label, each storing its objects in a
 * {@link CompactResourceStore}. The status reader answers GetTask from it, the sweeper walks it.
 * All informers share one string interner, so label values shared across kinds are kept once.
 */
final class StatusCache {
  private static final Logger log = LoggerFactory.getLogger(StatusCache.class);

  /**
   * Distinct label strings shared at most (about 100 bytes each): enough for every project, domain,
   * task name, node id and map-task execution of a large deployment at once; past it, the interner
   * starts over (see {@link CompactResourceStore.Interner}).
   */
  static final int INTERNED_STRINGS = 65_536;

  private final KubernetesClient client;
  private final String managedBy;
  private final Duration resync;
  private final WatchHealth watchHealth;
  private final CompactResourceStore.Interner interner =
      new CompactResourceStore.Interner(INTERNED_STRINGS);
  private final Map<InformerKey, SharedIndexInformer<GenericKubernetesResource>> informers =
      new ConcurrentHashMap<>();

  StatusCache(KubernetesClient client, String managedBy, Duration resync, WatchHealth watchHealth) {
    this.client = client;
    this.managedBy = managedBy;
    this.resync = resync;
    this.watchHealth = watchHealth;
  }

  /** Starts the informer of this key unless it runs already. */
  void start(InformerKey key) {
    informers.computeIfAbsent(key, this::startInformer);
  }

  private SharedIndexInformer<GenericKubernetesResource> startInformer(InformerKey key) {
    var operation =
        client.genericKubernetesResources(KubernetesTaskRuntime.context(key.identity()));
    SharedIndexInformer<GenericKubernetesResource> informer =
        (key.allNamespaces() ? operation.inAnyNamespace() : operation.inNamespace(key.namespace()))
            .withLabel(ExecutionLabels.MANAGED_BY, managedBy)
            .runnableInformer(resync.toMillis())
            .removeNamespaceIndex(); // look-ups are by key only
    informer.itemStore(
        new CompactResourceStore(key.identity().apiVersion(), key.identity().kind(), interner));
    informer.exceptionHandler(
        (isStarted, t) -> {
          watchHealth.failed();
          log.warn("informer of {} failed, retrying: {}", key, t.toString());
          return true;
        });
    informer.start();
    return informer;
  }

  /** The informer holding resources of this kind in this namespace, if one runs. */
  Optional<SharedIndexInformer<GenericKubernetesResource>> informerOf(
      ResourceIdentity identity, String namespace) {
    SharedIndexInformer<GenericKubernetesResource> informer =
        informers.get(new InformerKey(identity, InformerKey.ALL_NAMESPACES));
    if (informer == null) {
      informer = informers.get(new InformerKey(identity, namespace));
    }
    return Optional.ofNullable(informer);
  }

  boolean isEmpty() {
    return informers.isEmpty();
  }

  /** Every informer has listed its resources once. */
  boolean hasSynced() {
    return informers.values().stream().allMatch(SharedIndexInformer::hasSynced);
  }

  /** Every informer's watch is open. */
  boolean isWatching() {
    return !informers.isEmpty()
        && informers.values().stream().allMatch(SharedIndexInformer::isWatching);
  }

  Collection<SharedIndexInformer<GenericKubernetesResource>> all() {
    return informers.values();
  }

  Map<InformerKey, SharedIndexInformer<GenericKubernetesResource>> byKey() {
    return informers;
  }

  void close() {
    informers.values().forEach(SharedIndexInformer::close);
    informers.clear();
  }
}
