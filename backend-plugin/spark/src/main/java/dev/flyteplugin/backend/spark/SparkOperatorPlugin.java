package dev.flyteplugin.backend.spark;

import com.google.auto.service.AutoService;
import dev.flyteplugin.backend.api.LogSource;
import dev.flyteplugin.backend.api.OperatorPlugin;
import dev.flyteplugin.backend.api.PhaseInfo;
import dev.flyteplugin.backend.api.PluginSetting;
import dev.flyteplugin.backend.api.PluginSettings;
import dev.flyteplugin.backend.api.PolicyViolationException;
import dev.flyteplugin.backend.api.ResourceBuildException;
import dev.flyteplugin.backend.api.ResourceIdentity;
import dev.flyteplugin.backend.api.TaskContext;
import dev.flyteplugin.backend.api.TaskPolicy;
import dev.flyteplugin.backend.api.TaskType;
import dev.flyteplugin.proto.example.ExamplePlugin;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The example plugin: runs {@code example_plugin} tasks as Spark operator {@code SparkApplication}s
 * ({@code sparkoperator.k8s.io/v1beta2}). The Java counterpart of flyteplugins' {@code
 * plugins/k8s/spark/spark.go}; everything that is not Spark-specific is the runtime's.
 *
 * <p>PLUGIN AUTHOR SEAM: copy this class for your operator: your task type, your resource identity,
 * your builder ({@link SparkApplicationFactory}) and your phase table ({@link SparkPhaseMapper}).
 */
@AutoService(OperatorPlugin.class)
public final class SparkOperatorPlugin implements OperatorPlugin {
  /** The driver's container in the driver pod (Spark's {@code spark-kubernetes-driver}). */
  public static final String DRIVER_CONTAINER = "spark-kubernetes-driver";

  private final SparkApplicationFactory factory;
  private final SparkPhaseMapper mapper;
  private final SparkPluginConfig settings;

  /**
   * sparkConf keys that reach the node or the cluster's credentials, denied unless the deployment
   * chooses its own list: host-path volumes, secret mounts and secret environment, the driver's API
   * credentials, and pod templates (which can hold any of these).
   */
  public static final List<String> DENIED_CONF_KEYS =
      List.of(
          "spark.kubernetes.*.volumes.hostPath.*",
          "spark.kubernetes.*.secrets.*",
          "spark.kubernetes.*.secretKeyRef.*",
          "spark.kubernetes.authenticate.*",
          "spark.kubernetes.*.podTemplateFile",
          "spark.kubernetes.*.podTemplateContainerName");

  /** The plugin's name: its settings are {@code --plugin-config spark.<key>=...}. */
  public static final String NAME = "spark";

  /** For ServiceLoader: the defaults; the agent then applies the deployment's settings. */
  public SparkOperatorPlugin() {
    this(SparkPluginConfig.defaults());
  }

  public SparkOperatorPlugin(SparkPluginConfig settings) {
    this.factory = new SparkApplicationFactory(settings);
    this.mapper = new SparkPhaseMapper(settings);
    this.settings = settings;
  }

  @Override
  public List<TaskType> taskTypes() {
    return List.of(new TaskType(ExamplePlugin.TASK_TYPE, ExamplePlugin.TASK_TYPE_VERSION));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<PluginSetting> settings() {
    return SparkPluginConfig.SETTINGS;
  }

  @Override
  public SparkOperatorPlugin configure(PluginSettings settings) {
    return new SparkOperatorPlugin(SparkPluginConfig.from(settings));
  }

  /** The driver pod, named by the operator {@code <app>-driver}. */
  @Override
  public Optional<LogSource> logSource(String resourceName) {
    return Optional.of(
        LogSource.pod(SparkApplications.driverPodName(resourceName), DRIVER_CONTAINER));
  }

  @Override
  public ResourceIdentity identity() {
    return SparkApplications.IDENTITY;
  }

  @Override
  public GenericKubernetesResource build(TaskContext context) throws ResourceBuildException {
    return factory.build(context);
  }

  /**
   * The deployment's policy on the built application: the driver and executors run as the
   * execution's {@code k8s_service_account} (else the plugin default), as Flyte's Go Spark plugin
   * does, unless the policy allows a task config to choose; and no {@code sparkConf} key matches a
   * denied pattern (host paths, secrets, API credentials, pod templates by default); tolerations of
   * NoSchedule/NoExecute taints and the priority class only as the policy allows.
   */
  @Override
  public void admit(TaskContext context, GenericKubernetesResource resource, TaskPolicy policy)
      throws PolicyViolationException {
    Map<?, ?> spec = asMap(resource.getAdditionalProperties().get("spec"));
    String expected = context.serviceAccount("", settings.defaultServiceAccount());
    for (String role : List.of("driver", "executor")) {
      Object account = asMap(spec.get(role)).get("serviceAccount");
      policy.checkServiceAccount(
          role + ".serviceAccount", account == null ? "" : account.toString(), expected);
    }
    policy.checkConfKeys("sparkConf", asMap(spec.get("sparkConf")).keySet(), DENIED_CONF_KEYS);
    for (String role : List.of("driver", "executor")) {
      Object tolerations = asMap(spec.get(role)).get("tolerations");
      policy.checkTolerations(
          role + ".tolerations", tolerations instanceof List<?> l ? l : List.of());
    }
    Object priorityClass = asMap(spec.get("batchSchedulerOptions")).get("priorityClassName");
    policy.checkPriorityClass(
        "priorityClassName", priorityClass == null ? "" : priorityClass.toString());
  }

  private static Map<?, ?> asMap(Object value) {
    return value instanceof Map<?, ?> m ? m : Map.of();
  }

  @Override
  public PhaseInfo phase(GenericKubernetesResource resource) {
    return mapper.phase(resource);
  }
}
