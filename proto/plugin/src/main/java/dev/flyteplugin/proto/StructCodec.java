package dev.flyteplugin.proto;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Converts a config message to and from {@code google.protobuf.Struct} through the proto3 JSON
 * mapping, which is how Flyte carries plugin config in {@code TaskTemplate.custom} (the Go plugins
 * read it with jsonpb, flytekit writes it with MessageToDict).
 *
 * <p>Reading is forward compatible, since an older backend may meet a newer SDK: unknown fields are
 * ignored. It is strict about the type of every known field, and a wrong type fails with an {@link
 * InvalidConfigException} that names the field's path, where the JSON parser alone would give a
 * message without it.
 *
 * @param <M> the config message type
 */
public final class StructCodec<M extends Message> {
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

  private final M defaultInstance;

  private StructCodec(M defaultInstance) {
    this.defaultInstance = defaultInstance;
  }

  public static <M extends Message> StructCodec<M> of(M defaultInstance) {
    return new StructCodec<>(defaultInstance);
  }

  public Descriptor descriptor() {
    return defaultInstance.getDescriptorForType();
  }

  /** The config in its JSON form, field names in lowerCamelCase, defaults omitted. */
  public Struct toStruct(M config) {
    try {
      Struct.Builder struct = Struct.newBuilder();
      JsonFormat.parser().merge(PRINTER.print(config), struct);
      return struct.build();
    } catch (InvalidProtocolBufferException e) {
      // Every message prints as a JSON object, and every JSON object parses as a Struct.
      throw new IllegalStateException("cannot convert " + descriptor().getFullName(), e);
    }
  }

  /**
   * Reads a config from its JSON form.
   *
   * @throws InvalidConfigException naming each field whose value has the wrong type
   */
  public M fromStruct(Struct struct) {
    List<ConfigViolation> violations = new ArrayList<>();
    checkMessage("", struct, descriptor(), violations);
    if (!violations.isEmpty()) {
      throw new InvalidConfigException(violations);
    }
    String json;
    try {
      json = PRINTER.print(struct);
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      // A Struct number that is NaN or infinite (possible on the wire) has no JSON form.
      throw new InvalidConfigException(
          new ConfigViolation(
              "(config)",
              "a value cannot be written as JSON: " + e.getMessage(),
              "use finite numbers (JSON has no NaN or Infinity)"));
    }
    try {
      Message.Builder builder = defaultInstance.newBuilderForType();
      PARSER.merge(json, builder);
      @SuppressWarnings("unchecked") // newBuilderForType of M builds an M
      M config = (M) builder.build();
      return config;
    } catch (InvalidProtocolBufferException e) {
      // The type check above accepts only what the parser accepts; keep the field-less message.
      throw new InvalidConfigException(
          new ConfigViolation(
              "(config)", e.getMessage(), "write the config in the proto3 JSON mapping"));
    }
  }

  private static void checkMessage(
      String path, Struct struct, Descriptor type, List<ConfigViolation> out) {
    for (Map.Entry<String, Value> entry : struct.getFieldsMap().entrySet()) {
      FieldDescriptor field = findField(type, entry.getKey());
      if (field == null) {
        continue; // forward compatibility: a field of a newer schema
      }
      checkField(join(path, entry.getKey()), entry.getValue(), field, out);
    }
  }

  private static FieldDescriptor findField(Descriptor type, String name) {
    FieldDescriptor byProtoName = type.findFieldByName(name);
    if (byProtoName != null) {
      return byProtoName;
    }
    return type.getFields().stream()
        .filter(f -> f.getJsonName().equals(name))
        .findFirst()
        .orElse(null);
  }

  private static void checkField(
      String path, Value value, FieldDescriptor field, List<ConfigViolation> out) {
    if (value.hasNullValue()) {
      return; // JSON null means "not set"
    }
    if (field.isMapField()) {
      if (!value.hasStructValue()) {
        out.add(wrongType(path, value, "an object of key/value pairs"));
        return;
      }
      FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
      for (Map.Entry<String, Value> e : value.getStructValue().getFieldsMap().entrySet()) {
        if (e.getKey().isBlank()) {
          out.add(
              new ConfigViolation(
                  path, "has a blank key", "give every entry a non-blank key or remove it"));
        }
        checkSingle(path + "[\"" + e.getKey() + "\"]", e.getValue(), valueField, out);
      }
      return;
    }
    if (field.isRepeated()) {
      if (!value.hasListValue()) {
        out.add(wrongType(path, value, "a list"));
        return;
      }
      ListValue list = value.getListValue();
      for (int i = 0; i < list.getValuesCount(); i++) {
        checkSingle(path + "[" + i + "]", list.getValues(i), field, out);
      }
      return;
    }
    checkSingle(path, value, field, out);
  }

