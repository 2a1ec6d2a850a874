package dev.flyteplugin.backend.api;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;

/**
 * A backend plugin that runs Flyte tasks as custom resources of one Kubernetes operator: the Java
 * counterpart of flyteplugins' {@code pluginmachinery/k8s/plugin.go} ({@code
 * BuildIdentityResource}, {@code BuildResource}, {@code GetTaskPhase}, {@code GetProperties}).
 *
 * <p>Implementations are stateless and registered with {@code @AutoService(OperatorPlugin.class)}
 * (a public no-argument constructor). The runtime owns everything else: names, namespaces, labels,
 * creation and adoption, watching, error classes, retries, abort and cleanup.
 *
 * <p>PLUGIN AUTHOR SEAM: implement this interface for your operator.
 */
public interface OperatorPlugin {

  /** The task types and versions this plugin serves. */
  List<TaskType> taskTypes();

  /** The kind of resource this plugin creates. */
  ResourceIdentity identity();

  /**
   * Builds the resource for one task attempt: at least its {@code spec}. The runtime sets {@code
   * apiVersion}, {@code kind}, name, namespace, labels and annotations afterwards.
   *
   * @throws ResourceBuildException when the task cannot become a resource; the message must name
   *     the problem (the runtime reports it as a permanent failure)
   */
  GenericKubernetesResource build(TaskContext context) throws ResourceBuildException;

  /**
   * Maps the resource's current state (from the runtime's informer cache, never to be modified) to
   * a phase. Must be fast and must not call the API server. To keep the cache small, the object
   * holds only its {@code status}, {@code apiVersion}, {@code kind} and the metadata fields name,
   * namespace, uid, resourceVersion, labels, creation and deletion timestamps: not its {@code
   * spec}, annotations or anything else.
   */
  PhaseInfo phase(GenericKubernetesResource resource);

  /**
   * Checks the built resource against the deployment's policy before it is created: the service
   * account its pods run as, operator configuration keys that reach the node or the cluster's
   * credentials. The default admits everything; a plugin whose task config can reach such settings
   * must override it. Runs after {@link #build}, on the same resource.
   *
   * @throws PolicyViolationException naming the field or key and the setting that would allow it
   *     (the runtime reports it as a permanent failure, {@code PolicyViolation})
   */
  default void admit(TaskContext context, GenericKubernetesResource resource, TaskPolicy policy)
      throws PolicyViolationException {}

  /** How the runtime treats this plugin's resources. */
  default PluginProperties properties() {
    return PluginProperties.defaults();
  }
}
