package dev.flyteplugin.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * Property-based checks of {@link StructCodec#fromStruct} on the example config: any Struct a
 * caller can put in {@code TaskTemplate.custom} (keys of the real schema at any place, any value
 * kind, nested) either decodes or fails with {@link InvalidConfigException} naming a field; nothing
 * else escapes. Fixed seed, so the normal build is deterministic.
 */
class StructCodecFuzzTest {
  private static final StructCodec<SparkApplicationConfig> CODEC =
      StructCodec.of(SparkApplicationConfig.getDefaultInstance());
  private static final List<String> KEYS = schemaKeys();

  @Property(tries = 3000, seed = "20261202")
  void anyStructDecodesOrFailsWithAFieldNamingError(@ForAll("structs") Struct custom) {
    decodeOrInvalid(custom);
  }

  @Test
  void deepAndHugeStructsFailOrDecodeWithinBounds() {
    // As deep as a protobuf-parsed request can carry (the parser stops at 100 nested messages;
    // Struct -> Value is two per level), under known and unknown keys.
    for (String key : List.of("driver", "sparkConf", "unknownKey", "tolerations")) {
      Value deep = Value.newBuilder().setStringValue("x").build();
      for (int i = 0; i < 49; i++) {
        deep =
            Value.newBuilder()
                .setStructValue(Struct.newBuilder().putFields(i % 2 == 0 ? key : "driver", deep))
                .build();
      }
      decodeOrInvalid(Struct.newBuilder().putFields(key, deep).build());
    }
    // 50,000 keys in one map field and 50,000 unknown keys.
    Struct.Builder conf = Struct.newBuilder();
    Struct.Builder unknown = Struct.newBuilder();
    for (int i = 0; i < 50_000; i++) {
      conf.putFields("spark.k" + i, Value.newBuilder().setStringValue("v").build());
      unknown.putFields("u" + i, Value.newBuilder().setNumberValue(i).build());
    }
    SparkApplicationConfig decoded =
        CODEC.fromStruct(
            unknown
                .putFields("sparkConf", Value.newBuilder().setStructValue(conf).build())
                .build());
    assertThat(decoded.getSparkConfCount()).isEqualTo(50_000);
  }

  private static void decodeOrInvalid(Struct custom) {
    try {
      CODEC.fromStruct(custom);
    } catch (InvalidConfigException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }

  @Provide
  Arbitrary<Struct> structs() {
    return struct(4);
  }

  private static Arbitrary<Struct> struct(int depth) {
    Arbitrary<String> key =
        Arbitraries.oneOf(
            Arbitraries.of(KEYS), Arbitraries.strings().ofMaxLength(12), Arbitraries.just(""));
    return Arbitraries.maps(key, value(depth))
        .ofMaxSize(6)
        .map(m -> Struct.newBuilder().putAllFields(m).build());
  }

  private static Arbitrary<Value> value(int depth) {
    List<Arbitrary<Value>> kinds = new ArrayList<>();
    kinds.add(Arbitraries.just(Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build()));
    kinds.add(Arbitraries.of(true, false).map(b -> Value.newBuilder().setBoolValue(b).build()));
    kinds.add(
        Arbitraries.oneOf(
                Arbitraries.doubles(),
                Arbitraries.of(
                    Double.NaN,
                    Double.POSITIVE_INFINITY,
                    Double.NEGATIVE_INFINITY,
                    -0.0,
                    1e300,
                    9.007199254740993e15,
                    2147483648.0,
                    -1.5))
            .map(d -> Value.newBuilder().setNumberValue(d).build()));
    kinds.add(
        Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(20),
                Arbitraries.of("JAVA", "PYTHON", "3", "-1", "1.5", "NaN", "9223372036854775808"))
            .map(s -> Value.newBuilder().setStringValue(s).build()));
    if (depth > 0) {
      kinds.add(
          Arbitraries.lazy(() -> struct(depth - 1))
              .map(s -> Value.newBuilder().setStructValue(s).build()));
      kinds.add(
          Arbitraries.lazy(() -> value(depth - 1))
              .list()
              .ofMaxSize(4)
              .map(
                  l ->
                      Value.newBuilder()
                          .setListValue(ListValue.newBuilder().addAllValues(l))
                          .build()));
    }
    return Arbitraries.oneOf(kinds);
  }

  /** Every field name of the schema, proto and JSON spellings, at every level. */
  private static List<String> schemaKeys() {
    Set<String> keys = new LinkedHashSet<>();
    collect(SparkApplicationConfig.getDescriptor(), keys, new LinkedHashSet<>());
    return List.copyOf(keys);
  }

  private static void collect(Descriptor type, Set<String> keys, Set<String> seen) {
    if (!seen.add(type.getFullName())) {
      return;
    }
    for (FieldDescriptor field : type.getFields()) {
      keys.add(field.getName());
      keys.add(field.getJsonName());
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isMapField()) {
        collect(field.getMessageType(), keys, seen);
      }
    }
  }
}
