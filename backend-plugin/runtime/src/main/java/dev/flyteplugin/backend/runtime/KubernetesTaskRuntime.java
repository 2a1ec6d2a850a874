package dev.flyteplugin.backend.runtime;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Struct;
import dev.flyteplugin.backend.api.AbortAction;
import dev.flyteplugin.backend.api.AbortablePlugin;
import dev.flyteplugin.backend.api.OperatorPlugin;
import dev.flyteplugin.backend.api.PhaseInfo;
import dev.flyteplugin.backend.api.ResourceBuildException;
import dev.flyteplugin.backend.api.ResourceIdentity;
import dev.flyteplugin.backend.api.TaskContext;
import dev.flyteplugin.backend.api.TaskInfo;
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
import io.fabric8.kubernetes.client.informers.cache.ReducedStateItemStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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
 */
public final class KubernetesTaskRuntime implements TaskRuntime {
  private static final Logger log = LoggerFactory.getLogger(KubernetesTaskRuntime.class);

  private final KubernetesClient client;
  private final PluginRegistry registry;
  private final RuntimeConfig config;
  private final Clock clock;
  private final Map<InformerKey, SharedIndexInformer<GenericKubernetesResource>> informers =
      new ConcurrentHashMap<>();
  private final Map<TaskHandle, Instant> recentlyCreated = new ConcurrentHashMap<>();
  private final CleanupSweeper sweeper;
  private final ScheduledExecutorService scheduler;
  private volatile boolean started;

