package dev.flyteplugin.proto;

import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import java.util.List;

/**
 * What the SDK and the backend of one plugin agree on: the task type, the config message that
 * travels in {@code TaskTemplate.custom}, and the rules that config must follow. Both sides use
 * only this, so a task the SDK accepts is one the backend can run, with the same error messages.
 *
 * <p>Implementations are stateless and have a public no-argument constructor: register them with
 * {@code @AutoService(PluginContract.class)} so {@link PluginContracts#forTaskType} finds them, and
 * name them in the plugin's SDK annotation ({@code @PluginTaskAnnotation(contract = ...)}).
 *
 * @param <C> the config message
 */
public interface PluginContract<C extends Message> {
  /** {@code TaskTemplate.type} of every task of this plugin, e.g. {@code example_plugin}. */
  String taskType();

  /**
   * {@code TaskTemplate.task_type_version}. Bump it only for a change old backends must refuse (an
   * added field is not one: readers ignore unknown fields).
   */
  int taskTypeVersion();

  /** The config message's default instance: its type, and the start of every config built. */
  C defaultConfig();

  /**
   * Every rule the config breaks, each naming the field's JSON path ({@code executor.instances})
   * and the fix; empty when it is valid.
   */
  List<ConfigViolation> violations(C config);

  /** The codec of the config message (stateless and cheap to make). */
  default StructCodec<C> codec() {
    return StructCodec.of(defaultConfig());
  }

  /**
   * @throws InvalidConfigException listing every violation, if there is any
   */
  default void check(C config) {
    List<ConfigViolation> violations = violations(config);
    if (!violations.isEmpty()) {
      throw new InvalidConfigException(violations);
    }
  }

  /**
   * The config as it goes into {@code TaskTemplate.custom}, after validating it.
   *
   * @throws InvalidConfigException naming every invalid field
   */
  default Struct encode(C config) {
    check(config);
    return codec().toStruct(config);
  }

  /**
   * Reads and validates {@code TaskTemplate.custom}.
   *
   * @throws InvalidConfigException naming every field that is of the wrong type or invalid
   */
  default C decode(Struct custom) {
    return DecodedConfigs.get(
        this,
        custom,
        () -> {
          C config = codec().fromStruct(custom);
          check(config);
          return config;
        });
  }
}
