package dev.flyteplugin.proto.example;

import dev.flyteplugin.proto.ConfigViolation;
import dev.flyteplugin.proto.InvalidConfigException;
import dev.flyteplugin.proto.KubernetesRules;
import dev.flyteplugin.proto.example.v1.DriverSpec;
import dev.flyteplugin.proto.example.v1.DynamicAllocation;
import dev.flyteplugin.proto.example.v1.ExecutorSpec;
import dev.flyteplugin.proto.example.v1.Gpu;
import dev.flyteplugin.proto.example.v1.RestartPolicy;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;
import dev.flyteplugin.proto.example.v1.Toleration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The rules a {@link SparkApplicationConfig} must follow, in one place: the SDK's compile-time
 * checks, the SDK's runtime checks and the backend all report these same violations, so a user sees
 * the same message wherever a mistake is caught.
 *
 * <p>Field paths are those of the config's JSON form ({@code executor.instances}).
 *
 * <p>Kubernetes' own rules (quantities, names, labels, images ...) come from {@link
 * KubernetesRules}; this class adds Spark's.
 *
 * <p>PLUGIN AUTHOR SEAM: replace with the rules of your operator's config.
 */
public final class SparkConfigValidator {
  /** "3.5", "3.5.1", "3.5.1-custom". */
  static final Pattern SPARK_VERSION = Pattern.compile("\\d+\\.\\d+(\\.\\d+)?(-[A-Za-z0-9.]+)?");

  /** Spark's byte-size format (JavaUtils.byteStringAs): "512m", "4g", "1024", "2gb". */
  static final Pattern SPARK_SIZE = Pattern.compile("\\d+([kKmMgGtTpP][bB]?|[bB])?");

  private SparkConfigValidator() {}

  /** All violations of the config; empty when it is valid. */
  public static List<ConfigViolation> violations(SparkApplicationConfig config) {
    List<ConfigViolation> out = new ArrayList<>();
    checkSparkVersion(config.getSparkVersion(), out);
    checkConfMap("sparkConf", config.getSparkConfMap(), out);
    checkConfMap("hadoopConf", config.getHadoopConfMap(), out);
    if (config.hasDriver()) {
      checkDriver(config.getDriver(), out);
    }
    if (config.hasExecutor()) {
      checkExecutor(config.getExecutor(), out);
    }
    if (config.hasRestartPolicy()) {
      checkRestartPolicy(config.getRestartPolicy(), out);
    }
    if (config.hasTimeToLiveSeconds() && config.getTimeToLiveSeconds() < 1) {
      out.add(
          new ConfigViolation(
              "timeToLiveSeconds",
              "must be at least 1, got " + config.getTimeToLiveSeconds(),
              "leave it unset to use the backend's cleanup TTL, or give seconds >= 1"));
    }
    KubernetesRules.image("image", config.getImage(), out);
    KubernetesRules.pullPolicy("imagePullPolicy", config.getImagePullPolicy(), out);
    if (config.hasDynamicAllocation()) {
      checkDynamicAllocation(config.getDynamicAllocation(), out);
    }
    if (!config.getMainClass().isEmpty() && !isJavaClassName(config.getMainClass())) {
      out.add(
          new ConfigViolation(
              "mainClass",
              "\"" + config.getMainClass() + "\" is not a Java class name",
              "give a fully qualified class name such as com.example.Main"));
    }
    boolean jvm =
        switch (config.getApplicationType()) {
          case PYTHON, R -> false;
          default -> true;
        };
    if (!jvm && config.getMainApplicationFile().isEmpty()) {
      // The default artifact is the task image's jar (jflyte's launcher): a Python or R
      // application needs its own script, and then runs that program, not the task's run().
      out.add(
          new ConfigViolation(
              "applicationType",
              config.getApplicationType()
                  + " needs mainApplicationFile: the default artifact is the task's jar, which"
                  + " only a JVM application (JAVA, SCALA) can run",
              "leave applicationType unset (JAVA) to run the task itself, or give"
                  + " mainApplicationFile (e.g. local:///opt/app/main.py)"));
    }
    if (!jvm && !config.getMainClass().isEmpty()) {
      out.add(
          new ConfigViolation(
              "mainClass",
              "is ignored by a " + config.getApplicationType() + " application",
              "remove mainClass, or use applicationType JAVA or SCALA"));
    }
    if (config.getExtraArgumentsCount() > 0 && config.getMainClass().isEmpty() && jvm) {
      // Without a main class of the user's, the driver runs the task through jflyte's launcher,
      // whose `execute` command takes exactly the task's own arguments and rejects any other, so
      // such a task could never run.
      out.add(
          new ConfigViolation(
              "extraArguments",
              "is only allowed with a mainClass of your own: the default driver main runs the task"
                  + " through jflyte execute, which rejects extra arguments "
                  + config.getExtraArgumentsList(),
              "remove extraArguments (pass values as task inputs or sparkConf), or set mainClass"
                  + " to your own main that accepts them"));
    }
    KubernetesRules.objectName("priorityClassName", config.getPriorityClassName(), out);
    return out;
  }

