package io.fabric8.kubernetes.client.server.mock;

import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * For the agent benchmark's API server: a watch as {@code KubernetesCrudDispatcher.handleWatch}
 * opens it, without replaying every stored object as ADDED when it opens (a watch from a
 * resourceVersion gets the events after it). In this package because {@code WatchEventsListener} is
 * package-private.
 */
public final class BenchWatches {
  private BenchWatches() {}

  @SuppressWarnings({"unchecked", "rawtypes"})
  public static MockResponse withoutReplay(
      Context context, AttributeSet attributes, Set listeners) {
    WatchEventsListener listener =
        new WatchEventsListener(
            context,
            attributes,
            (Set<WatchEventsListener>) listeners,
            LoggerFactory.getLogger(KubernetesCrudDispatcher.class),
            opened -> {});
    listeners.add(listener);
    return new MockResponse().withWebSocketUpgrade(listener);
  }
}
