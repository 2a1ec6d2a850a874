package dev.flyteplugin.proto.example;

import dev.flyteplugin.proto.ConfigViolation;
import dev.flyteplugin.proto.InvalidConfigException;
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
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules a {@link SparkApplicationConfig} must follow, in one place: the SDK's compile-time
 * checks, the SDK's runtime checks and the backend all report these same violations, so a user sees
 * the same message wherever a mistake is caught.
 *
 * <p>Field paths are those of the config's JSON form ({@code executor.instances}).
 *
 * <p>PLUGIN AUTHOR SEAM: replace with the rules of your operator's config.
 */
public final class SparkConfigValidator {
  /** "3.5", "3.5.1", "3.5.1-custom". */
  static final Pattern SPARK_VERSION = Pattern.compile("\\d+\\.\\d+(\\.\\d+)?(-[A-Za-z0-9.]+)?");

  /** Spark's byte-size format (JavaUtils.byteStringAs): "512m", "4g", "1024", "2gb". */
  static final Pattern SPARK_SIZE = Pattern.compile("\\d+([kKmMgGtTpP][bB]?|[bB])?");

  /** A Kubernetes CPU quantity: "1", "0.5", "1500m". */
  static final Pattern CPU_QUANTITY = Pattern.compile("(\\d+(\\.\\d+)?|\\.\\d+)m?");

  /** A label value (and the name part of a key): at most 63 characters, alphanumeric ends. */
  static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");

  static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private static final Set<String> PULL_POLICIES = Set.of("Always", "IfNotPresent", "Never");
  private static final Set<String> TOLERATION_OPERATORS = Set.of("", "Exists", "Equal");
  private static final Set<String> TOLERATION_EFFECTS =
      Set.of("", "NoSchedule", "PreferNoSchedule", "NoExecute");

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
    checkImage("image", config.getImage(), out);
    if (!config.getImagePullPolicy().isEmpty()
        && !PULL_POLICIES.contains(config.getImagePullPolicy())) {
      out.add(
          new ConfigViolation(
              "imagePullPolicy",
              "unknown policy \"" + config.getImagePullPolicy() + "\"",
              "use Always, IfNotPresent or Never"));
    }
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
    if (!config.getPriorityClassName().isEmpty()
        && !DNS_SUBDOMAIN.matcher(config.getPriorityClassName()).matches()) {
      out.add(
          new ConfigViolation(
              "priorityClassName",
              "\"" + config.getPriorityClassName() + "\" is not a Kubernetes object name",
              "use lower-case letters, digits, '-' and '.'"));
    }
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

  private static void checkDriver(DriverSpec driver, List<ConfigViolation> out) {
    if (driver.hasCores()) {
      checkAtLeastOne("driver.cores", driver.getCores(), "ask for at least one core", out);
    }
    checkCpu("driver.coreLimit", driver.getCoreLimit(), out);
    checkSize("driver.memory", driver.getMemory(), out);
    checkSize("driver.memoryOverhead", driver.getMemoryOverhead(), out);
    checkName("driver.serviceAccount", driver.getServiceAccount(), out);
    checkLabels("driver.labels", driver.getLabelsMap(), out);
    checkTolerations("driver.tolerations", driver.getTolerationsList(), out);
    checkImage("driver.image", driver.getImage(), out);
    if (driver.hasGpu()) {
      checkGpu("driver.gpu", driver.getGpu(), out);
    }
  }

  private static void checkExecutor(ExecutorSpec executor, List<ConfigViolation> out) {
    if (executor.hasInstances()) {
      checkAtLeastOne(
          "executor.instances", executor.getInstances(), "ask for at least one executor", out);
    }
    if (executor.hasCores()) {
      checkAtLeastOne("executor.cores", executor.getCores(), "ask for at least one core", out);
    }
    checkCpu("executor.coreLimit", executor.getCoreLimit(), out);
    checkSize("executor.memory", executor.getMemory(), out);
    checkSize("executor.memoryOverhead", executor.getMemoryOverhead(), out);
    checkName("executor.serviceAccount", executor.getServiceAccount(), out);
    checkLabels("executor.labels", executor.getLabelsMap(), out);
    checkTolerations("executor.tolerations", executor.getTolerationsList(), out);
    checkImage("executor.image", executor.getImage(), out);
    if (executor.hasGpu()) {
      checkGpu("executor.gpu", executor.getGpu(), out);
    }
  }

