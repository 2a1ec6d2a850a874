package dev.flyteplugin.proto.example;

import com.google.auto.service.AutoService;
import dev.flyteplugin.proto.ConfigViolation;
import dev.flyteplugin.proto.PluginContract;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;
import java.util.List;

/**
 * The example plugin's contract: task type {@code example_plugin}, config {@link
 * SparkApplicationConfig}, rules {@link SparkConfigValidator}. {@link ExamplePlugin} holds the
 * shared instance and the constants callers already use.
 *
 * <p>PLUGIN AUTHOR SEAM: your task type, your config message and your validator; nothing else.
 */
@AutoService(PluginContract.class)
public final class SparkContract implements PluginContract<SparkApplicationConfig> {
  @Override
  public String taskType() {
    return ExamplePlugin.TASK_TYPE;
  }

  @Override
  public int taskTypeVersion() {
    return ExamplePlugin.TASK_TYPE_VERSION;
  }

  @Override
  public SparkApplicationConfig defaultConfig() {
    return SparkApplicationConfig.getDefaultInstance();
  }

  @Override
  public List<ConfigViolation> violations(SparkApplicationConfig config) {
    return SparkConfigValidator.violations(config);
  }
}
