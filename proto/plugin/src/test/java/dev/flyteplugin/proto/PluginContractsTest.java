package dev.flyteplugin.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flyteplugin.proto.example.ExamplePlugin;
import dev.flyteplugin.proto.example.SparkContract;
import dev.flyteplugin.proto.example.v1.ExecutorSpec;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;
import org.junit.jupiter.api.Test;

class PluginContractsTest {
  private final ClassLoader loader = getClass().getClassLoader();

  @Test
  void theSparkContractIsFoundByItsTaskType() {
    assertThat(PluginContracts.forTaskType(ExamplePlugin.TASK_TYPE, loader))
        .get()
        .isInstanceOf(SparkContract.class);
    assertThat(PluginContracts.forTaskType("no_such_type", loader)).isEmpty();
  }

  @Test
  void encodeValidatesAndDecodeReadsItBack() {
    SparkContract contract = new SparkContract();
    SparkApplicationConfig config =
        SparkApplicationConfig.newBuilder()
            .setSparkVersion("3.5.1")
            .setExecutor(ExecutorSpec.newBuilder().setInstances(2))
            .build();

    assertThat(contract.decode(contract.encode(config))).isEqualTo(config);
    assertThat(ExamplePlugin.decode(ExamplePlugin.encode(config))).isEqualTo(config);
    assertThatThrownBy(
            () ->
                contract.encode(
                    config.toBuilder()
                        .setExecutor(ExecutorSpec.newBuilder().setInstances(0))
                        .build()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("executor.instances: must be at least 1, got 0");
  }
}
