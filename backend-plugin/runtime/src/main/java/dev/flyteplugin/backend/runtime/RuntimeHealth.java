package dev.flyteplugin.backend.runtime;

/**
 * The runtime's view of the cluster, for readiness and metrics: a runtime whose watches are broken
 * answers from a cache that may be stale.
 *
 * @param synced every informer has completed its first list
 * @param watching every informer's watch is currently open
 * @param watchRestarts how many times a watch was lost and re-established (410 Gone, connection
 *     breaks), since start
 */
public record RuntimeHealth(boolean synced, boolean watching, long watchRestarts) {}
