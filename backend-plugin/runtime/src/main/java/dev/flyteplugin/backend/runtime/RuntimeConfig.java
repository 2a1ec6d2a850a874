package dev.flyteplugin.backend.runtime;

import static java.util.Objects.requireNonNull;

import dev.flyteplugin.backend.api.TaskPolicy;
import java.time.Duration;
import java.util.Set;

/**
 * Settings of the {@link KubernetesTaskRuntime}. Start from {@link #defaults()} and change what you
 * need with the {@code with...} methods.
 *
 * @param managedBy value of the {@code app.kubernetes.io/managed-by} label on every resource this
 *     runtime creates; the runtime only ever reads, aborts or deletes resources carrying it. Give
 *     two runtimes sharing a cluster different values only if they must not see each other's tasks.
 * @param instance value of the {@code flyteplugin.dev/instance} label: which deployment created a
 *     resource. The cleanup sweeper deletes only resources of its own instance, so two deployments
 *     sharing a managed-by value never sweep each other's objects. Defaults to {@code managedBy}.
 * @param defaultNamespace namespace used when the execution metadata names none
 * @param allowedNamespaces namespaces tasks may run in; empty allows every namespace
 * @param cleanupTtl how long a finished resource is kept after its terminal status reached
 *     propeller ({@link TaskRuntime#markReported}) before the sweeper deletes it
 * @param minCleanupTtl the smallest {@code cleanupTtl} accepted, and the least time a plugin may
 *     let its operator keep a finished resource (e.g. Spark's {@code timeToLiveSeconds} is raised
 *     to it): nothing may delete a result before propeller has polled it
 * @param unreportedCleanupLimit how long a finished resource whose status never reached propeller
 *     (e.g. the execution was deleted) is kept before the sweeper deletes it anyway
 * @param sweepInterval how often the cleanup sweeper looks for finished resources
 * @param informerResync the informers' resync period; zero turns resync off
 * @param createAttempts API calls made to create a resource before a transient error is given up
 *     (at least 1); always bounded by the caller's deadline
 * @param createBackoff the first wait between create attempts; it doubles up to {@code
 *     maxCreateBackoff}
 * @param maxCreateBackoff the longest wait between create attempts
 * @param cacheGracePeriod how long a resource this instance just created may be missing from the
 *     informer cache before status reads it from the API server
 * @param apiReadTimeout the longest a status read from the API server (on a cache miss) may take
 * @param statusMemory how many tasks' last reported statuses are remembered, to answer while the
 *     API server fails (least recently used forgotten first)
 * @param policy what the deployment allows a task to ask for (service account override, operator
 *     configuration keys); every plugin's {@link dev.flyteplugin.backend.api.OperatorPlugin#admit}
 *     is called with it
 * @param maxPreRunning the longest a task may stay in a pre-running phase (QUEUED,
 *     WAITING_FOR_RESOURCES, INITIALIZING: e.g. Spark's SUBMITTED with a driver pod that never
 *     starts) before it fails as a retryable {@code PreRunningTimeout} and its resource is deleted
 *     with its pods; measured from the phase's {@code occurredAt} if the plugin reports one, else
 *     from the resource's creation timestamp (kept by the API server, so an agent restart does not
 *     reset it). Zero turns the limit off (as flyteplugins' {@code pod-pending-timeout} default)
 */