  private static void checkSingle(
      String path, Value value, FieldDescriptor field, List<ConfigViolation> out) {
    switch (field.getJavaType()) {
      case STRING -> {
        if (!value.hasStringValue()) {
          out.add(wrongType(path, value, "a string"));
        }
      }
      case BOOLEAN -> {
        if (!value.hasBoolValue()) {
          out.add(wrongType(path, value, "true or false"));
        }
      }
      case INT, LONG -> checkInteger(path, value, field, out);
      case FLOAT, DOUBLE -> {
        if (!value.hasNumberValue() && !isNumeric(value)) {
          out.add(wrongType(path, value, "a number"));
        }
      }
      case ENUM -> checkEnum(path, value, field.getEnumType(), out);
      case MESSAGE -> {
        if (!value.hasStructValue()) {
          out.add(wrongType(path, value, "an object"));
        } else {
          checkMessage(path, value.getStructValue(), field.getMessageType(), out);
        }
      }
      case BYTE_STRING -> {
        if (!value.hasStringValue()) {
          out.add(wrongType(path, value, "a base64 string"));
        }
      }
    }
  }

  private static void checkInteger(
      String path, Value value, FieldDescriptor field, List<ConfigViolation> out) {
    // The proto3 JSON mapping allows integers as numbers or as decimal strings ("64").
    BigDecimal number;
    if (value.hasNumberValue() && !Double.isFinite(value.getNumberValue())) {
      out.add(
          new ConfigViolation(
              path,
              "expected a whole number, got " + value.getNumberValue(),
              "use a finite whole number"));
      return;
    } else if (value.hasNumberValue()) {
      number = BigDecimal.valueOf(value.getNumberValue());
    } else if (isNumeric(value)) {
      number = new BigDecimal(value.getStringValue().trim());
    } else {
      out.add(wrongType(path, value, "a whole number"));
      return;
    }
    boolean is64 = field.getJavaType() == FieldDescriptor.JavaType.LONG;
    BigDecimal min = BigDecimal.valueOf(is64 ? Long.MIN_VALUE : Integer.MIN_VALUE);
    BigDecimal max = BigDecimal.valueOf(is64 ? Long.MAX_VALUE : Integer.MAX_VALUE);
    if (number.stripTrailingZeros().scale() > 0) {
      out.add(
          new ConfigViolation(
              path, "expected a whole number, got " + number.toPlainString(), "drop the fraction"));
    } else if (number.compareTo(min) < 0 || number.compareTo(max) > 0) {
      out.add(
          new ConfigViolation(
              path,
              "the number " + number.toPlainString() + " is out of range",
              "use a value between " + min + " and " + max));
    }
  }

  private static void checkEnum(
      String path, Value value, EnumDescriptor type, List<ConfigViolation> out) {
    if (value.hasStringValue() && type.findValueByName(value.getStringValue()) != null) {
      return;
    }
    if (value.hasNumberValue() && type.findValueByNumber((int) value.getNumberValue()) != null) {
      return;
    }
    String allowed =
        type.getValues().stream()
            .map(EnumValueDescriptor::getName)
            .filter(n -> !n.endsWith("_UNSPECIFIED"))
            .collect(Collectors.joining(", "));
    out.add(new ConfigViolation(path, "unknown value " + describe(value), "use one of " + allowed));
  }

  private static boolean isNumeric(Value value) {
    if (!value.hasStringValue()) {
      return false;
    }
    try {
      new BigDecimal(value.getStringValue().trim());
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static ConfigViolation wrongType(String path, Value value, String expected) {
    return new ConfigViolation(
        path, "expected " + expected + ", got " + describe(value), "write it as " + expected);
  }

  private static String describe(Value value) {
    return switch (value.getKindCase()) {
      case STRING_VALUE -> "the string \"" + value.getStringValue() + "\"";
      case NUMBER_VALUE ->
          Double.isFinite(value.getNumberValue())
              ? "the number " + BigDecimal.valueOf(value.getNumberValue()).toPlainString()
              : "the number " + value.getNumberValue();
      case BOOL_VALUE -> "the boolean " + value.getBoolValue();
      case STRUCT_VALUE -> "an object";
      case LIST_VALUE -> "a list";
      case NULL_VALUE -> "null";
      case KIND_NOT_SET -> "nothing";
    };
  }

  private static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }
}