  private KubernetesTaskRuntime(Builder builder) {
    this.client = requireNonNull(builder.client, "client");
    this.registry = requireNonNull(builder.registry, "registry");
    this.config = requireNonNull(builder.config, "config");
    this.clock = requireNonNull(builder.clock, "clock");
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "flyteplugin-runtime-sweeper");
              t.setDaemon(true);
              return t;
            });
    this.sweeper = new CleanupSweeper(this, clock);
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

    /** The clock of cleanup TTLs and the cache grace period (tests). */
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
        informers.computeIfAbsent(key, this::startInformer);
      }
    }
    long interval = config.sweepInterval().toMillis();
    scheduler.scheduleWithFixedDelay(
        sweeper::sweepSafely, interval, interval, TimeUnit.MILLISECONDS);
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

  /**
   * What the informer cache keeps of each resource: the phase mapping reads status, the runtime and
   * the sweeper read these metadata fields. The spec (most of an object: conf, env, args) is
   * dropped, and so are apiVersion and kind (the same for the whole informer), which keeps a
   * tracked task at a few KB of heap. Plugins see cached objects without their spec (documented on
   * {@code OperatorPlugin#phase}).
   */
  static final String[] CACHED_FIELDS = {
    "metadata.uid",
    "metadata.labels",
    "metadata.creationTimestamp",
    "metadata.deletionTimestamp",
    "status"
  };

  private SharedIndexInformer<GenericKubernetesResource> startInformer(InformerKey key) {
    // One shared informer per kind (and allowed namespace), restricted to our resources by label.
    var operation = resources(key.identity());
    SharedIndexInformer<GenericKubernetesResource> informer =
        (key.allNamespaces() ? operation.inAnyNamespace() : operation.inNamespace(key.namespace()))
            .withLabel(ExecutionLabels.MANAGED_BY, config.managedBy())
            .runnableInformer(config.informerResync().toMillis())
            .removeNamespaceIndex(); // look-ups are by key only
    informer.itemStore(
        new ReducedStateItemStore<>(
            ReducedStateItemStore.NAME_KEY_STATE,
            GenericKubernetesResource.class,
            client.getKubernetesSerialization(),
            CACHED_FIELDS));
    informer.exceptionHandler(
        (isStarted, t) -> {
          log.warn("informer of {} failed, retrying: {}", key, t.toString());
          return true;
        });
    informer.start();
    return informer;
  }

  @Override
  public boolean hasSynced() {
    return started && informers.values().stream().allMatch(SharedIndexInformer::hasSynced);
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
    String name = ResourceNames.resourceName(id, plugin.properties().maxNameLength());
    TaskHandle handle = new TaskHandle(category, namespace, name);
    Map<String, String> ours = ExecutionLabels.of(id, category, config.managedBy());

    GenericKubernetesResource resource;
    try {
      resource =
          plugin.build(
              new TaskContext(
                  request.template(),
                  request.inputs(),
                  request.outputPrefix(),
                  request.metadata(),
                  name,
                  namespace,
                  ours));
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
    decorate(resource, plugin.identity(), request, handle, ours);
    createOrAdopt(plugin.identity(), resource, handle, ours.get(ExecutionLabels.ATTEMPT_KEY));
    Instant now = clock.instant();
    // Forget creations the informer has had time to see (status() also forgets them when seen).
    recentlyCreated
        .values()
        .removeIf(t -> Duration.between(t, now).compareTo(config.cacheGracePeriod()) > 0);
    recentlyCreated.put(handle, now);
    return handle;
  }

  private String namespaceOf(TaskRequest request) throws TaskCreationException {
    String namespace = request.metadata().getNamespace();
    if (namespace.isBlank()) {
      namespace = config.defaultNamespace();
    }
    if (!config.allowedNamespaces().isEmpty() && !config.allowedNamespaces().contains(namespace)) {
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

  private void createOrAdopt(
      ResourceIdentity identity,
      GenericKubernetesResource resource,
      TaskHandle handle,
      String attemptKey)
      throws TaskCreationException {
    Duration backoff = config.createBackoff();
    KubernetesClientException last = null;
    for (int attempt = 1; attempt <= config.createAttempts(); attempt++) {
      try {
        resources(identity).inNamespace(handle.namespace()).resource(resource).create();
        log.info("created {} {}/{}", identity.kind(), handle.namespace(), handle.name());
        return;
      } catch (KubernetesClientException e) {
        last = e;
        ApiError error = ApiError.classify(e);
        if (error == ApiError.ALREADY_EXISTS) {
          if (adoptExisting(identity, handle, attemptKey)) {
            return;
          }
          // It vanished between create and get: try again.
          continue;
        }
        if (!error.retryable()) {
          throw error.toCreationException(identity, handle, e);
        }
        log.warn(
            "create of {} {}/{} failed (attempt {}/{}): {}",
            identity.kind(),
            handle.namespace(),
            handle.name(),
            attempt,
            config.createAttempts(),
            e.getMessage());
      }
      if (attempt < config.createAttempts()) {
        sleep(backoff);
        backoff = min(backoff.multipliedBy(2), config.maxCreateBackoff());
      }
    }
    throw ApiError.classify(last).toCreationException(identity, handle, last);
  }

  /**
   * After AlreadyExists: adopts the resource if it is ours and for this very attempt.
   *
   * @return false when it is gone again (create should be retried)
   */
  private boolean adoptExisting(ResourceIdentity identity, TaskHandle handle, String attemptKey)
      throws TaskCreationException {
    GenericKubernetesResource existing =
        resources(identity).inNamespace(handle.namespace()).withName(handle.name()).get();
    if (existing == null) {
      return false;
    }
    Map<String, String> labels = labelsOf(existing);
    if (!config.managedBy().equals(labels.get(ExecutionLabels.MANAGED_BY))
        || !attemptKey.equals(labels.get(ExecutionLabels.ATTEMPT_KEY))) {
      throw new TaskCreationException(
          TaskCreationException.Kind.INVALID_TASK,
          "AlreadyExists: "
              + identity.kind()
              + " "
              + handle.namespace()
              + "/"
              + handle.name()
              + " exists but was not created by this runtime for this attempt (labels "
              + ExecutionLabels.MANAGED_BY
              + "="
              + labels.get(ExecutionLabels.MANAGED_BY)
              + ", "
              + ExecutionLabels.ATTEMPT_KEY
              + "="
              + labels.get(ExecutionLabels.ATTEMPT_KEY)
              + "); it is left untouched");
    }
    log.info("adopted existing {} {}/{}", identity.kind(), handle.namespace(), handle.name());
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // status

  @Override
  public TaskStatus status(TaskHandle handle) {
    OperatorPlugin plugin = registry.require(handle.category());
    if (!started) {
      throw new IllegalStateException(
          "call start() before status(): the informers are not running");
    }
    SharedIndexInformer<GenericKubernetesResource> informer =
        informers.get(new InformerKey(plugin.identity(), InformerKey.ALL_NAMESPACES));
    if (informer == null) {
      informer = informers.get(new InformerKey(plugin.identity(), handle.namespace()));
    }
    if (informer == null) {
      return status(
          PhaseInfo.systemPermanentFailure(
              "NamespaceNotWatched",
              "namespace '"
                  + handle.namespace()
                  + "' is not among this runtime's allowed namespaces "
                  + config.allowedNamespaces().stream().sorted().toList(),
              TaskInfo.empty()));
    }
    GenericKubernetesResource resource;
    if (informer.hasSynced()) {
      resource = informer.getStore().getByKey(key(plugin, handle));
    } else {
      // Only until the first list completes (e.g. right after a restart): one direct read, so a
      // running task is not reported as queued again.
      try {
        resource =
            resources(plugin.identity())
                .inNamespace(handle.namespace())
                .withName(handle.name())
                .get();
      } catch (KubernetesClientException e) {
        return status(
            PhaseInfo.queued(
                "CacheNotSynced", "waiting for the informer's first list: " + e.getMessage()));
      }
    }
    if (resource == null) {
      Instant created = recentlyCreated.get(handle);
      if (created != null
          && Duration.between(created, clock.instant()).compareTo(config.cacheGracePeriod()) < 0) {
        return status(
            PhaseInfo.queued("ResourceNotYetObserved", "created, waiting for the watch event"));
      }
      // Our informer sees only resources with our managed-by label, so a foreign one looks gone.
      return status(
          PhaseInfo.systemRetryableFailure(
              "ResourceDeletedExternally",
              plugin.identity().kind()
                  + " "
                  + handle.namespace()
                  + "/"
                  + handle.name()
                  + " managed by "
                  + config.managedBy()
                  + " does not exist: it was deleted externally (or never created by this"
                  + " runtime)",
              TaskInfo.empty()));
    }
    recentlyCreated.remove(handle);
    Optional<String> foreign = foreignReason(resource, handle);
    if (foreign.isPresent()) {
      return status(
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
    if (resource.getMetadata().getDeletionTimestamp() != null && !phase.phase().isTerminal()) {
      // As the Go manager does: a non-terminal object being deleted will not finish.
      return status(
          PhaseInfo.systemRetryableFailure(
              "UnexpectedObjectDeletion",
              "the resource is being deleted while the task is " + phase.phase(),
              phase.info()));
    }
    return status(phase);
  }

  private Optional<String> foreignReason(GenericKubernetesResource resource, TaskHandle handle) {
    Map<String, String> labels = labelsOf(resource);
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
    OperatorPlugin plugin = registry.require(handle.category());
    ResourceIdentity identity = plugin.identity();
    Resource<GenericKubernetesResource> ref =
        resources(identity).inNamespace(handle.namespace()).withName(handle.name());
    // A direct read (not the cache): abort must not act on a stale or foreign object.
    GenericKubernetesResource resource = ref.get();
    if (resource == null) {
      log.info("abort of {}: already gone", handle);
      return;
    }
    foreignReason(resource, handle)
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
        ref.patch(PatchContext.of(PatchType.JSON_MERGE), json);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          throw e;
        }
      }
      log.info("aborted {} by patch", handle);
      return;
    }
    deleteOwned(identity, resource);
    recentlyCreated.remove(handle);
    log.info("aborted {} by deletion", handle);
  }

  /** Deletes one of our resources with its dependents; NotFound is success. */
  void deleteOwned(ResourceIdentity identity, GenericKubernetesResource resource) {
    resources(identity)
        .inNamespace(resource.getMetadata().getNamespace())
        .withName(resource.getMetadata().getName())
        .withPropagationPolicy(DeletionPropagation.BACKGROUND)
        .delete();
  }

  @Override
  public synchronized void close() {
    scheduler.shutdownNow();
    informers.values().forEach(SharedIndexInformer::close);
    informers.clear();
    started = false;
  }

  // ---------------------------------------------------------------------------------------------
  // shared with the sweeper

  Map<InformerKey, SharedIndexInformer<GenericKubernetesResource>> informers() {
    return informers;
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

  private static String key(OperatorPlugin plugin, TaskHandle handle) {
    return plugin.identity().namespaced()
        ? handle.namespace() + "/" + handle.name()
        : handle.name();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static void sleep(Duration duration) throws TaskCreationException {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TaskCreationException(
          TaskCreationException.Kind.TRANSIENT, "interrupted while retrying create", e);
    }
  }
}
