package dev.flyteplugin.backend.runtime;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Struct;
import dev.flyteplugin.backend.api.AbortAction;
import dev.flyteplugin.backend.api.AbortablePlugin;
import dev.flyteplugin.backend.api.OperatorPlugin;
import dev.flyteplugin.backend.api.PhaseInfo;
import dev.flyteplugin.backend.api.PolicyViolationException;
import dev.flyteplugin.backend.api.ResourceBuildException;
import dev.flyteplugin.backend.api.ResourceIdentity;
import dev.flyteplugin.backend.api.TaskContext;
import flyteidl.core.Execution.ExecutionError;
import flyteidl.core.Execution.TaskExecution;
import flyteidl.core.IdentifierOuterClass.TaskExecutionIdentifier;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugin manager: runs Flyte tasks as custom resources through the registered {@link
 * OperatorPlugin}s, with the duties of flyteplugins' {@code pluginmachinery/k8s} plugin manager
 * ({@code flytepropeller/pkg/controller/nodes/task/k8s/plugin_manager.go}): deterministic names,
 * execution labels, idempotent create, status from shared informers, the Go manager's error
 * classes, abort by deletion, and cleanup of finished resources (propeller never deletes on success
 * or failure, so this runtime's sweeper does).
 *
 * <p>All state lives in the API server: a new instance answers for resources created by an earlier
 * one. Resources without this runtime's managed-by label are never read, aborted or deleted.
 *
 * <p>The concerns live in small classes behind this facade: {@link TaskIdentity} (names and keys by
 * lineage and attempt), {@link Launcher} (create within the caller's deadline, adoption, abort of
 * earlier attempts), {@link PendingCreations} (tasks waiting for quota), {@link StatusReader}
 * (GetTask answers that never strand a task), {@link CleanupSweeper} (cleanup after propeller saw
 * the result) and {@link WatchHealth}.
 */
public final class KubernetesTaskRuntime implements TaskRuntime {
  private static final Logger log = LoggerFactory.getLogger(KubernetesTaskRuntime.class);

  private final KubernetesClient client;
  private final PluginRegistry registry;
  private final RuntimeConfig config;
  private final Clock clock;
  private final StatusCache cache;
  private final ScheduledExecutorService scheduler;
  private final ApiCalls api;
  private final Launcher launcher;
  private final StatusReader statusReader;
  private final PendingCreations pending;
  private final CleanupSweeper sweeper;
  private final PreRunningLimit preRunning;
  private final WatchHealth watchHealth = new WatchHealth();
  private volatile boolean started;

  private KubernetesTaskRuntime(Builder builder) {
    this.client = requireNonNull(builder.client, "client");
    this.registry = requireNonNull(builder.registry, "registry");
    this.config = requireNonNull(builder.config, "config");
    this.clock = requireNonNull(builder.clock, "clock");
    // Sweeps, watch-health looks, reported marks, abandoned-create cleanup and aborts of earlier
    // attempts: all short, bounded API calls.
    this.scheduler =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "flyteplugin-runtime-background");
              t.setDaemon(true);
              return t;
            });
    this.api = new ApiCalls(client, clock);
    this.cache = new StatusCache(client, config.managedBy(), config.informerResync(), watchHealth);
    this.launcher = new Launcher(api, config, scheduler);
    this.pending = new PendingCreations(api, config);
    this.preRunning =
        new PreRunningLimit(config, api, scheduler, handle -> abort(handle, Deadline.none()));
    this.statusReader = new StatusReader(api, config, this::informerOf, pending, preRunning);
    this.sweeper = new CleanupSweeper(this, api, config, scheduler);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link KubernetesTaskRuntime}: a client and a registry are required. */
  public static final class Builder {
    private KubernetesClient client;
    private PluginRegistry registry;
    private RuntimeConfig config = RuntimeConfig.defaults();
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The client to the cluster. The runtime does not close it. */
    public Builder client(KubernetesClient client) {
      this.client = client;
      return this;
    }

    public Builder registry(PluginRegistry registry) {
      this.registry = registry;
      return this;
    }

    public Builder config(RuntimeConfig config) {
      this.config = config;
      return this;
    }

    /** The clock of deadlines, cleanup TTLs and the cache grace period (tests). */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public KubernetesTaskRuntime build() {
      return new KubernetesTaskRuntime(this);
    }
  }

  public RuntimeConfig config() {
    return config;
  }

  public PluginRegistry registry() {
    return registry;
  }

  @Override
  public List<TaskCategory> taskCategories() {
    return registry.categories();
  }

  @Override
  public synchronized void start() {
    if (started) {
      return;
    }
    for (OperatorPlugin plugin : registry.plugins()) {
      for (InformerKey key : informerKeys(plugin.identity())) {
        cache.start(key);
      }
    }
    long interval = config.sweepInterval().toMillis();
    scheduler.scheduleWithFixedDelay(
        sweeper::sweepSafely, interval, interval, TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(
        () -> watchHealth.poll(cache.all()),
        0,
        WATCH_HEALTH_INTERVAL.toMillis(),
        TimeUnit.MILLISECONDS);
    started = true;
    log.info(
        "Kubernetes task runtime started for {} (managed-by={}, cleanup TTL {})",
        registry.categories(),
        config.managedBy(),
        config.cleanupTtl());
  }

  /**
   * The informers of a kind: one for every namespace, or one per allowed namespace (so that a
   * namespaced Role is enough RBAC).
   */
  private List<InformerKey> informerKeys(ResourceIdentity identity) {
    if (!identity.namespaced() || config.allowedNamespaces().isEmpty()) {
      return List.of(new InformerKey(identity, InformerKey.ALL_NAMESPACES));
    }
    return config.allowedNamespaces().stream()
        .sorted()
        .map(ns -> new InformerKey(identity, ns))
        .toList();
  }

  /** How often the watches are looked at for {@link #health()}. */
  static final Duration WATCH_HEALTH_INTERVAL = Duration.ofMillis(100);

  @Override
  public boolean hasSynced() {
    return started && cache.hasSynced();
  }

  @Override
  public boolean awaitSynced(Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (!hasSynced()) {
      if (Instant.now().isAfter(deadline)) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // create

  @Override
  public TaskHandle create(TaskRequest request, Deadline deadline) throws TaskCreationException {
    TaskCategory category =
        new TaskCategory(request.template().getType(), request.template().getTaskTypeVersion());
    OperatorPlugin plugin;
    try {
      plugin = registry.require(category);
    } catch (UnknownTaskTypeException e) {
      throw new TaskCreationException(
          TaskCreationException.Kind.UNKNOWN_TASK_TYPE, e.getMessage(), e);
    }
    TaskExecutionIdentifier id = request.metadata().getTaskExecutionId();
    if (!id.hasNodeExecutionId() || id.getNodeExecutionId().getExecutionId().getName().isEmpty()) {
      throw new TaskCreationException(
          TaskCreationException.Kind.INVALID_TASK,
          "task_execution_metadata.task_execution_id.node_execution_id.execution_id.name is"
              + " empty: the runtime names resources after the execution id");
    }
    String namespace = namespaceOf(request);
    TaskIdentity identity = TaskIdentity.of(request, plugin.properties().maxNameLength());
    String name = identity.name();
    TaskHandle handle = new TaskHandle(category, namespace, name);
    Map<String, String> ours =
        ExecutionLabels.of(id, identity, category, config.managedBy(), config.instance());

    GenericKubernetesResource resource;
    TaskContext context =
        new TaskContext(
            request.template(),
            request.inputs(),
            request.outputPrefix(),
            request.metadata(),
            name,
            namespace,
            ours,
            config.minCleanupTtl());
    try {
      resource = plugin.build(context);
    } catch (ResourceBuildException e) {
      throw new TaskCreationException(
          TaskCreationException.Kind.INVALID_TASK,
          "FailedToBuildResource: " + category + ": " + e.getMessage(),
          e);
    } catch (RuntimeException e) {
      // A plugin bug or a config the plugin did not validate: the same input fails every time.
      throw new TaskCreationException(
          TaskCreationException.Kind.INVALID_TASK,
          "FailedToBuildResource: " + category + ": " + e,
          e);
    }
    if (resource == null) {
      throw new TaskCreationException(
          TaskCreationException.Kind.INVALID_TASK,
          "FailedToBuildResource: plugin " + plugin.getClass().getName() + " built no resource");
    }
    try {
      // The deployment's policy, on exactly what will be created.
      plugin.admit(context, resource, config.policy());
    } catch (PolicyViolationException e) {
      throw new TaskCreationException(
          TaskCreationException.Kind.INVALID_TASK,
          "PolicyViolation: " + category + ": " + e.getMessage(),
          e);
    }
    decorate(resource, plugin.identity(), request, handle, ours);
    try {
      launcher.create(plugin.identity(), resource, handle, identity.attemptKey(), deadline);
    } catch (TaskCreationException e) {
      if (e.kind() != TaskCreationException.Kind.QUOTA_EXCEEDED) {
        throw e;
      }
      // Accepted, reported WAITING_FOR_RESOURCES and created when the quota allows it: an error
      // here would spend one of the user's retries.
      try {
        pending.park(resource, handle, ours, e.getMessage(), deadline);
      } catch (ApiCalls.DeadlineOver | KubernetesClientException notKept) {
        log.warn("could not keep {} for later: {}", handle, notKept.toString());
        throw e;
      }
      return handle;
    }
    statusReader.created(handle);
    if (identity.attempt() > 0) {
      // Off the caller's deadline: the new attempt stands whatever happens to the old ones.
      runInBackground(
          () ->
              launcher.abortEarlierAttempts(
                  plugin, handle, identity.lineageKey(), identity.attempt(), Deadline.none()));
    }
    return handle;
  }

  private void runInBackground(Runnable task) {
    try {
      scheduler.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.warn("runtime closed, not run: {}", e.toString());
    }
  }

  private String namespaceOf(TaskRequest request) throws TaskCreationException {
    String namespace = request.metadata().getNamespace();
    if (namespace.isBlank()) {
      namespace = config.defaultNamespace();
    }
    if (!config.namespaceAllowed(namespace)) {
      throw new TaskCreationException(
          TaskCreationException.Kind.FORBIDDEN,
          "namespace '"
              + namespace
              + "' is not allowed; this runtime runs tasks only in "
              + config.allowedNamespaces().stream().sorted().toList()
              + " (RuntimeConfig.allowedNamespaces)");
    }
    return namespace;
  }

  private void decorate(
      GenericKubernetesResource resource,
      ResourceIdentity identity,
      TaskRequest request,
      TaskHandle handle,
      Map<String, String> ours) {
    resource.setApiVersion(identity.apiVersion());
    resource.setKind(identity.kind());
    ObjectMeta meta = resource.getMetadata() == null ? new ObjectMeta() : resource.getMetadata();
    meta.setName(handle.name());
    meta.setNamespace(identity.namespaced() ? handle.namespace() : null);
    meta.setGenerateName(null);
    meta.setResourceVersion(null);
    Map<String, String> templateLabels =
        request.template().hasK8SPod()
            ? request.template().getK8SPod().getMetadata().getLabelsMap()
            : Map.of();
    Map<String, String> labels = new LinkedHashMap<>();
    if (meta.getLabels() != null) {
      labels.putAll(meta.getLabels());
    }
    labels.putAll(ExecutionLabels.merged(templateLabels, request.metadata(), ours));
    meta.setLabels(labels);
    Map<String, String> annotations = new LinkedHashMap<>();
    if (request.template().hasK8SPod()) {
      annotations.putAll(request.template().getK8SPod().getMetadata().getAnnotationsMap());
    }
    annotations.putAll(request.metadata().getAnnotationsMap());
    if (meta.getAnnotations() != null) {
      annotations.putAll(meta.getAnnotations());
    }
    annotations.put(
        ExecutionLabels.TASK_EXECUTION_ID_ANNOTATION,
        ResourceNames.canonicalId(request.metadata().getTaskExecutionId()));
    meta.setAnnotations(annotations);
    resource.setMetadata(meta);
  }

  // ---------------------------------------------------------------------------------------------
  // status

  @Override
  public void checkNamespace(TaskHandle handle) {
    if (!config.namespaceAllowed(handle.namespace())) {
      throw new NamespaceNotAllowedException(handle.namespace(), config.allowedNamespaces());
    }
  }

  @Override
  public java.util.Optional<dev.flyteplugin.backend.api.LogSource> logSource(TaskHandle handle) {
    checkNamespace(handle);
    return registry.require(handle.category()).logSource(handle.name());
  }

  @Override
  public TaskStatus status(TaskHandle handle) {
    checkNamespace(handle);
    OperatorPlugin plugin = registry.require(handle.category());
    if (!started) {
      throw new IllegalStateException(
          "call start() before status(): the informers are not running");
    }
    return statusReader.status(plugin, handle);
  }

  @Override
  public Optional<TaskStatus> cachedStatus(TaskHandle handle) {
    checkNamespace(handle);
    Optional<OperatorPlugin> plugin = registry.find(handle.category());
    if (!started || plugin.isEmpty()) {
      return Optional.empty(); // status() answers (or says what is wrong)
    }
    return statusReader.cached(plugin.get(), handle);
  }

  @Override
  public void markReported(TaskHandle handle) {
    if (!config.namespaceAllowed(handle.namespace())) {
      return; // never answered, so never reported
    }
    try {
      // The status this instance answered, taken now: the background mark must record what
      // propeller saw, not whatever the operator wrote since (it may have moved on already).
      Optional<TaskStatus> reported =
          statusReader.lastStatuses().get(handle).filter(TaskStatus::isTerminal);
      registry.find(handle.category()).ifPresent(p -> sweeper.markReported(p, handle, reported));
    } catch (RuntimeException e) {
      log.warn("could not record that {} was reported: {}", handle, e.toString());
    }
  }

  @Override
  public RuntimeHealth health() {
    boolean watching = started && cache.isWatching();
    watchHealth.poll(cache.all());
    return new RuntimeHealth(hasSynced(), watching, watchHealth.restarts());
  }

  private Optional<SharedIndexInformer<GenericKubernetesResource>> informerOf(TaskHandle handle) {
    Optional<OperatorPlugin> plugin = registry.find(handle.category());
    if (plugin.isEmpty()) {
      return Optional.empty();
    }
    return cache.informerOf(plugin.get().identity(), handle.namespace());
  }

  static TaskStatus status(PhaseInfo info) {
    TaskExecution.Phase phase =
        switch (info.phase()) {
          case QUEUED -> TaskExecution.Phase.QUEUED;
          case WAITING_FOR_RESOURCES -> TaskExecution.Phase.WAITING_FOR_RESOURCES;
          case INITIALIZING -> TaskExecution.Phase.INITIALIZING;
          case RUNNING -> TaskExecution.Phase.RUNNING;
          case SUCCESS -> TaskExecution.Phase.SUCCEEDED;
          case RETRYABLE_FAILURE -> TaskExecution.Phase.RETRYABLE_FAILED;
          case PERMANENT_FAILURE -> TaskExecution.Phase.FAILED;
        };
    Optional<ExecutionError> error = info.error();
    Struct customInfo = info.info().customInfo();
    return new TaskStatus(
        phase, info.reason(), info.message(), info.info().logLinks(), customInfo, error);
  }

  // ---------------------------------------------------------------------------------------------
  // abort

  @Override
  public void abort(TaskHandle handle, Deadline deadline) {
    checkNamespace(handle);
    OperatorPlugin plugin = registry.require(handle.category());
    ResourceIdentity identity = plugin.identity();
    try {
      // A direct read (not the cache): abort must not act on a stale or foreign object.
      GenericKubernetesResource resource =
          api.call(
              deadline,
              Optional.of(config.apiReadTimeout()),
              "reading " + handle + " to abort it",
              op -> op.inNamespace(handle.namespace()).withName(handle.name()).get(),
              identity);
      if (resource == null) {
        pending.discard(handle); // a task waiting for quota must not start later
        log.info("abort of {}: already gone", handle);
        return;
      }
      statusReader
          .foreignReason(resource, handle)
          .ifPresent(
              reason -> {
                throw new ForeignResourceException(handle, "cannot abort: " + reason);
              });
      AbortAction action =
          plugin instanceof AbortablePlugin abortable
              ? abortable.onAbort(resource)
              : AbortAction.delete();
      if (action.patch().isPresent()) {
        String json = client.getKubernetesSerialization().asJson(action.patch().get());
        try {
          api.call(
              deadline,
              Optional.empty(),
              "patching " + handle + " to abort it",
              op ->
                  op.inNamespace(handle.namespace())
                      .withName(handle.name())
                      .patch(PatchContext.of(PatchType.JSON_MERGE), json),
              identity);
        } catch (KubernetesClientException e) {
          if (e.getCode() != 404) {
            throw e;
          }
        }
        log.info("aborted {} by patch", handle);
        return;
      }
      api.call(
          deadline,
          Optional.empty(),
          "deleting " + handle + " to abort it",
          op ->
              op.inNamespace(handle.namespace())
                  .withName(handle.name())
                  .withPropagationPolicy(DeletionPropagation.BACKGROUND)
                  .delete(),
          identity);
    } catch (ApiCalls.DeadlineOver e) {
      throw new java.util.concurrent.CancellationException(
          "abort of " + handle + " not done: " + e.getMessage());
    }
    statusReader.forget(handle);
    log.info("aborted {} by deletion", handle);
  }

  @Override
  public synchronized void close() {
    // Background work in flight (a reported-terminal mark, an abort of a superseded attempt) gets
    // a moment to finish: the mark is what lets the sweeper delete the resource later.
    scheduler.shutdown();
    try {
      if (!scheduler.awaitTermination(2, TimeUnit.SECONDS)) {
        scheduler.shutdownNow();
      }
    } catch (InterruptedException e) {
      scheduler.shutdownNow();
      Thread.currentThread().interrupt();
    }
    cache.close();
    started = false;
  }

  // ---------------------------------------------------------------------------------------------
  // shared with the sweeper

  CleanupSweeper sweeper() {
    return sweeper;
  }

  StatusReader statusReader() {
    return statusReader;
  }

  PreRunningLimit preRunning() {
    return preRunning;
  }

  Map<InformerKey, SharedIndexInformer<GenericKubernetesResource>> informers() {
    return cache.byKey();
  }

  Optional<OperatorPlugin> pluginOf(GenericKubernetesResource resource) {
    Map<String, String> labels = labelsOf(resource);
    String type = labels.get(ExecutionLabels.TASK_TYPE);
    String version = labels.get(ExecutionLabels.TASK_TYPE_VERSION);
    if (type == null || version == null) {
      return Optional.empty();
    }
    try {
      return registry.find(new TaskCategory(type, Integer.parseInt(version)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  MixedOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      resources(ResourceIdentity identity) {
    return client.genericKubernetesResources(context(identity));
  }

  /** The fabric8 context of a resource kind. */
  public static ResourceDefinitionContext context(ResourceIdentity identity) {
    return new ResourceDefinitionContext.Builder()
        .withGroup(identity.group())
        .withVersion(identity.version())
        .withKind(identity.kind())
        .withPlural(identity.plural())
        .withNamespaced(identity.namespaced())
        .build();
  }

  static Map<String, String> labelsOf(GenericKubernetesResource resource) {
    Map<String, String> labels = resource.getMetadata().getLabels();
    return labels == null ? Map.of() : labels;
  }
}
