package dev.flyteplugin.backend.runtime;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts lost watches. fabric8's informer re-lists after 410 Gone and re-watches after a broken
 * connection without telling anyone; the exception handler only sees list/watch calls that fail. So
 * a watch counts as restarted when the handler saw a failure, or when a periodic look at {@link
 * SharedIndexInformer#isWatching()} finds a watch that was open closed.
 */
final class WatchHealth {
  private final AtomicLong restarts = new AtomicLong();
  private final Map<SharedIndexInformer<?>, Boolean> wasWatching = new ConcurrentHashMap<>();

  /** Called by an informer's exception handler. */
  void failed() {
    restarts.incrementAndGet();
  }

  /** Looks at every informer once; counts each open-to-closed transition. */
  synchronized void poll(Collection<SharedIndexInformer<GenericKubernetesResource>> informers) {
    try {
      for (SharedIndexInformer<GenericKubernetesResource> informer : informers) {
        boolean watching = informer.isWatching();
        Boolean before = wasWatching.put(informer, watching);
        if (Boolean.TRUE.equals(before) && !watching) {
          restarts.incrementAndGet();
        }
      }
      wasWatching.keySet().retainAll(new java.util.HashSet<>(informers));
    } catch (RuntimeException e) {
      // never let a failed look end the periodic looks
    }
  }

  long restarts() {
    return restarts.get();
  }
}
