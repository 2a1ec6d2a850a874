package dev.flyteplugin.proto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Property checks over generated input of {@link StructCodec#fromStruct} on the example config: any
 * Struct a caller can put in {@code TaskTemplate.custom} (keys of the real schema at any place, any
 * value kind, nested) either decodes or fails with {@link InvalidConfigException} naming a field;
 * nothing else escapes. Fixed seed, so the normal build is deterministic.
 */
class StructCodecFuzzTest {
  private static final StructCodec<SparkApplicationConfig> CODEC =
      StructCodec.of(SparkApplicationConfig.getDefaultInstance());
  private static final List<String> KEYS = schemaKeys();

  @Test
  void anyStructDecodesOrFailsWithAFieldNamingError() {
    Random random = new Random(20261202L);
    for (int i = 0; i < 3000; i++) {
      decodeOrInvalid(struct(random, 4));
    }
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

  /** Up to 6 entries under schema keys (any level), random text or the empty key. */
  private static Struct struct(Random random, int depth) {
    Struct.Builder struct = Struct.newBuilder();
    int size = random.nextInt(7);
    for (int i = 0; i < size; i++) {
      String key =
          switch (random.nextInt(3)) {
            case 0 -> KEYS.get(random.nextInt(KEYS.size()));
            case 1 -> text(random, 12);
            default -> "";
          };
      struct.putFields(key, value(random, depth));
    }
    return struct.build();
  }

  private static final double[] EDGE_NUMBERS = {
    Double.NaN,
    Double.POSITIVE_INFINITY,
    Double.NEGATIVE_INFINITY,
    -0.0,
    1e300,
    9.007199254740993e15,
    2147483648.0,
    -1.5
  };
  private static final String[] EDGE_STRINGS = {
    "JAVA", "PYTHON", "3", "-1", "1.5", "NaN", "9223372036854775808"
  };

  /** Any value kind; structs and lists nest down to {@code depth}. */
  private static Value value(Random random, int depth) {
    int kinds = depth > 0 ? 6 : 4;
    return switch (random.nextInt(kinds)) {
      case 0 -> Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
      case 1 -> Value.newBuilder().setBoolValue(random.nextBoolean()).build();
      case 2 ->
          Value.newBuilder()
              .setNumberValue(
                  random.nextBoolean()
                      ? EDGE_NUMBERS[random.nextInt(EDGE_NUMBERS.length)]
                      : Double.longBitsToDouble(random.nextLong()))
              .build();
      case 3 ->
          Value.newBuilder()
              .setStringValue(
                  random.nextBoolean()
                      ? EDGE_STRINGS[random.nextInt(EDGE_STRINGS.length)]
                      : text(random, 20))
              .build();
      case 4 -> Value.newBuilder().setStructValue(struct(random, depth - 1)).build();
      default -> {
        ListValue.Builder list = ListValue.newBuilder();
        int size = random.nextInt(5);
        for (int i = 0; i < size; i++) {
          list.addValues(value(random, depth - 1));
        }
        yield Value.newBuilder().setListValue(list).build();
      }
    };
  }

  private static String text(Random random, int maxLength) {
    StringBuilder out = new StringBuilder();
    int length = random.nextInt(maxLength + 1);
    for (int i = 0; i < length; i++) {
      out.append(
          random.nextInt(4) == 0
              ? (char) random.nextInt(0x3000)
              : (char) (32 + random.nextInt(95)));
    }
    return out.toString();
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
