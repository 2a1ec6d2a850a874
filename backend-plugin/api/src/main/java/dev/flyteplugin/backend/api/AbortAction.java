package dev.flyteplugin.backend.api;

import java.util.Map;
import java.util.Optional;

/**
 * How to abort a task: delete its resource (the default) or apply a JSON merge patch to it (e.g.
 * set {@code spec.suspend: true}). Made by the named factories.
 */
public final class AbortAction {
  private static final AbortAction DELETE = new AbortAction(null);

  private final Map<String, Object> mergePatch;

  private AbortAction(Map<String, Object> mergePatch) {
    this.mergePatch = mergePatch;
  }

  /** Delete the resource, with its dependents (pods). */
  public static AbortAction delete() {
    return DELETE;
  }

  /** Keep the resource and apply this JSON merge patch (RFC 7386) to it. */
  public static AbortAction mergePatch(Map<String, Object> patch) {
    if (patch.isEmpty()) {
      throw new IllegalArgumentException("an abort merge patch must change something");
    }
    return new AbortAction(Map.copyOf(patch));
  }

  /** The merge patch, or empty for delete. */
  public Optional<Map<String, Object>> patch() {
    return Optional.ofNullable(mergePatch);
  }

  @Override
  public String toString() {
    return mergePatch == null ? "AbortAction.delete" : "AbortAction.mergePatch" + mergePatch;
  }
}
