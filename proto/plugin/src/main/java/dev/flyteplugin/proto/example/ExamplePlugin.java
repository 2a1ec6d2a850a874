package dev.flyteplugin.proto.example;

import com.google.protobuf.Struct;
import dev.flyteplugin.proto.InvalidConfigException;
import dev.flyteplugin.proto.StructCodec;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;

/**
 * The example plugin's constants and its {@link SparkContract} instance, for callers that name the
 * plugin statically (the backend's Spark plugin, tests).
 */
public final class ExamplePlugin {
  /** {@code TaskTemplate.type} of every task this plugin runs. */
  public static final String TASK_TYPE = "example_plugin";

  /**
   * {@code TaskTemplate.task_type_version}. Bump it only for a change old backends must refuse (an
   * added field is not one: readers ignore unknown fields).
   */
  public static final int TASK_TYPE_VERSION = 0;

  public static final SparkContract CONTRACT = new SparkContract();

  public static final StructCodec<SparkApplicationConfig> CODEC = CONTRACT.codec();

  private ExamplePlugin() {}

  /** The config as it goes into {@code TaskTemplate.custom}, after validating it. */
  public static Struct encode(SparkApplicationConfig config) {
    return CONTRACT.encode(config);
  }

  /**
   * Reads and validates {@code TaskTemplate.custom}.
   *
   * @throws InvalidConfigException naming every field that is of the wrong type or invalid
   */
  public static SparkApplicationConfig decode(Struct custom) {
    return CONTRACT.decode(custom);
  }
}
