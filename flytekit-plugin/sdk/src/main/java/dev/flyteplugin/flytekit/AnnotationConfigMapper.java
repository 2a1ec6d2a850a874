package dev.flyteplugin.flytekit;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor.JavaType;
import com.google.protobuf.Message;
import com.google.protobuf.ProtocolMessageEnum;
import dev.flyteplugin.proto.ConfigViolation;
import dev.flyteplugin.proto.InvalidConfigException;
import dev.flyteplugin.proto.PluginContract;
import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Turns a plugin task annotation into its config message, by the table its attributes declare
 * ({@link ConfigField}), read once through protobuf descriptors, and maps the contract's violation
 * paths ({@code executor.instances}) back to attribute names ({@code executorInstances}). The
 * annotation processor and {@link PluginRunnableTask} both use it, so a mistake gets the same
 * message at compile time and at run time.
 *
 * @param <C> the config message
 */
public final class AnnotationConfigMapper<C extends Message> {
  private static final ClassValue<AnnotationConfigMapper<?>> BY_ANNOTATION =
      new ClassValue<>() {
        @Override
        protected AnnotationConfigMapper<?> computeValue(Class<?> type) {
          return create(type.asSubclass(Annotation.class));
        }
      };

  private final Class<? extends Annotation> annotationType;
  private final PluginContract<C> contract;
  private final List<Attribute> attributes;

  /** One attribute and the field it sets; {@code path} holds the descriptors from the root. */
  private record Attribute(Method method, List<FieldDescriptor> path, String jsonPath) {
    String name() {
      return method.getName();
    }

    FieldDescriptor leaf() {
      return path.get(path.size() - 1);
    }
  }

  private AnnotationConfigMapper(
      Class<? extends Annotation> annotationType, PluginContract<C> contract) {
    this.annotationType = annotationType;
    this.contract = contract;
    this.attributes =
        Arrays.stream(annotationType.getDeclaredMethods())
            .filter(m -> m.getParameterCount() == 0 && !m.isSynthetic())
            .sorted(Comparator.comparing(Method::getName))
            .map(this::attribute)
            .toList();
  }

  /**
   * The mapper of an annotation marked {@link PluginTaskAnnotation}, made once per type.
   *
   * @throws IllegalArgumentException if the annotation is not marked, its contract cannot be made,
   *     or an attribute cannot set the field it names (the message names the attribute)
   */
  public static AnnotationConfigMapper<?> forAnnotationType(Class<? extends Annotation> type) {
    return BY_ANNOTATION.get(type);
  }

  /** The mapper of an annotation with an explicit contract (no marker needed). */
  public static <C extends Message> AnnotationConfigMapper<C> of(
      Class<? extends Annotation> type, PluginContract<C> contract) {
    return new AnnotationConfigMapper<>(type, contract);
  }

  private static AnnotationConfigMapper<?> create(Class<? extends Annotation> type) {
    PluginTaskAnnotation marker = type.getAnnotation(PluginTaskAnnotation.class);
    if (marker == null) {
      throw new IllegalArgumentException(
          "@"
              + type.getSimpleName()
              + " is not a plugin task annotation: mark it"
              + " @PluginTaskAnnotation(contract = ..., base = ...)");
    }
    PluginContract<?> contract;
    try {
      contract = marker.contract().getConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new IllegalArgumentException(
          "cannot make "
              + marker.contract().getName()
              + ", the contract of @"
              + type.getSimpleName()
              + ": it needs a public no-argument constructor ("
              + e
              + ")",
          e);
    }
    return new AnnotationConfigMapper<>(type, contract);
  }

  public Class<? extends Annotation> annotationType() {
    return annotationType;
  }

  public PluginContract<C> contract() {
    return contract;
  }

  /**
   * The config the annotation describes.
   *
   * @throws InvalidConfigException naming each offending attribute and its fix
   */
  public C toConfig(Annotation annotation) {
    List<ConfigViolation> violations = violations(annotation);
    if (!violations.isEmpty()) {
      throw new InvalidConfigException(violations);
    }
    return map(annotation);
  }

  /** Every problem of the annotation, each naming an attribute; empty when it is valid. */
  public List<ConfigViolation> violations(Annotation annotation) {
    List<ConfigViolation> out = new ArrayList<>();
    for (Attribute attribute : attributes) {
      if (attribute.leaf().isMapField()) {
        duplicateKeys(attribute.name(), (Annotation[]) read(attribute, annotation), out);
      }
    }
    for (ConfigViolation v : contract.violations(map(annotation))) {
      out.add(new ConfigViolation(attributePath(v.field()), v.problem(), v.fix()));
    }
    return out;
  }