  /**
   * @throws InvalidConfigException listing every violation, if there is any
   */
  public static void check(SparkApplicationConfig config) {
    List<ConfigViolation> violations = violations(config);
    if (!violations.isEmpty()) {
      throw new InvalidConfigException(violations);
    }
  }

  /** The violation of one Spark size (memory) value, for checks done field by field. */
  public static List<ConfigViolation> checkSparkSize(String field, String value) {
    List<ConfigViolation> out = new ArrayList<>();
    checkSize(field, value, out);
    return out;
  }

  /** The violation of a Spark version, for checks done field by field. */
  public static List<ConfigViolation> checkSparkVersion(String value) {
    List<ConfigViolation> out = new ArrayList<>();
    checkSparkVersion(value, out);
    return out;
  }

  private static void checkSparkVersion(String version, List<ConfigViolation> out) {
    if (version.isBlank()) {
      out.add(
          new ConfigViolation(
              "sparkVersion",
              "is required and missing",
              "give the Spark version of the image, e.g. \"3.5.1\""));
    } else if (!SPARK_VERSION.matcher(version).matches()) {
      out.add(
          new ConfigViolation(
              "sparkVersion",
              "\"" + version + "\" is not a Spark version",
              "write it as major.minor[.patch], e.g. \"3.5.1\""));
    }
  }

  private static void checkConfMap(
      String field, Map<String, String> conf, List<ConfigViolation> out) {
    for (String key : conf.keySet()) {
      if (key.isBlank()) {
        out.add(
            new ConfigViolation(
                field, "has an entry with a blank key", "give every entry a key or remove it"));
      } else if (!key.equals(key.strip())) {
        out.add(
            new ConfigViolation(
                field + "[\"" + key + "\"]",
                "the key has leading or trailing spaces",
                "remove the spaces around the key"));
      }
    }
  }

  /**
   * What driver and executor pods have in common: DriverSpec and ExecutorSpec are separate messages
   * (their JSON form is the operator's), so the shared rules read them through this.
   */
  private record Pod(
      String role,
      Integer cores,
      String coreLimit,
      String memory,
      String memoryOverhead,
      String memoryLimit,
      Map<String, String> nodeSelector,
      String serviceAccount,
      Map<String, String> labels,
      Map<String, String> env,
      List<Toleration> tolerations,
      String image,
      Gpu gpu) {
    static Pod of(DriverSpec d) {
      return new Pod(
          "driver",
          d.hasCores() ? d.getCores() : null,
          d.getCoreLimit(),
          d.getMemory(),
          d.getMemoryOverhead(),
          d.getMemoryLimit(),
          d.getNodeSelectorMap(),
          d.getServiceAccount(),
          d.getLabelsMap(),
          d.getEnvMap(),
          d.getTolerationsList(),
          d.getImage(),
          d.hasGpu() ? d.getGpu() : null);
    }

    static Pod of(ExecutorSpec e) {
      return new Pod(
          "executor",
          e.hasCores() ? e.getCores() : null,
          e.getCoreLimit(),
          e.getMemory(),
          e.getMemoryOverhead(),
          e.getMemoryLimit(),
          e.getNodeSelectorMap(),
          e.getServiceAccount(),
          e.getLabelsMap(),
          e.getEnvMap(),
          e.getTolerationsList(),
          e.getImage(),
          e.hasGpu() ? e.getGpu() : null);
    }
  }

  private static void checkDriver(DriverSpec driver, List<ConfigViolation> out) {
    checkPod(Pod.of(driver), out);
  }

  private static void checkExecutor(ExecutorSpec executor, List<ConfigViolation> out) {
    if (executor.hasInstances()) {
      KubernetesRules.atLeastOne(
          "executor.instances", executor.getInstances(), "ask for at least one executor", out);
    }
    checkPod(Pod.of(executor), out);
  }

