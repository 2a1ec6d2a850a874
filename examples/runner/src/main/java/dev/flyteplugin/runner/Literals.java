package dev.flyteplugin.runner;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.stream.Collectors;
import org.flyte.api.v1.Literal;
import org.flyte.api.v1.LiteralType;
import org.flyte.api.v1.Primitive;
import org.flyte.api.v1.Scalar;
import org.flyte.api.v1.Variable;

/** Workflow inputs from the command line and outputs for people to read. */
final class Literals {
  private Literals() {}

  /**
   * Parses {@code value} as the workflow input {@code name} of type {@code variable}.
   *
   * @throws IllegalArgumentException naming the input, its type and an example
   */
  static Literal parse(String name, String value, Variable variable) {
    LiteralType type = variable.literalType();
    if (type.getKind() != LiteralType.Kind.SIMPLE_TYPE) {
      throw new IllegalArgumentException(
          "input '" + name + "' is a " + type.getKind() + "; only simple types can be given here");
    }
    try {
      Primitive primitive =
          switch (type.simpleType()) {
            case INTEGER -> Primitive.ofIntegerValue(Long.parseLong(value.strip()));
            case FLOAT -> Primitive.ofFloatValue(Double.parseDouble(value.strip()));
            case STRING -> Primitive.ofStringValue(value);
            case BOOLEAN -> Primitive.ofBooleanValue(parseBoolean(value));
            case DATETIME -> Primitive.ofDatetime(Instant.parse(value.strip()));
            case DURATION -> Primitive.ofDuration(Duration.parse(value.strip()));
            case STRUCT ->
                throw new IllegalArgumentException(
                    "input '"
                        + name
                        + "' is a struct; structs cannot be given on the command line");
          };
      return Literal.ofScalar(Scalar.ofPrimitive(primitive));
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new IllegalArgumentException(
          "input '" + name + "' must be " + example(type) + ", got '" + value + "'", e);
    }
  }

  private static boolean parseBoolean(String value) {
    return switch (value.strip().toLowerCase()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new NumberFormatException("not true or false");
    };
  }

  private static String example(LiteralType type) {
    return switch (type.simpleType()) {
      case INTEGER -> "a whole number, e.g. 42";
      case FLOAT -> "a number, e.g. 0.5";
      case BOOLEAN -> "true or false";
      case DATETIME -> "an ISO-8601 instant, e.g. 2026-01-31T12:00:00Z";
      case DURATION -> "an ISO-8601 duration, e.g. PT30S";
      default -> "a " + type.simpleType().name().toLowerCase();
    };
  }

  /** A short human-readable form of a literal. */
  static String display(Literal literal) {
    return switch (literal.kind()) {
      case SCALAR -> display(literal.scalar());
      case COLLECTION ->
          literal.collection().stream()
              .map(Literals::display)
              .collect(Collectors.joining(", ", "[", "]"));
      case MAP -> display(literal.map());
    };
  }

  static String display(Map<String, Literal> literals) {
    return literals.entrySet().stream()
        .map(e -> e.getKey() + "=" + display(e.getValue()))
        .collect(Collectors.joining(", ", "{", "}"));
  }

  private static String display(Scalar scalar) {
    if (scalar.kind() != Scalar.Kind.PRIMITIVE) {
      return scalar.kind().name().toLowerCase();
    }
    Primitive p = scalar.primitive();
    return switch (p.kind()) {
      case INTEGER_VALUE -> Long.toString(p.integerValue());
      case FLOAT_VALUE -> Double.toString(p.floatValue());
      case STRING_VALUE -> p.stringValue();
      case BOOLEAN_VALUE -> Boolean.toString(p.booleanValue());
      case DATETIME -> p.datetime().toString();
      case DURATION -> p.duration().toString();
    };
  }
}
