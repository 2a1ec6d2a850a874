package dev.flyteplugin.flytekit;

import dev.flyteplugin.flytekit.ExamplePluginTask.Conf;
import dev.flyteplugin.proto.ConfigViolation;
import dev.flyteplugin.proto.InvalidConfigException;
import dev.flyteplugin.proto.example.SparkConfigValidator;
import dev.flyteplugin.proto.example.v1.Dependencies;
import dev.flyteplugin.proto.example.v1.DriverSpec;
import dev.flyteplugin.proto.example.v1.ExecutorSpec;
import dev.flyteplugin.proto.example.v1.RestartPolicy;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;

/**
 * Turns an {@link ExamplePluginTask} into a {@link SparkApplicationConfig} and checks it. The
 * annotation processor and the runtime both call this class, so a mistake gets the same message at
 * compile time and at run time: the rules themselves live in {@link SparkConfigValidator}; this
 * class only maps its field paths ({@code executor.instances}) to attribute names ({@code
 * executorInstances}) and adds the one check a map cannot express (duplicate keys).
 *
 * <p>PLUGIN AUTHOR SEAM: map your annotation's attributes to your config, and your validator's
 * field paths back to attribute names.
 */
public final class ExamplePluginTaskAnnotations {
  private static final String[] NESTED_PREFIXES = {"driver.", "executor."};

  private ExamplePluginTaskAnnotations() {}

  /**
   * The config the annotation describes.
   *
   * @throws InvalidConfigException naming each offending attribute and its fix
   */
  public static SparkApplicationConfig toConfig(ExamplePluginTask task) {
    List<ConfigViolation> violations = violations(task);
    if (!violations.isEmpty()) {
      throw new InvalidConfigException(violations);
    }
    return map(task);
  }

  /** Every problem of the annotation, each naming an attribute; empty when it is valid. */
  public static List<ConfigViolation> violations(ExamplePluginTask task) {
    List<ConfigViolation> out = new ArrayList<>();
    duplicateKeys("sparkConf", task.sparkConf(), out);
    duplicateKeys("hadoopConf", task.hadoopConf(), out);
    for (ConfigViolation v : SparkConfigValidator.violations(map(task))) {
      out.add(new ConfigViolation(attributePath(v.field()), v.problem(), v.fix()));
    }
    return out;
  }

  /**
   * The annotation attribute, with any key or index suffix, that sets a config field: {@code
   * executor.instances} -> {@code executorInstances}, {@code sparkConf["k"]} stays as it is.
   */
  public static String attributePath(String configField) {
    for (String prefix : NESTED_PREFIXES) {
      if (configField.startsWith(prefix)) {
        String rest = configField.substring(prefix.length());
        return prefix.substring(0, prefix.length() - 1)
            + Character.toUpperCase(rest.charAt(0))
            + rest.substring(1);
      }
    }
    if (configField.equals("restartPolicy.type")) {
      return "restartPolicy";
    }
    for (String prefix : new String[] {"restartPolicy.", "deps."}) {
      if (configField.startsWith(prefix)) {
        return configField.substring(prefix.length());
      }
    }
    return configField;
  }

  /** The attribute's name alone: {@code sparkConf["k"]} -> {@code sparkConf}. */
  public static String attributeName(String attributePath) {
    int end = attributePath.length();
    for (char c : new char[] {'[', '.'}) {
      int i = attributePath.indexOf(c);
      if (i >= 0 && i < end) {
        end = i;
      }
    }
    return attributePath.substring(0, end);
  }

  private static void duplicateKeys(String attribute, Conf[] entries, List<ConfigViolation> out) {
    Map<String, String> seen = new HashMap<>();
    for (Conf entry : entries) {
      String previous = seen.putIfAbsent(entry.key(), entry.value());
      if (previous != null) {
        out.add(
            new ConfigViolation(
                attribute + "[\"" + entry.key() + "\"]",
                "the key is given twice (values \""
                    + previous
                    + "\" and \""
                    + entry.value()
                    + "\")",
                "keep one @Conf per key"));
      }
    }
  }

  private static SparkApplicationConfig map(ExamplePluginTask task) {
    SparkApplicationConfig.Builder config =
        SparkApplicationConfig.newBuilder().setSparkVersion(task.sparkVersion());
    string(task.image(), config::setImage);
    string(task.imagePullPolicy(), config::setImagePullPolicy);
    for (Conf c : task.sparkConf()) {
      config.putSparkConf(c.key(), c.value());
    }
    for (Conf c : task.hadoopConf()) {
      config.putHadoopConf(c.key(), c.value());
    }

    DriverSpec.Builder driver = DriverSpec.newBuilder();
    number(task.driverCores(), driver::setCores);
    string(task.driverCoreLimit(), driver::setCoreLimit);
    string(task.driverMemory(), driver::setMemory);
    string(task.driverMemoryOverhead(), driver::setMemoryOverhead);
    string(task.driverServiceAccount(), driver::setServiceAccount);
    string(task.driverJavaOptions(), driver::setJavaOptions);
    if (!driver.build().equals(DriverSpec.getDefaultInstance())) {
      config.setDriver(driver);
    }

    ExecutorSpec.Builder executor = ExecutorSpec.newBuilder();
    number(task.executorInstances(), executor::setInstances);
    number(task.executorCores(), executor::setCores);
    string(task.executorCoreLimit(), executor::setCoreLimit);
    string(task.executorMemory(), executor::setMemory);
    string(task.executorMemoryOverhead(), executor::setMemoryOverhead);
    string(task.executorJavaOptions(), executor::setJavaOptions);
    if (!executor.build().equals(ExecutorSpec.getDefaultInstance())) {
      config.setExecutor(executor);
    }

    RestartPolicy.Builder restart = RestartPolicy.newBuilder().setType(task.restartPolicy());
    number(task.onFailureRetries(), restart::setOnFailureRetries);
    number(task.onSubmissionFailureRetries(), restart::setOnSubmissionFailureRetries);
    if (!restart.build().equals(RestartPolicy.getDefaultInstance())) {
      config.setRestartPolicy(restart);
    }

    longNumber(task.timeToLiveSeconds(), config::setTimeToLiveSeconds);
    if (task.jars().length > 0 || task.packages().length > 0) {
      config.setDeps(
          Dependencies.newBuilder()
              .addAllJars(List.of(task.jars()))
              .addAllPackages(List.of(task.packages())));
    }
    string(task.batchScheduler(), config::setBatchScheduler);
    string(task.batchSchedulerQueue(), config::setBatchSchedulerQueue);
    string(task.priorityClassName(), config::setPriorityClassName);
    return config.build();
  }

  private static void string(String value, Consumer<String> setter) {
    if (!value.isEmpty()) {
      setter.accept(value);
    }
  }

  private static void number(int value, IntConsumer setter) {
    if (value != ExamplePluginTask.UNSET) {
      setter.accept(value);
    }
  }

  private static void longNumber(long value, LongConsumer setter) {
    if (value != ExamplePluginTask.UNSET) {
      setter.accept(value);
    }
  }
}