  private static void checkPod(Pod pod, List<ConfigViolation> out) {
    String p = pod.role() + ".";
    if (pod.cores() != null) {
      KubernetesRules.atLeastOne(p + "cores", pod.cores(), "ask for at least one core", out);
    }
    KubernetesRules.cpu(p + "coreLimit", pod.coreLimit(), out);
    checkSize(p + "memory", pod.memory(), out);
    checkSize(p + "memoryOverhead", pod.memoryOverhead(), out);
    // the operator reads memoryLimit as a Java size (webhook addMemoryLimit,
    // ConvertJavaMemoryStringToK8sMemoryString), like memory
    checkSize(p + "memoryLimit", pod.memoryLimit(), out);
    KubernetesRules.labels(p + "nodeSelector", pod.nodeSelector(), out);
    KubernetesRules.objectName(p + "serviceAccount", pod.serviceAccount(), out);
    KubernetesRules.labels(p + "labels", pod.labels(), out);
    KubernetesRules.envNames(p + "env", pod.env(), out);
    checkTolerations(p + "tolerations", pod.tolerations(), out);
    KubernetesRules.image(p + "image", pod.image(), out);
    if (pod.gpu() != null) {
      checkGpu(p + "gpu", pod.gpu(), out);
    }
  }

  private static void checkRestartPolicy(RestartPolicy policy, List<ConfigViolation> out) {
    KubernetesRules.notNegative(
        "restartPolicy.onFailureRetries",
        policy.hasOnFailureRetries(),
        policy.getOnFailureRetries(),
        out);
    KubernetesRules.notNegative(
        "restartPolicy.onFailureRetryIntervalSeconds",
        policy.hasOnFailureRetryIntervalSeconds(),
        policy.getOnFailureRetryIntervalSeconds(),
        out);
    KubernetesRules.notNegative(
        "restartPolicy.onSubmissionFailureRetries",
        policy.hasOnSubmissionFailureRetries(),
        policy.getOnSubmissionFailureRetries(),
        out);
    KubernetesRules.notNegative(
        "restartPolicy.onSubmissionFailureRetryIntervalSeconds",
        policy.hasOnSubmissionFailureRetryIntervalSeconds(),
        policy.getOnSubmissionFailureRetryIntervalSeconds(),
        out);
    if (policy.getType() == RestartPolicy.Type.NEVER
        && (policy.hasOnFailureRetries() || policy.hasOnSubmissionFailureRetries())) {
      out.add(
          new ConfigViolation(
              "restartPolicy.type",
              "NEVER does not retry, but retries are set",
              "use ON_FAILURE to retry, or remove the retry counts"));
    }
  }

  private static void checkDynamicAllocation(DynamicAllocation d, List<ConfigViolation> out) {
    KubernetesRules.notNegative(
        "dynamicAllocation.initialExecutors",
        d.hasInitialExecutors(),
        d.getInitialExecutors(),
        out);
    KubernetesRules.notNegative(
        "dynamicAllocation.minExecutors", d.hasMinExecutors(), d.getMinExecutors(), out);
    KubernetesRules.notNegative(
        "dynamicAllocation.maxExecutors", d.hasMaxExecutors(), d.getMaxExecutors(), out);
    if (d.hasMinExecutors() && d.hasMaxExecutors() && d.getMinExecutors() > d.getMaxExecutors()) {
      out.add(
          new ConfigViolation(
              "dynamicAllocation.minExecutors",
              "is " + d.getMinExecutors() + ", above maxExecutors " + d.getMaxExecutors(),
              "make minExecutors <= maxExecutors"));
    }
  }

  private static void checkSize(String field, String value, List<ConfigViolation> out) {
    if (!value.isEmpty() && !SPARK_SIZE.matcher(value).matches()) {
      out.add(
          new ConfigViolation(
              field,
              "\"" + value + "\" is not a Spark memory size",
              "write a number with a unit k, m, g or t, e.g. \"512m\" or \"4g\""
                  + (value.matches("\\d+[KMGTP]i")
                      ? " (Spark does not read Kubernetes' \"" + value + "\")"
                      : "")));
    }
  }

  private static void checkTolerations(
      String field, List<Toleration> tolerations, List<ConfigViolation> out) {
    for (int i = 0; i < tolerations.size(); i++) {
      Toleration t = tolerations.get(i);
      KubernetesRules.toleration(
          field + "[" + i + "]", t.getOperator(), t.getValue(), t.getEffect(), out);
    }
  }

  private static void checkGpu(String field, Gpu gpu, List<ConfigViolation> out) {
    if (gpu.getName().isBlank()) {
      out.add(
          new ConfigViolation(
              field + ".name", "is missing", "name the GPU resource, e.g. nvidia.com/gpu"));
    }
    if (gpu.getQuantity() < 1) {
      out.add(
          new ConfigViolation(
              field + ".quantity",
              "must be at least 1, got " + gpu.getQuantity(),
              "ask for at least one GPU or remove the gpu field"));
    }
  }

  private static boolean isJavaClassName(String name) {
    for (String part : name.split("\\.", -1)) {
      if (part.isEmpty() || !Character.isJavaIdentifierStart(part.charAt(0))) {
        return false;
      }
      if (!part.chars().skip(1).allMatch(Character::isJavaIdentifierPart)) {
        return false;
      }
    }
    return true;
  }
}
