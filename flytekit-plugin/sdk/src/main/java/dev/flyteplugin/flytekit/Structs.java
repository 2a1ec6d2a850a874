package dev.flyteplugin.flytekit;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.flyte.api.v1.Struct;
import org.flyte.api.v1.Struct.Value;
import org.flyte.flytekit.SdkStruct;

/**
 * Converts between protobuf's {@code google.protobuf.Struct} (what {@code ExamplePlugin.encode}
 * writes) and flytekit-java's structs ({@link Struct} in flytekit-api, {@link SdkStruct} in the
 * SDK). Both sides hold the same JSON data model, so the conversion is lossless both ways, except
 * where noted for {@link SdkStruct}.
 */
public final class Structs {
  private Structs() {}

  /** The same data as a flytekit-api struct. */
  public static Struct toFlyte(com.google.protobuf.Struct struct) {
    Map<String, Value> fields = new LinkedHashMap<>();
    struct.getFieldsMap().forEach((name, value) -> fields.put(name, toFlyte(value)));
    return Struct.of(fields);
  }

  /** The same data as a protobuf struct, e.g. to decode a task's custom with the plugin codec. */
  public static com.google.protobuf.Struct toProtobuf(Struct struct) {
    com.google.protobuf.Struct.Builder out = com.google.protobuf.Struct.newBuilder();
    struct.fields().forEach((name, value) -> out.putFields(name, toProtobuf(value)));
    return out.build();
  }

  /**
   * The same data as an {@link SdkStruct}, what {@code SdkRunnableTask.getCustom()} returns.
   *
   * <p>{@link SdkStruct}'s public builder only makes lists whose elements are all of one kind
   * (strings, numbers, booleans or structs; nulls allowed), so a list of lists or of mixed kinds is
   * refused. Config messages in the proto3 JSON mapping never produce one.
   *
   * @throws IllegalArgumentException naming the field of a list {@link SdkStruct} cannot hold
   */
  public static SdkStruct toSdkStruct(com.google.protobuf.Struct struct) {
    return toSdkStruct("", struct);
  }

  private static SdkStruct toSdkStruct(String path, com.google.protobuf.Struct struct) {
    SdkStruct.Builder out = SdkStruct.builder();
    struct
        .getFieldsMap()
        .forEach(
            (name, value) -> {
              String fieldPath = path.isEmpty() ? name : path + "." + name;
              switch (value.getKindCase()) {
                case STRING_VALUE -> out.addStringField(name, value.getStringValue());
                case NUMBER_VALUE -> out.addFloatField(name, value.getNumberValue());
                case BOOL_VALUE -> out.addBooleanField(name, value.getBoolValue());
                case STRUCT_VALUE ->
                    out.addStructField(name, toSdkStruct(fieldPath, value.getStructValue()));
                case LIST_VALUE -> addList(out, fieldPath, name, value.getListValue());
                case NULL_VALUE, KIND_NOT_SET -> out.addStringField(name, null);
              }
            });
    return out.build();
  }

  private static void addList(SdkStruct.Builder out, String path, String name, ListValue list) {
    com.google.protobuf.Value.KindCase kind = null;
    for (com.google.protobuf.Value v : list.getValuesList()) {
      com.google.protobuf.Value.KindCase k = v.getKindCase();
      if (k == com.google.protobuf.Value.KindCase.NULL_VALUE
          || k == com.google.protobuf.Value.KindCase.KIND_NOT_SET) {
        continue;
      }
      if (kind != null && kind != k) {
        throw new IllegalArgumentException(
            path + ": a list mixing " + kind + " and " + k + " cannot be put in an SdkStruct");
      }
      kind = k;
    }
    if (kind == null) {
      out.addStringCollectionField(name, elements(list, v -> null));
      return;
    }
    switch (kind) {
      case STRING_VALUE ->
          out.addStringCollectionField(
              name, elements(list, com.google.protobuf.Value::getStringValue));
      case NUMBER_VALUE ->
          out.addFloatCollectionField(
              name, elements(list, com.google.protobuf.Value::getNumberValue));
      case BOOL_VALUE ->
          out.addBooleanCollectionField(
              name, elements(list, com.google.protobuf.Value::getBoolValue));
      case STRUCT_VALUE ->
          out.addStructCollectionField(
              name, elements(list, v -> toSdkStruct(path + "[]", v.getStructValue())));
      default ->
          throw new IllegalArgumentException(
              path + ": a list of lists cannot be put in an SdkStruct");
    }
  }

  private static <T> List<T> elements(ListValue list, Function<com.google.protobuf.Value, T> fn) {
    List<T> out = new ArrayList<>(list.getValuesCount());
    for (com.google.protobuf.Value v : list.getValuesList()) {
      boolean isNull =
          v.getKindCase() == com.google.protobuf.Value.KindCase.NULL_VALUE
              || v.getKindCase() == com.google.protobuf.Value.KindCase.KIND_NOT_SET;
      out.add(isNull ? null : fn.apply(v));
    }
    return out;
  }

  private static Value toFlyte(com.google.protobuf.Value value) {
    return switch (value.getKindCase()) {
      case STRING_VALUE -> Value.ofStringValue(value.getStringValue());
      case NUMBER_VALUE -> Value.ofNumberValue(value.getNumberValue());
      case BOOL_VALUE -> Value.ofBoolValue(value.getBoolValue());
      case STRUCT_VALUE -> Value.ofStructValue(toFlyte(value.getStructValue()));
      case LIST_VALUE -> {
        List<Value> values = new ArrayList<>();
        value.getListValue().getValuesList().forEach(v -> values.add(toFlyte(v)));
        yield Value.ofListValue(values);
      }
      case NULL_VALUE, KIND_NOT_SET -> Value.ofNullValue();
    };
  }

  private static com.google.protobuf.Value toProtobuf(Value value) {
    com.google.protobuf.Value.Builder out = com.google.protobuf.Value.newBuilder();
    switch (value.kind()) {
      case STRING_VALUE -> out.setStringValue(value.stringValue());
      case NUMBER_VALUE -> out.setNumberValue(value.numberValue());
      case BOOL_VALUE -> out.setBoolValue(value.boolValue());
      case STRUCT_VALUE -> out.setStructValue(toProtobuf(value.structValue()));
      case LIST_VALUE -> {
        ListValue.Builder list = ListValue.newBuilder();
        value.listValue().forEach(v -> list.addValues(toProtobuf(v)));
        out.setListValue(list);
      }
      case NULL_VALUE -> out.setNullValue(NullValue.NULL_VALUE);
    }
    return out.build();
  }
}