public record RuntimeConfig(
    String managedBy,
    String instance,
    String defaultNamespace,
    Set<String> allowedNamespaces,
    Duration cleanupTtl,
    Duration minCleanupTtl,
    Duration unreportedCleanupLimit,
    Duration sweepInterval,
    Duration informerResync,
    int createAttempts,
    Duration createBackoff,
    Duration maxCreateBackoff,
    Duration cacheGracePeriod,
    Duration apiReadTimeout,
    int statusMemory,
    TaskPolicy policy,
    Duration maxPreRunning) {

  public static final String DEFAULT_MANAGED_BY = "flyteplugin-backend";

  /**
   * Propeller polls GetTask every 30 s (its resync period) and gives up on a task after 5 failed
   * polls; ten minutes leaves room for many polls and a propeller restart.
   */
  public static final Duration DEFAULT_MIN_CLEANUP_TTL = Duration.ofMinutes(10);

  public RuntimeConfig {
    requireNonNull(managedBy, "managedBy");
    requireNonNull(instance, "instance");
    requireNonNull(defaultNamespace, "defaultNamespace");
    allowedNamespaces = Set.copyOf(allowedNamespaces);
    requireNonNull(cleanupTtl, "cleanupTtl");
    requireNonNull(minCleanupTtl, "minCleanupTtl");
    requireNonNull(unreportedCleanupLimit, "unreportedCleanupLimit");
    requireNonNull(sweepInterval, "sweepInterval");
    requireNonNull(informerResync, "informerResync");
    requireNonNull(createBackoff, "createBackoff");
    requireNonNull(maxCreateBackoff, "maxCreateBackoff");
    requireNonNull(cacheGracePeriod, "cacheGracePeriod");
    requireNonNull(apiReadTimeout, "apiReadTimeout");
    requireNonNull(policy, "policy");
    requireNonNull(maxPreRunning, "maxPreRunning");
    if (maxPreRunning.isNegative()) {
      throw new IllegalArgumentException(
          "maxPreRunning must be >= 0 (0 = no limit), got "
              + maxPreRunning
              + " (agent: --max-pre-running / FLYTE_AGENT_MAX_PRE_RUNNING)");
    }
    if (!ResourceNames.isLabelValue(managedBy) || managedBy.isEmpty()) {
      throw new IllegalArgumentException(
          "managedBy must be a valid label value (letters, digits, '-', '_', '.'; <= 63), got '"
              + managedBy
              + "'");
    }
    if (!ResourceNames.isLabelValue(instance) || instance.isEmpty()) {
      throw new IllegalArgumentException(
          "instance must be a valid label value (letters, digits, '-', '_', '.'; <= 63), got '"
              + instance
              + "'");
    }
    if (defaultNamespace.isBlank()) {
      throw new IllegalArgumentException("defaultNamespace must not be blank");
    }
    if (cleanupTtl.isNegative()
        || minCleanupTtl.isNegative()
        || sweepInterval.isNegative()
        || sweepInterval.isZero()) {
      throw new IllegalArgumentException(
          "cleanupTtl and minCleanupTtl must be >= 0 and sweepInterval > 0, got "
              + cleanupTtl
              + ", "
              + minCleanupTtl
              + ", "
              + sweepInterval);
    }
    if (cleanupTtl.compareTo(minCleanupTtl) < 0) {
      throw new IllegalArgumentException(
          "cleanup TTL "
              + cleanupTtl
              + " is below the minimum "
              + minCleanupTtl
              + " (minCleanupTtl): a finished resource must outlive propeller's polling (every"
              + " 30 s, given up after 5 failures). Set the TTL (agent: --ttl / FLYTE_AGENT_TTL) to"
              + " at least "
              + minCleanupTtl);
    }
    if (unreportedCleanupLimit.compareTo(cleanupTtl) < 0) {
      throw new IllegalArgumentException(
          "unreportedCleanupLimit "
              + unreportedCleanupLimit
              + " must be >= cleanupTtl "
              + cleanupTtl);
    }
    if (informerResync.isNegative()
        || createBackoff.isNegative()
        || cacheGracePeriod.isNegative()) {
      throw new IllegalArgumentException("durations must not be negative");
    }
    if (apiReadTimeout.isNegative() || apiReadTimeout.isZero()) {
      throw new IllegalArgumentException("apiReadTimeout must be > 0, got " + apiReadTimeout);
    }
    if (createAttempts < 1) {
      throw new IllegalArgumentException("createAttempts must be >= 1, got " + createAttempts);
    }
    if (statusMemory < 1) {
      throw new IllegalArgumentException("statusMemory must be >= 1, got " + statusMemory);
    }
  }

  /**
   * managed-by and instance {@value #DEFAULT_MANAGED_BY}, namespace {@code default}, every
   * namespace allowed, cleanup 1 h after the result reached propeller (minimum 10 min; 7 days for
   * results never reported), sweep every minute, no resync, 5 create attempts from 200 ms backoff
   * up to 5 s, 30 s cache grace, 5 s API reads on a cache miss, last statuses of 10 000 tasks, no
   * pre-running limit.
   */
  public static RuntimeConfig defaults() {
    return new RuntimeConfig(
        DEFAULT_MANAGED_BY,
        DEFAULT_MANAGED_BY,
        "default",
        Set.of(),
        Duration.ofHours(1),
        DEFAULT_MIN_CLEANUP_TTL,
        Duration.ofDays(7),
        Duration.ofMinutes(1),
        Duration.ZERO,
        5,
        Duration.ofMillis(200),
        Duration.ofSeconds(5),
        Duration.ofSeconds(30),
        Duration.ofSeconds(5),
        10_000,
        TaskPolicy.defaults(),
        Duration.ZERO);
  }

  /** A mutable copy, for the {@code with...} methods. */
  private static final class Copy {
    String managedBy;
    String instance;
    String defaultNamespace;
    Set<String> allowedNamespaces;
    Duration cleanupTtl;
    Duration minCleanupTtl;
    Duration unreportedCleanupLimit;
    Duration sweepInterval;
    Duration informerResync;
    int createAttempts;
    Duration createBackoff;
    Duration maxCreateBackoff;
    Duration cacheGracePeriod;
    Duration apiReadTimeout;
    int statusMemory;
    TaskPolicy policy;
    Duration maxPreRunning;

    Copy(RuntimeConfig c) {
      managedBy = c.managedBy;
      instance = c.instance;
      defaultNamespace = c.defaultNamespace;
      allowedNamespaces = c.allowedNamespaces;
      cleanupTtl = c.cleanupTtl;
      minCleanupTtl = c.minCleanupTtl;
      unreportedCleanupLimit = c.unreportedCleanupLimit;
      sweepInterval = c.sweepInterval;
      informerResync = c.informerResync;
      createAttempts = c.createAttempts;
      createBackoff = c.createBackoff;
      maxCreateBackoff = c.maxCreateBackoff;
      cacheGracePeriod = c.cacheGracePeriod;
      apiReadTimeout = c.apiReadTimeout;
      statusMemory = c.statusMemory;
      policy = c.policy;
      maxPreRunning = c.maxPreRunning;
    }

    RuntimeConfig build() {
      return new RuntimeConfig(
          managedBy,
          instance,
          defaultNamespace,
          allowedNamespaces,
          cleanupTtl,
          minCleanupTtl,
          unreportedCleanupLimit,
          sweepInterval,
          informerResync,
          createAttempts,
          createBackoff,
          maxCreateBackoff,
          cacheGracePeriod,
          apiReadTimeout,
          statusMemory,
          policy,
          maxPreRunning);
    }
  }

  private RuntimeConfig with(java.util.function.Consumer<Copy> change) {
    Copy copy = new Copy(this);
    change.accept(copy);
    return copy.build();
  }

  /** The managed-by label value; the instance follows it unless it was set on its own. */
  public RuntimeConfig withManagedBy(String value) {
    return with(
        c -> {
          if (c.instance.equals(c.managedBy)) {
            c.instance = value;
          }
          c.managedBy = value;
        });
  }

  public RuntimeConfig withInstance(String value) {
    return with(c -> c.instance = value);
  }

  public RuntimeConfig withDefaultNamespace(String value) {
    return with(c -> c.defaultNamespace = value);
  }

  public RuntimeConfig withAllowedNamespaces(Set<String> value) {
    return with(c -> c.allowedNamespaces = value);
  }

  /**
   * Cleanup of finished resources: keep them {@code ttl} after propeller saw the result, look every
   * {@code interval}. The limit for results never reported is raised to {@code ttl} if below it.
   *
   * @throws IllegalArgumentException when {@code ttl} is below {@link #minCleanupTtl()}
   */
  public RuntimeConfig withCleanup(Duration ttl, Duration interval) {
    return with(
        c -> {
          c.cleanupTtl = ttl;
          c.sweepInterval = interval;
          if (c.unreportedCleanupLimit.compareTo(ttl) < 0) {
            c.unreportedCleanupLimit = ttl;
          }
        });
  }

  /** The smallest cleanup TTL accepted (and the least time operators keep a finished resource). */
  public RuntimeConfig withMinCleanupTtl(Duration value) {
    return with(c -> c.minCleanupTtl = value);
  }

  /** How long a finished resource whose result never reached propeller is kept. */
  public RuntimeConfig withUnreportedCleanupLimit(Duration value) {
    return with(c -> c.unreportedCleanupLimit = value);
  }

  public RuntimeConfig withInformerResync(Duration value) {
    return with(c -> c.informerResync = value);
  }

  /**
   * Create retries: {@code attempts} calls, waits from {@code backoff} doubling up to {@code max}.
   */
  public RuntimeConfig withCreateRetries(int attempts, Duration backoff, Duration max) {
    return with(
        c -> {
          c.createAttempts = attempts;
          c.createBackoff = backoff;
          c.maxCreateBackoff = max;
        });
  }

  public RuntimeConfig withCacheGracePeriod(Duration value) {
    return with(c -> c.cacheGracePeriod = value);
  }

  public RuntimeConfig withApiReadTimeout(Duration value) {
    return with(c -> c.apiReadTimeout = value);
  }

  /** What tasks may ask for: service account override, denied operator configuration keys. */
  public RuntimeConfig withPolicy(TaskPolicy value) {
    return with(c -> c.policy = value);
  }

  /**
   * Whether a task in {@code namespace} may be created, read, aborted or have its logs read: every
   * namespace when {@link #allowedNamespaces()} is empty.
   */
  public boolean namespaceAllowed(String namespace) {
    return allowedNamespaces.isEmpty() || allowedNamespaces.contains(namespace);
  }

  /**
   * The longest a task may stay pre-running (QUEUED, WAITING_FOR_RESOURCES, INITIALIZING); zero
   * turns the limit off.
   */
  public RuntimeConfig withMaxPreRunning(Duration value) {
    return with(c -> c.maxPreRunning = value);
  }

  public RuntimeConfig withStatusMemory(int value) {
    return with(c -> c.statusMemory = value);
  }
}