  /**
   * The attribute, with any key or index suffix, that sets a config field: {@code
   * executor.instances} -> {@code executorInstances}, {@code sparkConf["k"]} stays as it is. A
   * field no attribute sets keeps its config path.
   */
  public String attributePath(String configPath) {
    Attribute best = null;
    for (Attribute a : attributes) {
      String p = a.jsonPath();
      boolean covers =
          configPath.equals(p) || configPath.startsWith(p + ".") || configPath.startsWith(p + "[");
      if (covers && (best == null || p.length() > best.jsonPath().length())) {
        best = a;
      }
    }
    return best == null ? configPath : best.name() + configPath.substring(best.jsonPath().length());
  }

  /** The attribute's name alone: {@code sparkConf["k"]} -> {@code sparkConf}. */
  public static String attributeName(String attributePath) {
    int end = attributePath.length();
    for (char c : new char[] {'[', '.'}) {
      int i = attributePath.indexOf(c);
      if (i >= 0 && i < end) {
        end = i;
      }
    }
    return attributePath.substring(0, end);
  }

  private C map(Annotation annotation) {
    Message.Builder config = contract.defaultConfig().newBuilderForType();
    for (Attribute attribute : attributes) {
      write(config, attribute, read(attribute, annotation));
    }
    @SuppressWarnings("unchecked") // a builder of C's default instance builds a C
    C built = (C) config.build();
    return built;
  }

  /** Writes a set value; an unset one (UNSET, "", enum 0, false, empty array) is left out. */
  private static void write(Message.Builder root, Attribute attribute, Object value) {
    FieldDescriptor leaf = attribute.leaf();
    if (isUnset(value)) {
      return;
    }
    // Descend only now, so a nested message with nothing set stays absent (backend defaults).
    Message.Builder target = root;
    for (FieldDescriptor step : attribute.path().subList(0, attribute.path().size() - 1)) {
      target = target.getFieldBuilder(step);
    }
    if (value instanceof Integer i) {
      target.setField(leaf, leaf.getJavaType() == JavaType.LONG ? (Object) (long) i : i);
    } else if (value instanceof ProtocolMessageEnum e) {
      target.setField(leaf, e.getValueDescriptor());
    } else if (value instanceof String[] strings) {
      for (String s : strings) {
        target.addRepeatedField(leaf, s);
      }
    } else if (value instanceof Annotation[] entries) {
      Descriptor entryType = leaf.getMessageType();
      for (Annotation entry : entries) {
        target.addRepeatedField(
            leaf,
            target
                .newBuilderForField(leaf)
                .setField(entryType.findFieldByName("key"), entryString(entry, "key"))
                .setField(entryType.findFieldByName("value"), entryString(entry, "value"))
                .build());
      }
    } else {
      target.setField(leaf, value); // Long, String, Boolean: the field's own type
    }
  }

  private static boolean isUnset(Object value) {
    if (value instanceof Integer i) {
      return i == ConfigField.UNSET;
    } else if (value instanceof Long l) {
      return l == ConfigField.UNSET;
    } else if (value instanceof String s) {
      return s.isEmpty();
    } else if (value instanceof Boolean b) {
      return !b;
    } else if (value instanceof ProtocolMessageEnum e) {
      return e.getNumber() == 0;
    } else if (value instanceof Object[] array) {
      return array.length == 0;
    }
    return false;
  }

  private static void duplicateKeys(
      String attribute, Annotation[] entries, List<ConfigViolation> out) {
    Map<String, String> seen = new HashMap<>();
    for (Annotation entry : entries) {
      String key = entryString(entry, "key");
      String value = entryString(entry, "value");
      String previous = seen.putIfAbsent(key, value);
      if (previous != null) {
        out.add(
            new ConfigViolation(
                attribute + "[\"" + key + "\"]",
                "the key is given twice (values \"" + previous + "\" and \"" + value + "\")",
                "keep one @" + entry.annotationType().getSimpleName() + " per key"));
      }
    }
  }

  private static Object read(Attribute attribute, Annotation annotation) {
    return invoke(attribute.method(), annotation);
  }

  private static String entryString(Annotation entry, String name) {
    try {
      return (String) invoke(entry.annotationType().getMethod(name), entry);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(e); // checked when the table was read
    }
  }

