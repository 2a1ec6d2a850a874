package dev.flyteplugin.proto.flink;

import com.google.protobuf.Struct;
import dev.flyteplugin.proto.ConfigViolation;
import dev.flyteplugin.proto.InvalidConfigException;
import dev.flyteplugin.proto.StructCodec;
import dev.flyteplugin.proto.flink.v1.FlinkJobConfig;
import dev.flyteplugin.proto.flink.v1.ProcessResources;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The Flink plugin's contract: task type, config codec and rules, shared by SDK and backend. */
public final class FlinkPlugin {
  public static final String TASK_TYPE = "flink";
  public static final int TASK_TYPE_VERSION = 0;
  public static final StructCodec<FlinkJobConfig> CODEC =
      StructCodec.of(FlinkJobConfig.getDefaultInstance());

  /** The operator's FlinkVersion values (flink-kubernetes-operator-api spec/FlinkVersion.java). */
  public static final Set<String> FLINK_VERSIONS =
      Set.of("v1_16", "v1_17", "v1_18", "v1_19", "v1_20", "v2_0", "v2_1", "v2_2");

  private FlinkPlugin() {}

  public static Struct encode(FlinkJobConfig config) {
    check(config);
    return CODEC.toStruct(config);
  }

  public static FlinkJobConfig decode(Struct custom) {
    FlinkJobConfig config = CODEC.fromStruct(custom);
    check(config);
    return config;
  }

  /** Every problem of {@code config}, each naming its field and the fix. */
  public static List<ConfigViolation> violations(FlinkJobConfig config) {
    List<ConfigViolation> out = new ArrayList<>();
    if (!FLINK_VERSIONS.contains(config.getFlinkVersion())) {
      out.add(
          new ConfigViolation(
              "flinkVersion",
              "'" + config.getFlinkVersion() + "' is not a FlinkVersion of the operator",
              "use one of " + FLINK_VERSIONS.stream().sorted().toList()));
    }
    if (config.getParallelism() < 0) {
      out.add(new ConfigViolation("parallelism", "is negative", "use 1 or more (0 = 1)"));
    }
    resources("jobManager", config.getJobManager(), out);
    resources("taskManager", config.getTaskManager(), out);
    config.getFlinkConfigurationMap().keySet().stream()
        .filter(String::isBlank)
        .forEach(k -> out.add(new ConfigViolation("flinkConfiguration", "has a blank key", "")));
    return out;
  }

  private static void resources(String role, ProcessResources r, List<ConfigViolation> out) {
    if (r.getCpu() < 0) {
      out.add(new ConfigViolation(role + ".cpu", "is negative", "use more than 0 (0 = 1)"));
    }
    if (!r.getMemory().isEmpty() && !r.getMemory().matches("[0-9]+(\\.[0-9]+)?[kmgt]?b?")) {
      out.add(
          new ConfigViolation(
              role + ".memory", "'" + r.getMemory() + "' is not a Flink memory size", "e.g. 2g"));
    }
  }

  private static void check(FlinkJobConfig config) {
    List<ConfigViolation> violations = violations(config);
    if (!violations.isEmpty()) {
      throw new InvalidConfigException(violations);
    }
  }
}
