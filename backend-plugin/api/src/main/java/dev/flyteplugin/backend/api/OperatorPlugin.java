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
 * <p>PLUGIN AUTHOR SEAM: implement this interface for your operator (see docs/writing-a-plugin.md).
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

  /**
   * The plugin's short name: the prefix of its deployment settings ({@code --plugin-config
   * <name>.<key>=...}, {@code FLYTEPLUGIN_<NAME>_<KEY>}). Lower-case words joined by '-'. Default:
   * the first task type's name.
   */
  default String name() {
    return taskTypes().get(0).name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /** The deployment settings this plugin reads, for {@code --help} and to reject unknown keys. */
  default List<PluginSetting> settings() {
    return List.of();
  }

  /**
   * This plugin with the deployment's settings applied: the instance the runtime uses.
   * ServiceLoader creates plugins with their defaults; the agent then calls this once at start.
   *
   * @throws InvalidSettingException naming the setting ({@link PluginSettings#invalid}) when a
   *     value is malformed
   */
  default OperatorPlugin configure(PluginSettings settings) {
    return this;
  }

  /**
   * Whose log GetTaskLogs streams for the resource named {@code resourceName}: the pod of the
   * task's main process (Spark's driver, Flink's JobManager). Empty: GetTaskLogs answers
   * UNIMPLEMENTED for this plugin's tasks.
   */
  default java.util.Optional<LogSource> logSource(String resourceName) {
    return java.util.Optional.empty();
  }

  /** How the runtime treats this plugin's resources. */
  default PluginProperties properties() {
    return PluginProperties.defaults();
  }
}
