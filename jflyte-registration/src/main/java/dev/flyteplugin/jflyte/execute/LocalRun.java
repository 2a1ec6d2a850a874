package dev.flyteplugin.jflyte.execute;

import dev.flyteplugin.jflyte.load.ProjectLoader;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.flyte.api.v1.DynamicWorkflowTask;
import org.flyte.api.v1.DynamicWorkflowTaskRegistrar;
import org.flyte.api.v1.Literal;
import org.flyte.api.v1.LiteralType;
import org.flyte.api.v1.Primitive;
import org.flyte.api.v1.RunnableTask;
import org.flyte.api.v1.RunnableTaskRegistrar;
import org.flyte.api.v1.Scalar;
import org.flyte.api.v1.Variable;
import org.flyte.api.v1.WorkflowTemplate;
import org.flyte.api.v1.WorkflowTemplateRegistrar;
import org.flyte.localengine.LocalEngine;

/**
 * {@code jflyte execute-local}: runs a workflow in this JVM with flytekit-java's LocalEngine, as
 * flytekit-java 0.4.35's ExecuteLocal does (runnable tasks, dynamic workflow tasks and
 * sub-workflows; inputs {@code --<name>=<value>} for simple types, parsed like its
 * LiteralTypeConverter).
 */
public final class LocalRun {
  /** The identity the registrars get, as ExecuteLocal's (project flytetester, version test). */
  static final Map<String, String> LOCAL_ENV =
      Map.of(
          "FLYTE_INTERNAL_PROJECT", "flytetester",
          "FLYTE_INTERNAL_DOMAIN", "development",
          "FLYTE_INTERNAL_VERSION", "test");

  private LocalRun() {}

  /** Runs {@code workflowName} with inputs parsed from {@code inputArgs}; returns its outputs. */
  public static Map<String, Literal> run(
      ClassLoader code, Map<String, String> env, String workflowName, List<String> inputArgs) {
    Map<String, String> registrarEnv = new HashMap<>(ProjectLoader.registrarEnv(env));
    registrarEnv.putAll(LOCAL_ENV);
    return ProjectLoader.withContextClassLoader(
        code,
        () -> {
          Map<String, RunnableTask> tasks =
              byName(ProjectLoader.loadAll(RunnableTaskRegistrar.class, code, registrarEnv));
          Map<String, DynamicWorkflowTask> dynamic =
              byName(ProjectLoader.loadAll(DynamicWorkflowTaskRegistrar.class, code, registrarEnv));
          Map<String, WorkflowTemplate> workflows =
              byName(ProjectLoader.loadAll(WorkflowTemplateRegistrar.class, code, registrarEnv));
          WorkflowTemplate workflow = workflows.get(workflowName);
          if (workflow == null) {
            throw new IllegalArgumentException(
                "no workflow named '"
                    + workflowName
                    + "' (found "
                    + new TreeMap<>(workflows).keySet()
                    + ")");
          }
          Map<String, Literal> inputs = parseInputs(workflow.interface_().inputs(), inputArgs);
          return LocalEngine.compileAndExecute(workflow, tasks, dynamic, workflows, inputs);
        });
  }

  private static <K extends org.flyte.api.v1.PartialIdentifier, V> Map<String, V> byName(
      Map<K, V> items) {
    return items.entrySet().stream()
        .collect(Collectors.toMap(entry -> entry.getKey().name(), Map.Entry::getValue));
  }

  /** {@code --name=value} or {@code --name value} for every workflow input; all are required. */
  static Map<String, Literal> parseInputs(Map<String, Variable> variables, List<String> args) {
    Map<String, String> raw = new HashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException(
            "unexpected argument '" + arg + "': inputs are given as --<name>=<value>");
      }
      String name;
      String value;
      int equals = arg.indexOf('=');
      if (equals > 0) {
        name = arg.substring(2, equals);
        value = arg.substring(equals + 1);
      } else if (i + 1 < args.size()) {
        name = arg.substring(2);
        value = args.get(++i);
      } else {
        throw new IllegalArgumentException("input " + arg + " has no value");
      }
      if (!variables.containsKey(name)) {
        throw new IllegalArgumentException(
            "unknown input '"
                + name
                + "': the workflow's inputs are "
                + new TreeMap<>(variables).keySet());
      }
      raw.put(name, value);
    }
    Map<String, Literal> inputs = new HashMap<>();
    variables.forEach(
        (name, variable) -> {
          String value = raw.get(name);
          if (value == null) {
            throw new IllegalArgumentException(
                "missing input --" + name + "=<" + describe(variable.literalType()) + ">");
          }
          inputs.put(name, literal(name, variable.literalType(), value));
        });
    return inputs;
  }

  private static String describe(LiteralType type) {
    return type.getKind() == LiteralType.Kind.SIMPLE_TYPE
        ? type.simpleType().name().toLowerCase(java.util.Locale.ROOT)
        : type.getKind().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static Literal literal(String name, LiteralType type, String value) {
    if (type.getKind() != LiteralType.Kind.SIMPLE_TYPE) {
      throw new IllegalArgumentException(
          "input '" + name + "' has type " + type + ": only simple types can be given locally");
    }
    try {
      Primitive primitive =
          switch (type.simpleType()) {
            case INTEGER -> Primitive.ofIntegerValue(Long.parseLong(value));
            case FLOAT -> Primitive.ofFloatValue(Double.parseDouble(value));
            case STRING -> Primitive.ofStringValue(value);
            case BOOLEAN -> Primitive.ofBooleanValue(parseBoolean(value));
            case DATETIME -> Primitive.ofDatetime(parseInstant(value));
            case DURATION -> Primitive.ofDuration(Duration.parse(value));
            case STRUCT -> throw new IllegalArgumentException("struct inputs are not supported");
          };
      return Literal.ofScalar(Scalar.ofPrimitive(primitive));
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new IllegalArgumentException(
          "input '"
              + name
              + "': '"
              + value
              + "' is not a "
              + describe(type)
              + " ("
              + e.getMessage()
              + ")",
          e);
    }
  }

  /** A literal as one line: primitives as their value, collections as [..], maps as {..}. */
  public static String show(Literal literal) {
    return switch (literal.kind()) {
      case SCALAR ->
          literal.scalar().kind() == Scalar.Kind.PRIMITIVE
              ? showPrimitive(literal.scalar().primitive())
              : literal.scalar().toString();
      case COLLECTION ->
          literal.collection().stream()
              .map(LocalRun::show)
              .collect(Collectors.joining(", ", "[", "]"));
      case MAP ->
          new TreeMap<>(literal.map())
              .entrySet().stream()
                  .map(entry -> entry.getKey() + ": " + show(entry.getValue()))
                  .collect(Collectors.joining(", ", "{", "}"));
    };
  }

  private static String showPrimitive(Primitive primitive) {
    return switch (primitive.kind()) {
      case INTEGER_VALUE -> String.valueOf(primitive.integerValue());
      case FLOAT_VALUE -> String.valueOf(primitive.floatValue());
      case STRING_VALUE -> primitive.stringValue();
      case BOOLEAN_VALUE -> String.valueOf(primitive.booleanValue());
      case DATETIME -> String.valueOf(primitive.datetime());
      case DURATION -> String.valueOf(primitive.duration());
    };
  }

  private static boolean parseBoolean(String value) {
    if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(value);
    }
    throw new NumberFormatException("expected true or false");
  }

  private static Instant parseInstant(String value) {
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      return LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC);
    }
  }
}
