package dev.flyteplugin.proto.example;

import com.google.protobuf.Struct;
import dev.flyteplugin.proto.InvalidConfigException;
import dev.flyteplugin.proto.StructCodec;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;

/**
 * The contract between the SDK and the backend for the example plugin: its task type and how its
 * config travels in {@code TaskTemplate.custom}.
 *
 * <p>PLUGIN AUTHOR SEAM: for your own operator, copy this class with your task type, your config
 * message and your validator; the SDK annotation and the backend plugin both use only this.
 */
public final class ExamplePlugin {
  /** {@code TaskTemplate.type} of every task this plugin runs. */
  public static final String TASK_TYPE = "example_plugin";

  /**
   * {@code TaskTemplate.task_type_version}. Bump it only for a change old backends must refuse (an
   * added field is not one: readers ignore unknown fields).
   */
  public static final int TASK_TYPE_VERSION = 0;

  public static final StructCodec<SparkApplicationConfig> CODEC =
      StructCodec.of(SparkApplicationConfig.getDefaultInstance());

  private ExamplePlugin() {}

  /** The config as it goes into {@code TaskTemplate.custom}, after validating it. */
  public static Struct encode(SparkApplicationConfig config) {
    SparkConfigValidator.check(config);
    return CODEC.toStruct(config);
  }

  /**
   * Reads and validates {@code TaskTemplate.custom}.
   *
   * @throws InvalidConfigException naming every field that is of the wrong type or invalid
   */
  public static SparkApplicationConfig decode(Struct custom) {
    SparkApplicationConfig config = CODEC.fromStruct(custom);
    SparkConfigValidator.check(config);
    return config;
  }
}