  private static Object invoke(Method method, Annotation annotation) {
    try {
      method.setAccessible(true); // a non-public annotation type (tests) is still readable
      return method.invoke(annotation);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot read " + method, e);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
  }

  /** Resolves an attribute's field path and checks that the attribute's type can set it. */
  private Attribute attribute(Method method) {
    ConfigField field = method.getAnnotation(ConfigField.class);
    String path = field == null || field.value().isEmpty() ? method.getName() : field.value();
    List<FieldDescriptor> steps = new ArrayList<>();
    Descriptor type = contract.defaultConfig().getDescriptorForType();
    String[] names = path.split("\\.", -1);
    for (int i = 0; i < names.length; i++) {
      FieldDescriptor step = findField(type, names[i]);
      if (step == null) {
        throw badTable(
            method,
            path,
            "names no field of "
                + type.getFullName()
                + " (fields: "
                + type.getFields().stream()
                    .map(FieldDescriptor::getJsonName)
                    .collect(Collectors.joining(", "))
                + ")");
      }
      steps.add(step);
      if (i < names.length - 1) {
        if (step.getJavaType() != JavaType.MESSAGE || step.isRepeated()) {
          throw badTable(method, path, names[i] + " is not a single message field");
        }
        type = step.getMessageType();
      }
    }
    FieldDescriptor leaf = steps.get(steps.size() - 1);
    if (!fits(method.getReturnType(), leaf)) {
      throw badTable(
          method,
          path,
          "a "
              + method.getReturnType().getSimpleName()
              + " attribute cannot set "
              + (leaf.isMapField() ? "map" : leaf.isRepeated() ? "repeated " : "")
              + leaf.getJavaType().name().toLowerCase(java.util.Locale.ROOT)
              + " field "
              + leaf.getFullName()
              + ": use int or long for integers, String, boolean, the field's protobuf enum,"
              + " String[] for repeated strings, or an array of annotations with String key() and"
              + " String value() for map<string, string>");
    }
    return new Attribute(
        method,
        List.copyOf(steps),
        steps.stream().map(FieldDescriptor::getJsonName).collect(Collectors.joining(".")));
  }

  private static boolean fits(Class<?> attribute, FieldDescriptor field) {
    if (field.isMapField()) {
      FieldDescriptor key = field.getMessageType().findFieldByName("key");
      FieldDescriptor value = field.getMessageType().findFieldByName("value");
      return attribute.isArray()
          && attribute.getComponentType().isAnnotation()
          && key.getJavaType() == JavaType.STRING
          && value.getJavaType() == JavaType.STRING
          && hasStringMethod(attribute.getComponentType(), "key")
          && hasStringMethod(attribute.getComponentType(), "value");
    }
    if (field.isRepeated()) {
      return attribute == String[].class && field.getJavaType() == JavaType.STRING;
    }
    return switch (field.getJavaType()) {
      case INT -> attribute == int.class;
      case LONG -> attribute == int.class || attribute == long.class;
      case STRING -> attribute == String.class;
      case BOOLEAN -> attribute == boolean.class;
      case ENUM ->
          attribute.isEnum()
              && ProtocolMessageEnum.class.isAssignableFrom(attribute)
              && enumTypeName(attribute).equals(field.getEnumType().getFullName());
      default -> false;
    };
  }

  private static String enumTypeName(Class<?> enumClass) {
    try {
      Object descriptor = enumClass.getMethod("getDescriptor").invoke(null);
      return ((com.google.protobuf.Descriptors.EnumDescriptor) descriptor).getFullName();
    } catch (ReflectiveOperationException e) {
      return "";
    }
  }

  private static boolean hasStringMethod(Class<?> type, String name) {
    try {
      return type.getMethod(name).getReturnType() == String.class;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  private static FieldDescriptor findField(Descriptor type, String name) {
    FieldDescriptor byJson =
        type.getFields().stream()
            .filter(f -> f.getJsonName().equals(name))
            .findFirst()
            .orElse(null);
    return byJson != null ? byJson : type.findFieldByName(name);
  }

  private IllegalArgumentException badTable(Method method, String path, String problem) {
    return new IllegalArgumentException(
        "@"
            + annotationType.getSimpleName()
            + "."
            + method.getName()
            + "(): config field \""
            + path
            + "\" "
            + problem
            + "; fix its @ConfigField");
  }
}
