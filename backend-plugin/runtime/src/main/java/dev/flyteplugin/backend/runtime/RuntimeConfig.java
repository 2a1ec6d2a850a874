package dev.flyteplugin.backend.runtime;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Set;

/**
 * Settings of the {@link KubernetesTaskRuntime}. Start from {@link #defaults()} and change what you
 * need with the {@code with...} methods.
 *
 * @param managedBy value of the {@code app.kubernetes.io/managed-by} label on every resource this
 *     runtime creates; the runtime only ever reads, aborts or deletes resources carrying it. Give
 *     two runtimes sharing a cluster different values only if they must not see each other's tasks.
 * @param defaultNamespace namespace used when the execution metadata names none
 * @param allowedNamespaces namespaces tasks may run in; empty allows every namespace
 * @param cleanupTtl how long a finished resource is kept (for its logs and UI) before the runtime
 *     deletes it, measured from its terminal transition. Keep it well above propeller's polling
 *     interval: a resource removed before propeller saw its final phase reads as deleted
 *     externally.
 * @param sweepInterval how often the cleanup sweeper looks for finished resources
 * @param informerResync the informers' resync period; zero turns resync off
 * @param createAttempts API calls made to create a resource before a transient error is given up
 *     (at least 1)
 * @param createBackoff the first wait between create attempts; it doubles up to {@code
 *     maxCreateBackoff}
 * @param maxCreateBackoff the longest wait between create attempts
 * @param cacheGracePeriod how long a resource this instance just created may be missing from the
 *     informer cache before it counts as deleted externally
 */
public record RuntimeConfig(
    String managedBy,
    String defaultNamespace,
    Set<String> allowedNamespaces,
    Duration cleanupTtl,
    Duration sweepInterval,
    Duration informerResync,
    int createAttempts,
    Duration createBackoff,
    Duration maxCreateBackoff,
    Duration cacheGracePeriod) {

  public static final String DEFAULT_MANAGED_BY = "flyteplugin-backend";

  public RuntimeConfig {
    requireNonNull(managedBy, "managedBy");
    requireNonNull(defaultNamespace, "defaultNamespace");
    allowedNamespaces = Set.copyOf(allowedNamespaces);
    requireNonNull(cleanupTtl, "cleanupTtl");
    requireNonNull(sweepInterval, "sweepInterval");
    requireNonNull(informerResync, "informerResync");
    requireNonNull(createBackoff, "createBackoff");
    requireNonNull(maxCreateBackoff, "maxCreateBackoff");
    requireNonNull(cacheGracePeriod, "cacheGracePeriod");
    if (!ResourceNames.isLabelValue(managedBy) || managedBy.isEmpty()) {
      throw new IllegalArgumentException(
          "managedBy must be a valid label value (letters, digits, '-', '_', '.'; <= 63), got '"
              + managedBy
              + "'");
    }
    if (defaultNamespace.isBlank()) {
      throw new IllegalArgumentException("defaultNamespace must not be blank");
    }
    if (cleanupTtl.isNegative() || sweepInterval.isNegative() || sweepInterval.isZero()) {
      throw new IllegalArgumentException(
          "cleanupTtl must be >= 0 and sweepInterval > 0, got "
              + cleanupTtl
              + ", "
              + sweepInterval);
    }
    if (informerResync.isNegative()
        || createBackoff.isNegative()
        || cacheGracePeriod.isNegative()) {
      throw new IllegalArgumentException("durations must not be negative");
    }
    if (createAttempts < 1) {
      throw new IllegalArgumentException("createAttempts must be >= 1, got " + createAttempts);
    }
  }

  /**
   * managed-by {@value #DEFAULT_MANAGED_BY}, namespace {@code default}, every namespace allowed,
   * cleanup 1 h after the end (sweep every minute), no resync, 5 create attempts from 200 ms
   * backoff up to 5 s, 30 s cache grace.
   */
  public static RuntimeConfig defaults() {
    return new RuntimeConfig(
        DEFAULT_MANAGED_BY,
        "default",
        Set.of(),
        Duration.ofHours(1),
        Duration.ofMinutes(1),
        Duration.ZERO,
        5,
        Duration.ofMillis(200),
        Duration.ofSeconds(5),
        Duration.ofSeconds(30));
  }

  public RuntimeConfig withManagedBy(String value) {
    return new RuntimeConfig(
        value,
        defaultNamespace,
        allowedNamespaces,
        cleanupTtl,
        sweepInterval,
        informerResync,
        createAttempts,
        createBackoff,
        maxCreateBackoff,
        cacheGracePeriod);
  }

  public RuntimeConfig withDefaultNamespace(String value) {
    return new RuntimeConfig(
        managedBy,
        value,
        allowedNamespaces,
        cleanupTtl,
        sweepInterval,
        informerResync,
        createAttempts,
        createBackoff,
        maxCreateBackoff,
        cacheGracePeriod);
  }

  public RuntimeConfig withAllowedNamespaces(Set<String> value) {
    return new RuntimeConfig(
        managedBy,
        defaultNamespace,
        value,
        cleanupTtl,
        sweepInterval,
        informerResync,
        createAttempts,
        createBackoff,
        maxCreateBackoff,
        cacheGracePeriod);
  }

  /** Cleanup of finished resources: keep them {@code ttl}, look every {@code interval}. */
  public RuntimeConfig withCleanup(Duration ttl, Duration interval) {
    return new RuntimeConfig(
        managedBy,
        defaultNamespace,
        allowedNamespaces,
        ttl,
        interval,
        informerResync,
        createAttempts,
        createBackoff,
        maxCreateBackoff,
        cacheGracePeriod);
  }

  public RuntimeConfig withInformerResync(Duration value) {
    return new RuntimeConfig(
        managedBy,
        defaultNamespace,
        allowedNamespaces,
        cleanupTtl,
        sweepInterval,
        value,
        createAttempts,
        createBackoff,
        maxCreateBackoff,
        cacheGracePeriod);
  }

  /**
   * Create retries: {@code attempts} calls, waits from {@code backoff} doubling up to {@code max}.
   */
  public RuntimeConfig withCreateRetries(int attempts, Duration backoff, Duration max) {
    return new RuntimeConfig(
        managedBy,
        defaultNamespace,
        allowedNamespaces,
        cleanupTtl,
        sweepInterval,
        informerResync,
        attempts,
        backoff,
        max,
        cacheGracePeriod);
  }

  public RuntimeConfig withCacheGracePeriod(Duration value) {
    return new RuntimeConfig(
        managedBy,
        defaultNamespace,
        allowedNamespaces,
        cleanupTtl,
        sweepInterval,
        informerResync,
        createAttempts,
        createBackoff,
        maxCreateBackoff,
        value);
  }
}