  private static void checkRestartPolicy(RestartPolicy policy, List<ConfigViolation> out) {
    checkNotNegative(
        "restartPolicy.onFailureRetries",
        policy.hasOnFailureRetries(),
        policy.getOnFailureRetries(),
        out);
    checkNotNegative(
        "restartPolicy.onFailureRetryIntervalSeconds",
        policy.hasOnFailureRetryIntervalSeconds(),
        policy.getOnFailureRetryIntervalSeconds(),
        out);
    checkNotNegative(
        "restartPolicy.onSubmissionFailureRetries",
        policy.hasOnSubmissionFailureRetries(),
        policy.getOnSubmissionFailureRetries(),
        out);
    checkNotNegative(
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
    checkNotNegative(
        "dynamicAllocation.initialExecutors",
        d.hasInitialExecutors(),
        d.getInitialExecutors(),
        out);
    checkNotNegative(
        "dynamicAllocation.minExecutors", d.hasMinExecutors(), d.getMinExecutors(), out);
    checkNotNegative(
        "dynamicAllocation.maxExecutors", d.hasMaxExecutors(), d.getMaxExecutors(), out);
    if (d.hasMinExecutors() && d.hasMaxExecutors() && d.getMinExecutors() > d.getMaxExecutors()) {
      out.add(
          new ConfigViolation(
              "dynamicAllocation.minExecutors",
              "is " + d.getMinExecutors() + ", above maxExecutors " + d.getMaxExecutors(),
              "make minExecutors <= maxExecutors"));
    }
  }

  private static void checkAtLeastOne(
      String field, long value, String fix, List<ConfigViolation> out) {
    if (value < 1) {
      out.add(new ConfigViolation(field, "must be at least 1, got " + value, fix));
    }
  }

  private static void checkNotNegative(
      String field, boolean present, long value, List<ConfigViolation> out) {
    if (present && value < 0) {
      out.add(new ConfigViolation(field, "must not be negative, got " + value, "use 0 or more"));
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

  private static void checkCpu(String field, String value, List<ConfigViolation> out) {
    if (!value.isEmpty() && !CPU_QUANTITY.matcher(value).matches()) {
      out.add(
          new ConfigViolation(
              field,
              "\"" + value + "\" is not a Kubernetes CPU quantity",
              "write cores (\"2\", \"0.5\") or millicores (\"1500m\")"));
    }
  }

  private static void checkName(String field, String value, List<ConfigViolation> out) {
    if (!value.isEmpty() && !DNS_SUBDOMAIN.matcher(value).matches()) {
      out.add(
          new ConfigViolation(
              field,
              "\"" + value + "\" is not a Kubernetes object name",
              "use lower-case letters, digits, '-' and '.'"));
    }
  }

  private static void checkImage(String field, String value, List<ConfigViolation> out) {
    if (!value.isEmpty() && (value.isBlank() || value.chars().anyMatch(Character::isWhitespace))) {
      out.add(
          new ConfigViolation(
              field,
              "\"" + value + "\" is not an image reference",
              "give an image such as ghcr.io/org/app:1.0, without spaces"));
    }
  }

  private static void checkLabels(
      String field, Map<String, String> labels, List<ConfigViolation> out) {
    labels.forEach(
        (key, value) -> {
          String name = key.contains("/") ? key.substring(key.lastIndexOf('/') + 1) : key;
          String prefix = key.contains("/") ? key.substring(0, key.lastIndexOf('/')) : "";
          boolean keyOk =
              !name.isEmpty()
                  && name.length() <= 63
                  && LABEL_VALUE.matcher(name).matches()
                  && (prefix.isEmpty()
                      || (prefix.length() <= 253 && DNS_SUBDOMAIN.matcher(prefix).matches()));
          if (!keyOk) {
            out.add(
                new ConfigViolation(
                    field + "[\"" + key + "\"]",
                    "the key is not a Kubernetes label key",
                    "use [prefix/]name, name at most 63 characters of letters, digits, '-', '_', '.'"));
          }
          if (value.length() > 63 || !LABEL_VALUE.matcher(value).matches()) {
            out.add(
                new ConfigViolation(
                    field + "[\"" + key + "\"]",
                    "the value \"" + value + "\" is not a Kubernetes label value",
                    "use at most 63 letters, digits, '-', '_', '.', starting and ending"
                        + " alphanumeric"));
          }
        });
  }

  private static void checkTolerations(
      String field, List<Toleration> tolerations, List<ConfigViolation> out) {
    for (int i = 0; i < tolerations.size(); i++) {
      Toleration t = tolerations.get(i);
      String path = field + "[" + i + "]";
      if (!TOLERATION_OPERATORS.contains(t.getOperator())) {
        out.add(
            new ConfigViolation(
                path + ".operator",
                "unknown operator \"" + t.getOperator() + "\"",
                "use Exists or Equal"));
      }
      if (!TOLERATION_EFFECTS.contains(t.getEffect())) {
        out.add(
            new ConfigViolation(
                path + ".effect",
                "unknown effect \"" + t.getEffect() + "\"",
                "use NoSchedule, PreferNoSchedule or NoExecute, or leave it empty"));
      }
      if ("Exists".equals(t.getOperator()) && !t.getValue().isEmpty()) {
        out.add(
            new ConfigViolation(
                path + ".value",
                "must be empty with operator Exists",
                "remove the value or use operator Equal"));
      }
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
