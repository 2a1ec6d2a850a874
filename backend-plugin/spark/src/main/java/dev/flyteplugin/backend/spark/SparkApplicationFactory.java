package dev.flyteplugin.backend.spark;

import static dev.flyteplugin.backend.api.KubernetesObjects.putIfNotEmpty;

import dev.flyteplugin.backend.api.KubernetesObjects;
import dev.flyteplugin.backend.api.ResourceBuildException;
import dev.flyteplugin.backend.api.TaskContext;
import dev.flyteplugin.proto.InvalidConfigException;
import dev.flyteplugin.proto.example.ExamplePlugin;
import dev.flyteplugin.proto.example.v1.Dependencies;
import dev.flyteplugin.proto.example.v1.DriverSpec;
import dev.flyteplugin.proto.example.v1.DynamicAllocation;
import dev.flyteplugin.proto.example.v1.ExecutorSpec;
import dev.flyteplugin.proto.example.v1.Gpu;
import dev.flyteplugin.proto.example.v1.RestartPolicy;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;
import dev.flyteplugin.proto.example.v1.Toleration;
import flyteidl.core.Tasks.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the {@code SparkApplication} of one task attempt from the task template and its {@link
 * SparkApplicationConfig}, the way flyteplugins' {@code plugins/k8s/spark/spark.go} ({@code
 * BuildResource}) does for PySpark: cluster mode, the task container's args as the application's
 * arguments (so the user's task runs in the driver), restart policy OnFailure with 14 submission
 * retries, and the execution's labels on driver and executor pods.
 *
 * <p>PLUGIN AUTHOR SEAM: this is where your operator's resource is built from your config.
 */
final class SparkApplicationFactory {
  static final int DEFAULT_SUBMISSION_RETRIES = 14;

  private final SparkPluginConfig settings;

  SparkApplicationFactory(SparkPluginConfig settings) {
    this.settings = settings;
  }

  GenericKubernetesResource build(TaskContext context) throws ResourceBuildException {
    SparkApplicationConfig config;
    try {
      config = ExamplePlugin.decode(context.template().getCustom());
    } catch (InvalidConfigException e) {
      throw new ResourceBuildException(e.getMessage(), e);
    }
    Container container = context.container();
    String image = context.image(config.getImage(), "SparkApplicationConfig.image");

    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("type", applicationType(config));
    spec.put("mode", "cluster");
    spec.put("sparkVersion", config.getSparkVersion());
    spec.put("image", image);
    putIfNotEmpty(spec, "imagePullPolicy", config.getImagePullPolicy());
    spec.put("mainClass", firstNonEmpty(config.getMainClass(), settings.defaultMainClass()));
    spec.put(
        "mainApplicationFile",
        firstNonEmpty(config.getMainApplicationFile(), settings.defaultMainApplicationFile()));
    List<String> arguments = new ArrayList<>(container.getArgsList());
    arguments.addAll(config.getExtraArgumentsList());
    spec.put("arguments", arguments);
    if (!config.getSparkConfMap().isEmpty()) {
      spec.put("sparkConf", new LinkedHashMap<>(config.getSparkConfMap()));
    }
    if (!config.getHadoopConfMap().isEmpty()) {
      spec.put("hadoopConf", new LinkedHashMap<>(config.getHadoopConfMap()));
    }
    if (config.hasDeps()) {
      spec.put("deps", deps(config.getDeps()));
    }
    if (config.hasDynamicAllocation()) {
      spec.put("dynamicAllocation", dynamicAllocation(config.getDynamicAllocation()));
    }
    spec.put("restartPolicy", restartPolicy(config.getRestartPolicy()));
    if (config.hasTimeToLiveSeconds()) {
      // The operator deletes the application this long after it ends, whether or not propeller has
      // seen the result: never earlier than the runtime's minimum retention.
      long minimum = (context.minRetention().toMillis() + 999) / 1000;
      spec.put("timeToLiveSeconds", Math.max(config.getTimeToLiveSeconds(), minimum));
    }
    putIfNotEmpty(spec, "batchScheduler", config.getBatchScheduler());
    Map<String, Object> schedulerOptions = new LinkedHashMap<>();
    putIfNotEmpty(schedulerOptions, "queue", config.getBatchSchedulerQueue());
    putIfNotEmpty(schedulerOptions, "priorityClassName", config.getPriorityClassName());
    if (!schedulerOptions.isEmpty()) {
      spec.put("batchSchedulerOptions", schedulerOptions);
    }

    Map<String, String> env = context.environment();
    spec.put("driver", driver(config.getDriver(), context, env));
    spec.put("executor", executor(config.getExecutor(), context, env));

    GenericKubernetesResource app = new GenericKubernetesResource();
    app.setAdditionalProperty("spec", spec);
    return app;
  }

  private static String applicationType(SparkApplicationConfig config) {
    return switch (config.getApplicationType()) {
      case SCALA -> "Scala";
      case PYTHON -> "Python";
      case R -> "R";
      default -> "Java";
    };
  }

  private Map<String, Object> driver(
      DriverSpec driver, TaskContext context, Map<String, String> taskEnv)
      throws ResourceBuildException {
    Map<String, Object> pod = new LinkedHashMap<>();
    pod.put("cores", driver.hasCores() ? driver.getCores() : 1);
    putIfNotEmpty(pod, "coreLimit", driver.getCoreLimit());
    putIfNotEmpty(pod, "memory", driver.getMemory());
    putIfNotEmpty(pod, "memoryOverhead", driver.getMemoryOverhead());
    memoryLimit(pod, "driver.memoryLimit", driver.getMemoryLimit());
    putIfNotEmpty(
        pod,
        "serviceAccount",
        context.serviceAccount(driver.getServiceAccount(), settings.defaultServiceAccount()));
    putIfNotEmpty(pod, "javaOptions", driver.getJavaOptions());
    putIfNotEmpty(pod, "image", driver.getImage());
    pod.put("labels", labels(driver.getLabelsMap(), context));
    if (!driver.getAnnotationsMap().isEmpty()) {
      pod.put("annotations", new LinkedHashMap<>(driver.getAnnotationsMap()));
    }
    pod.put("env", envVars(taskEnv, driver.getEnvMap()));
    if (!driver.getNodeSelectorMap().isEmpty()) {
      pod.put("nodeSelector", new LinkedHashMap<>(driver.getNodeSelectorMap()));
    }
    if (driver.getTolerationsCount() > 0) {
      pod.put("tolerations", tolerations(driver.getTolerationsList()));
    }
    if (driver.hasGpu()) {
      pod.put("gpu", gpu(driver.getGpu()));
    }
    return pod;
  }

  /**
   * SparkPodSpec.memoryLimit exists from spark-operator v2.2.0
   * (api/v1beta2/sparkapplication_types.go, applied by internal/webhook/sparkpod_defaulter.go
   * addMemoryLimit); an older operator drops it silently, so the pod would run without the limit
   * the task asked for.
   */
  private void memoryLimit(Map<String, Object> pod, String field, String value)
      throws ResourceBuildException {
    if (!value.isEmpty()) {
      settings.operatorVersion().require(field, "v2.2.0");
      pod.put("memoryLimit", value);
    }
  }

  private Map<String, Object> executor(
      ExecutorSpec executor, TaskContext context, Map<String, String> taskEnv)
      throws ResourceBuildException {
    Map<String, Object> pod = new LinkedHashMap<>();
    pod.put("instances", executor.hasInstances() ? executor.getInstances() : 1);
    pod.put("cores", executor.hasCores() ? executor.getCores() : 1);
    putIfNotEmpty(pod, "coreLimit", executor.getCoreLimit());
    putIfNotEmpty(pod, "memory", executor.getMemory());
    putIfNotEmpty(pod, "memoryOverhead", executor.getMemoryOverhead());
    memoryLimit(pod, "executor.memoryLimit", executor.getMemoryLimit());
    putIfNotEmpty(pod, "javaOptions", executor.getJavaOptions());
    putIfNotEmpty(pod, "image", executor.getImage());
    putIfNotEmpty(pod, "serviceAccount", executor.getServiceAccount());
    if (executor.hasDeleteOnTermination()) {
      pod.put("deleteOnTermination", executor.getDeleteOnTermination());
    }
    pod.put("labels", labels(executor.getLabelsMap(), context));
    if (!executor.getAnnotationsMap().isEmpty()) {
      pod.put("annotations", new LinkedHashMap<>(executor.getAnnotationsMap()));
    }
    pod.put("env", envVars(taskEnv, executor.getEnvMap()));
    if (!executor.getNodeSelectorMap().isEmpty()) {
      pod.put("nodeSelector", new LinkedHashMap<>(executor.getNodeSelectorMap()));
    }
    if (executor.getTolerationsCount() > 0) {
      pod.put("tolerations", tolerations(executor.getTolerationsList()));
    }
    if (executor.hasGpu()) {
      pod.put("gpu", gpu(executor.getGpu()));
    }
    return pod;
  }

  /** The config's pod labels, then the execution's (which the runtime relies on, so they win). */
  private static Map<String, String> labels(Map<String, String> own, TaskContext context) {
    Map<String, String> labels = new LinkedHashMap<>(own);
    labels.putAll(context.executionLabels());
    return labels;
  }

  private static List<Map<String, Object>> envVars(
      Map<String, String> taskEnv, Map<String, String> roleEnv) {
    Map<String, String> merged = new LinkedHashMap<>(taskEnv);
    merged.putAll(roleEnv);
    List<Map<String, Object>> vars = new ArrayList<>();
    merged.forEach((k, v) -> vars.add(Map.of("name", k, "value", v)));
    return vars;
  }

  private static List<Map<String, Object>> tolerations(List<Toleration> tolerations) {
    return tolerations.stream()
        .map(
            t ->
                KubernetesObjects.toleration(
                    t.getKey(),
                    t.getOperator(),
                    t.getValue(),
                    t.getEffect(),
                    t.hasTolerationSeconds()
                        ? Optional.of(t.getTolerationSeconds())
                        : Optional.empty()))
        .toList();
  }

  private static Map<String, Object> gpu(Gpu gpu) {
    return Map.of("name", gpu.getName(), "quantity", gpu.getQuantity());
  }

  private static Map<String, Object> deps(Dependencies deps) {
    Map<String, Object> m = new LinkedHashMap<>();
    putListIfNotEmpty(m, "jars", deps.getJarsList());
    putListIfNotEmpty(m, "files", deps.getFilesList());
    putListIfNotEmpty(m, "pyFiles", deps.getPyFilesList());
    putListIfNotEmpty(m, "packages", deps.getPackagesList());
    putListIfNotEmpty(m, "excludePackages", deps.getExcludePackagesList());
    putListIfNotEmpty(m, "repositories", deps.getRepositoriesList());
    return m;
  }

  private static Map<String, Object> dynamicAllocation(DynamicAllocation da) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("enabled", da.getEnabled());
    if (da.hasInitialExecutors()) {
      m.put("initialExecutors", da.getInitialExecutors());
    }
    if (da.hasMinExecutors()) {
      m.put("minExecutors", da.getMinExecutors());
    }
    if (da.hasMaxExecutors()) {
      m.put("maxExecutors", da.getMaxExecutors());
    }
    if (da.hasShuffleTrackingTimeoutMillis()) {
      m.put("shuffleTrackingTimeout", da.getShuffleTrackingTimeoutMillis());
    }
    return m;
  }

  /**
   * OnFailure with 14 submission retries and no rerun of a failed run by default (Flyte retries the
   * task itself), as the Go plugin does.
   */
  private static Map<String, Object> restartPolicy(RestartPolicy policy) {
    Map<String, Object> m = new LinkedHashMap<>();
    String type =
        switch (policy.getType()) {
          case NEVER -> "Never";
          case ALWAYS -> "Always";
          default -> "OnFailure";
        };
    m.put("type", type);
    if (!"Never".equals(type)) {
      m.put(
          "onSubmissionFailureRetries",
          policy.hasOnSubmissionFailureRetries()
              ? policy.getOnSubmissionFailureRetries()
              : DEFAULT_SUBMISSION_RETRIES);
      m.put("onFailureRetries", policy.hasOnFailureRetries() ? policy.getOnFailureRetries() : 0);
      if (policy.hasOnFailureRetryIntervalSeconds()) {
        m.put("onFailureRetryInterval", policy.getOnFailureRetryIntervalSeconds());
      }
      if (policy.hasOnSubmissionFailureRetryIntervalSeconds()) {
        m.put(
            "onSubmissionFailureRetryInterval",
            policy.getOnSubmissionFailureRetryIntervalSeconds());
      }
    }
    return m;
  }

  private static void putListIfNotEmpty(Map<String, Object> map, String key, List<String> value) {
    if (!value.isEmpty()) {
      map.put(key, new ArrayList<>(value));
    }
  }

  private static String firstNonEmpty(String... values) {
    for (String v : values) {
      if (v != null && !v.isEmpty()) {
        return v;
      }
    }
    return "";
  }
}
