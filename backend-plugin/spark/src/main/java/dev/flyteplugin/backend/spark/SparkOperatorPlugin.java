package dev.flyteplugin.backend.spark;

import com.google.auto.service.AutoService;
import dev.flyteplugin.backend.api.OperatorPlugin;
import dev.flyteplugin.backend.api.PhaseInfo;
import dev.flyteplugin.backend.api.ResourceBuildException;
import dev.flyteplugin.backend.api.ResourceIdentity;
import dev.flyteplugin.backend.api.TaskContext;
import dev.flyteplugin.backend.api.TaskType;
import dev.flyteplugin.proto.example.ExamplePlugin;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;

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
  private final SparkApplicationFactory factory;
  private final SparkPhaseMapper mapper;

  /** For ServiceLoader: settings from {@code FLYTEPLUGIN_SPARK_*} environment variables. */
  public SparkOperatorPlugin() {
    this(SparkPluginConfig.fromEnvironment(System.getenv()));
  }

  public SparkOperatorPlugin(SparkPluginConfig settings) {
    this.factory = new SparkApplicationFactory(settings);
    this.mapper = new SparkPhaseMapper(settings);
  }

  @Override
  public List<TaskType> taskTypes() {
    return List.of(new TaskType(ExamplePlugin.TASK_TYPE, ExamplePlugin.TASK_TYPE_VERSION));
  }

  @Override
  public ResourceIdentity identity() {
    return SparkApplications.IDENTITY;
  }

  @Override
  public GenericKubernetesResource build(TaskContext context) throws ResourceBuildException {
    return factory.build(context);
  }

  @Override
  public PhaseInfo phase(GenericKubernetesResource resource) {
    return mapper.phase(resource);
  }
}
