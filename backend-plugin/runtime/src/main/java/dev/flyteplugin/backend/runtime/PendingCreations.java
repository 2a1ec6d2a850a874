package dev.flyteplugin.backend.runtime;

import dev.flyteplugin.backend.api.OperatorPlugin;
import dev.flyteplugin.backend.api.PhaseInfo;
import dev.flyteplugin.backend.api.ResourceIdentity;
import dev.flyteplugin.backend.api.TaskInfo;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tasks accepted while a resource quota was exhausted. flytepropeller's k8s plugin manager turns an
 * exceeded quota into WaitingForResources and tries again next round ({@code
 * pkg/controller/nodes/task/k8s/plugin_manager.go}, {@code launchResource}: {@code
 * IsResourceQuotaExceeded} -> {@code PhaseInfoWaitingForResourcesInfo}), so a quota does not spend
 * the user's retries. An agent gets one CreateTask per attempt, and any CreateTask error IS a spent
 * retry, so the runtime accepts the task, keeps the built resource in a ConfigMap next to where it
 * will live (durable: a restarted runtime still has it), reports WAITING_FOR_RESOURCES, and tries
 * the create once per status poll until the quota allows it.
 */
final class PendingCreations {
  private static final Logger log = LoggerFactory.getLogger(PendingCreations.class);

  /** Label on the ConfigMap: the name of the resource it holds. */
  static final String PENDING_FOR = ExecutionLabels.PREFIX + "pending-for";

  private static final String RESOURCE_KEY = "resource.json";
  private static final String MESSAGE_KEY = "message";

  private final ApiCalls api;
  private final RuntimeConfig config;

  PendingCreations(ApiCalls api, RuntimeConfig config) {
    this.api = api;
    this.config = config;
  }

  static String configMapName(TaskHandle handle) {
    return handle.name() + "-pending";
  }

  /**
   * Keeps the resource for a later create.
   *
   * @throws KubernetesClientException or DeadlineOver when it could not be kept (the caller then
   *     reports the quota error as such)
   */
  void park(
      GenericKubernetesResource resource,
      TaskHandle handle,
      Map<String, String> labels,
      String message,
      Deadline deadline)
      throws ApiCalls.DeadlineOver {
    Map<String, String> ours = new LinkedHashMap<>();
    for (String key :
        new String[] {
          ExecutionLabels.MANAGED_BY,
          ExecutionLabels.INSTANCE,
          ExecutionLabels.TASK_TYPE,
          ExecutionLabels.TASK_TYPE_VERSION,
          ExecutionLabels.ATTEMPT_KEY
        }) {
      if (labels.containsKey(key)) {
        ours.put(key, labels.get(key));
      }
    }
    ours.put(PENDING_FOR, handle.name());
    ConfigMap pending =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName(configMapName(handle))
            .withNamespace(handle.namespace())
            .withLabels(ours)
            .endMetadata()
            .addToData(RESOURCE_KEY, api.client().getKubernetesSerialization().asJson(resource))
            .addToData(MESSAGE_KEY, message)
            .build();
    try {
      api.onClient(
          deadline,
          Optional.of(config.apiReadTimeout()),
          "keeping " + handle + " until the quota allows it",
          c -> c.configMaps().inNamespace(handle.namespace()).resource(pending).create());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      // Kept already (the same attempt sent twice): the first one stands.
    }
    log.info("{} waits for quota: {}", handle, message);
  }

  /**
   * For a handle whose resource does not exist: one create attempt if it is pending.
   *
   * @return empty when nothing is pending for the handle
   */
  Optional<TaskStatus> retry(OperatorPlugin plugin, TaskHandle handle) {
    ConfigMap pending;
    try {
      pending =
          api.onClient(
              Deadline.none(),
              Optional.of(config.apiReadTimeout()),
              "reading the pending " + handle,
              c ->
                  c.configMaps()
                      .inNamespace(handle.namespace())
                      .withName(configMapName(handle))
                      .get());
    } catch (ApiCalls.DeadlineOver e) {
      return Optional.empty();
    }
    if (pending == null
        || !config
            .managedBy()
            .equals(pending.getMetadata().getLabels().get(ExecutionLabels.MANAGED_BY))) {
      return Optional.empty();
    }
    ResourceIdentity identity = plugin.identity();
    GenericKubernetesResource resource =
        api.client()
            .getKubernetesSerialization()
            .unmarshal(pending.getData().get(RESOURCE_KEY), GenericKubernetesResource.class);
    String attemptKey = pending.getMetadata().getLabels().get(ExecutionLabels.ATTEMPT_KEY);
    try {
      api.call(
          Deadline.none(),
          Optional.of(config.apiReadTimeout()),
          "creating the pending " + handle,
          op -> op.inNamespace(handle.namespace()).resource(resource).create(),
          identity);
    } catch (KubernetesClientException e) {
      ApiError error = ApiError.classify(e);
      if (error == ApiError.ALREADY_EXISTS && isOurs(identity, handle, attemptKey)) {
        discard(handle);
        return Optional.of(created(handle));
      }
      String detail = error.toCreationException(identity, handle, e).getMessage();
      if (error == ApiError.BAD_TASK_FORMAT
          || error == ApiError.ENTITY_TOO_LARGE
          || error == ApiError.ALREADY_EXISTS) {
        discard(handle);
        return Optional.of(
            KubernetesTaskRuntime.status(
                PhaseInfo.systemPermanentFailure("PendingCreateFailed", detail, TaskInfo.empty())));
      }
      return Optional.of(waiting(handle, detail));
    } catch (ApiCalls.DeadlineOver e) {
      return Optional.of(waiting(handle, e.getMessage()));
    }
    log.info("created {} now that the quota allows it", handle);
    discard(handle);
    return Optional.of(created(handle));
  }

  private boolean isOurs(ResourceIdentity identity, TaskHandle handle, String attemptKey) {
    try {
      GenericKubernetesResource existing =
          api.call(
              Deadline.none(),
              Optional.of(config.apiReadTimeout()),
              "reading " + handle,
              op -> op.inNamespace(handle.namespace()).withName(handle.name()).get(),
              identity);
      return existing != null
          && attemptKey != null
          && attemptKey.equals(
              KubernetesTaskRuntime.labelsOf(existing).get(ExecutionLabels.ATTEMPT_KEY));
    } catch (ApiCalls.DeadlineOver | KubernetesClientException e) {
      return false;
    }
  }

  /** Forgets the pending resource (created, or the task was aborted). Best effort. */
  void discard(TaskHandle handle) {
    try {
      api.onClient(
          Deadline.none(),
          Optional.of(config.apiReadTimeout()),
          "deleting the pending " + handle,
          c ->
              c.configMaps()
                  .inNamespace(handle.namespace())
                  .withName(configMapName(handle))
                  .delete());
    } catch (ApiCalls.DeadlineOver | KubernetesClientException e) {
      log.warn("could not delete the pending ConfigMap of {}: {}", handle, e.toString());
    }
  }

  private static TaskStatus waiting(TaskHandle handle, String message) {
    return KubernetesTaskRuntime.status(
        PhaseInfo.waitingForResources("QuotaExceeded", message, TaskInfo.empty()));
  }

  private static TaskStatus created(TaskHandle handle) {
    return KubernetesTaskRuntime.status(
        PhaseInfo.queued("Created", "created once the resource quota allowed it"));
  }
}
