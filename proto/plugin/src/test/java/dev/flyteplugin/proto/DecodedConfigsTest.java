package dev.flyteplugin.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.flyteplugin.proto.example.ExamplePlugin;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;
import org.junit.jupiter.api.Test;

/** Decoding a map task's many equal {@code custom} Structs once, never caching a bad one. */
class DecodedConfigsTest {
  private static Struct custom(String sparkVersion) {
    return ExamplePlugin.CODEC.toStruct(
        SparkApplicationConfig.newBuilder().setSparkVersion(sparkVersion).build());
  }

  @Test
  void equalStructsDecodeToOneInstanceAndDifferentOnesToTheirOwn() {
    Struct first = custom("3.5.1");
    Struct equal = Struct.newBuilder(first).build(); // another instance, equal content
    SparkApplicationConfig a = ExamplePlugin.decode(first);
    SparkApplicationConfig b = ExamplePlugin.decode(equal);
    assertThat(b).isSameAs(a);
    SparkApplicationConfig other = ExamplePlugin.decode(custom("4.1.1"));
    assertThat(other.getSparkVersion()).isEqualTo("4.1.1");
    assertThat(other).isNotSameAs(a);
  }

  @Test
  void anInvalidConfigIsReportedOnEveryCall() {
    Struct bad =
        Struct.newBuilder()
            .putFields("sparkVersion", Value.newBuilder().setStringValue("").build())
            .putFields(
                "executor",
                Value.newBuilder()
                    .setStructValue(
                        Struct.newBuilder()
                            .putFields("instances", Value.newBuilder().setNumberValue(0).build()))
                    .build())
            .build();
    for (int call = 0; call < 2; call++) {
      assertThatThrownBy(() -> ExamplePlugin.decode(bad))
          .isInstanceOf(InvalidConfigException.class)
          .hasMessageContaining("sparkVersion");
    }
  }
}
