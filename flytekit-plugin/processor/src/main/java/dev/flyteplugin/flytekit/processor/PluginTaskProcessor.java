package dev.flyteplugin.flytekit.processor;

import com.google.auto.service.AutoService;
import dev.flyteplugin.flytekit.AnnotationConfigMapper;
import dev.flyteplugin.flytekit.PluginRunnableTask;
import dev.flyteplugin.flytekit.PluginTaskAnnotation;
import dev.flyteplugin.proto.ConfigViolation;
import java.lang.annotation.Annotation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.tools.Diagnostic;

/**
 * Checks, at compile time, every use of every plugin task annotation (an annotation marked {@link
 * PluginTaskAnnotation}, such as {@code @ExamplePluginTask}): its config, with the same rules and
 * messages as the runtime check ({@link AnnotationConfigMapper} running the plugin's contract), and
 * what only a compiler can see: that the class is a concrete, public subclass of the annotation's
 * task base class with a public no-argument constructor, registered with
 * {@code @AutoService(SdkRunnableTask.class)} so flytekit-java discovers it. An abstract annotated
 * class is a shared base: its config is checked, and each concrete subclass (which inherits the
 * annotation) is checked as a task.
 *
 * <p>The config check needs the annotation's class (and its contract) on the annotation processor
 * path; without them the shape is still checked and a warning says what is missing.
 *
 * <p>It writes no files: registration stays with auto-service, so the two processors never write
 * the same {@code META-INF/services} file.
 */
@AutoService(Processor.class)
public final class PluginTaskProcessor extends AbstractProcessor {
  static final String MARKER = PluginTaskAnnotation.class.getCanonicalName();
  static final String PLUGIN_RUNNABLE_TASK = PluginRunnableTask.class.getCanonicalName();
  static final String SDK_RUNNABLE_TASK = "org.flyte.flytekit.SdkRunnableTask";
  static final String AUTO_SERVICE = "com.google.auto.service.AutoService";

  static final String INVALID_CONFIG = "invalid %s: ";
  static final String NOT_A_CLASS = "%s goes on a class, not on %s %s";
  static final String NOT_A_RUNNABLE_TASK =
      "%s is not a runnable task: extend %s<Input, Output> and implement run";
  static final String PLAIN_RUNNABLE_TASK =
      "%s extends SdkRunnableTask but not %s, so its TaskTemplate would not get type %s and its"
          + " config: extend %s<Input, Output> instead";
  static final String NOT_PUBLIC =
      "%s must be public (and static if nested) for ServiceLoader to instantiate it: make it"
          + " public static";
  static final String NO_PUBLIC_NO_ARG_CONSTRUCTOR =
      "%s has no public no-argument constructor, which ServiceLoader and jflyte use to create the"
          + " task: add public %s() { super(inputType, outputType); }";
  static final String NOT_REGISTERED =
      "%s is not registered, so flytekit-java would never discover it: add"
          + " @AutoService(SdkRunnableTask.class) (com.google.auto.service.AutoService) to the"
          + " class";
  static final String PROGRAMMATIC_NOT_REGISTERED =
      "%s extends %s but is not registered, so flytekit-java would not discover it: add"
          + " @AutoService(SdkRunnableTask.class), unless it is listed in META-INF/services by hand";
  static final String NOT_ON_PROCESSOR_PATH =
      "the config of %s is not checked at compile time: %s is not on the annotation processor"
          + " path; add the plugin's SDK artifact to annotationProcessorPaths";
  static final String UNUSABLE_ANNOTATION = "%s cannot be checked: %s";

  /** A plugin task annotation as the compiler sees it, with the task base its marker names. */
  private record PluginAnnotation(TypeElement type, TypeElement base, TypeElement contract) {
    String display() {
      return "@" + type.getSimpleName();
    }
  }

  /**
   * Every type, not only annotated ones: a task whose config is computed in code has no annotation
   * but can be forgotten all the same. Nothing is claimed, so other processors still run.
   */
  @Override
  public Set<String> getSupportedAnnotationTypes() {
    return Set.of("*");
  }

  @Override
  public SourceVersion getSupportedSourceVersion() {
    return SourceVersion.latestSupported();
  }

  @Override
  public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    for (PluginAnnotation plugin : pluginAnnotations(annotations, round).values()) {
      for (Element element : round.getElementsAnnotatedWith(plugin.type())) {
        try {
          check(element, plugin);
        } catch (RuntimeException e) {
          // Never let an exception reach javac: it would hide the position and every other error.
          error(plugin.display() + " processor failed on " + element + ": " + e, element, null);
        }
      }
    }
    for (TypeElement type : ElementFilter.typesIn(round.getRootElements())) {
      try {
        warnIfUnregisteredProgrammaticTask(type);
      } catch (RuntimeException e) {
        error("plugin task processor failed on " + type + ": " + e, type, null);
      }
    }
    return false;
  }

  /**
   * The marked annotations of this round: those javac lists, and those root types only inherit from
   * a superclass compiled earlier (javac does not list those).
   */
  private Map<String, PluginAnnotation> pluginAnnotations(
      Set<? extends TypeElement> annotations, RoundEnvironment round) {
    Map<String, PluginAnnotation> found = new LinkedHashMap<>();
    for (TypeElement annotation : annotations) {
      asPluginAnnotation(annotation).ifPresent(p -> found.putIfAbsent(name(annotation), p));
    }
    for (TypeElement type : ElementFilter.typesIn(round.getRootElements())) {
      collectInherited(type, found);
    }
    return found;
  }

  private void collectInherited(TypeElement type, Map<String, PluginAnnotation> found) {
    for (AnnotationMirror mirror : processingEnv.getElementUtils().getAllAnnotationMirrors(type)) {
      TypeElement annotation = (TypeElement) mirror.getAnnotationType().asElement();
      asPluginAnnotation(annotation).ifPresent(p -> found.putIfAbsent(name(annotation), p));
    }
    for (TypeElement nested : ElementFilter.typesIn(type.getEnclosedElements())) {
      collectInherited(nested, found);
    }
  }

  private static Optional<PluginAnnotation> asPluginAnnotation(TypeElement annotation) {
    return annotationMirror(annotation, MARKER)
        .map(
            marker ->
                new PluginAnnotation(
                    annotation,
                    classAttribute(marker, "base"),
                    classAttribute(marker, "contract")));
  }

  private void check(Element element, PluginAnnotation plugin) {
    // Absent when the annotation is inherited from a superclass, which is checked on its own.
    AnnotationMirror direct = annotationMirror(element, name(plugin.type())).orElse(null);
    if (element.getKind() != ElementKind.CLASS) {
      error(
          String.format(
              NOT_A_CLASS, plugin.display(), article(element.getKind()), element.getSimpleName()),
          element,
          direct);
      return;
    }
    TypeElement type = (TypeElement) element;
    if (!checkShape(type, direct, plugin) && direct != null) {
      checkConfig(type, direct, plugin);
    }
  }

  /** Returns whether the class is not a plugin task at all (so its config is not checked). */
  private boolean checkShape(TypeElement type, AnnotationMirror mirror, PluginAnnotation plugin) {
    String name = type.getQualifiedName().toString();
    String base = plugin.base() == null ? PLUGIN_RUNNABLE_TASK : name(plugin.base());
    String baseName = base.substring(base.lastIndexOf('.') + 1);
    if (!isSubclassOf(type, base)) {
      if (isSubclassOf(type, SDK_RUNNABLE_TASK)) {
        error(
            String.format(PLAIN_RUNNABLE_TASK, name, baseName, taskType(plugin), baseName),
            type,
            mirror);
      } else {
        error(String.format(NOT_A_RUNNABLE_TASK, name, baseName), type, mirror);
      }
      return true;
    }
    if (type.getModifiers().contains(Modifier.ABSTRACT)) {
      return false; // a shared base: never instantiated; its concrete subclasses are checked
    }
    boolean nestedInner =
        type.getNestingKind() == NestingKind.MEMBER
            && !type.getModifiers().contains(Modifier.STATIC);
    if (!type.getModifiers().contains(Modifier.PUBLIC)
        || nestedInner
        || !enclosingTypesArePublic(type)) {
      error(String.format(NOT_PUBLIC, name), type, mirror);
    }
    List<ExecutableElement> constructors = ElementFilter.constructorsIn(type.getEnclosedElements());
    boolean hasPublicNoArg =
        constructors.stream()
            .anyMatch(
                c -> c.getParameters().isEmpty() && c.getModifiers().contains(Modifier.PUBLIC));
    if (!hasPublicNoArg) {
      error(String.format(NO_PUBLIC_NO_ARG_CONSTRUCTOR, name, type.getSimpleName()), type, mirror);
    }
    if (!registeredAsRunnableTask(type)) {
      error(String.format(NOT_REGISTERED, name), type, mirror);
    }
    return false;
  }

  private void checkConfig(TypeElement type, AnnotationMirror mirror, PluginAnnotation plugin) {
    Optional<AnnotationConfigMapper<?>> mapper = mapper(plugin, type, mirror);
    if (mapper.isEmpty()) {
      return;
    }
    Annotation annotation;
    try {
      annotation = type.getAnnotation(mapper.get().annotationType());
    } catch (RuntimeException e) {
      return; // an attribute that does not compile: javac reports it already
    }
    String prefix = String.format(INVALID_CONFIG, plugin.display());
    for (ConfigViolation violation : mapper.get().violations(annotation)) {
      String attribute = AnnotationConfigMapper.attributeName(violation.field());
      AnnotationValue value = attributeValue(mirror, attribute, violation.field());
      String message = prefix + violation.message();
      if (value != null) {
        processingEnv
            .getMessager()
            .printMessage(Diagnostic.Kind.ERROR, message, type, mirror, value);
      } else {
        error(message, type, mirror);
      }
    }
  }

  /**
   * The runtime mapper of the annotation, loaded from the processor path; empty (with a warning or
   * error said) when it cannot be had.
   */
  private Optional<AnnotationConfigMapper<?>> mapper(
      PluginAnnotation plugin, Element element, AnnotationMirror mirror) {
    Optional<Class<? extends Annotation>> annotationClass = loadAnnotation(plugin);
    if (annotationClass.isEmpty()) {
      processingEnv
          .getMessager()
          .printMessage(
              Diagnostic.Kind.WARNING,
              String.format(NOT_ON_PROCESSOR_PATH, plugin.display(), binaryName(plugin)),
              element,
              mirror);
      return Optional.empty();
    }
    try {
      return Optional.of(AnnotationConfigMapper.forAnnotationType(annotationClass.get()));
    } catch (RuntimeException | LinkageError e) {
      // A plugin author's mistake in the annotation's table or contract: say it where it is used.
      error(String.format(UNUSABLE_ANNOTATION, plugin.display(), e.getMessage()), element, mirror);
      return Optional.empty();
    }
  }

  /** The contract's task type, or a description of the contract when it cannot be loaded. */
  private String taskType(PluginAnnotation plugin) {
    try {
      return loadAnnotation(plugin)
          .map(type -> AnnotationConfigMapper.forAnnotationType(type).contract().taskType())
          .orElseThrow();
    } catch (RuntimeException | LinkageError e) {
      return "the plugin's type ("
          + (plugin.contract() == null ? "?" : plugin.contract().getSimpleName())
          + ")";
    }
  }

  /**
   * The annotation's class as the processor path has it: the annotation and its contract must be
   * real classes to run the same mapping and rules as at run time.
   */
  private Optional<Class<? extends Annotation>> loadAnnotation(PluginAnnotation plugin) {
    try {
      return Optional.of(
          Class.forName(binaryName(plugin), false, PluginTaskProcessor.class.getClassLoader())
              .asSubclass(Annotation.class));
    } catch (ClassNotFoundException | LinkageError e) {
      return Optional.empty();
    }
  }

  private String binaryName(PluginAnnotation plugin) {
    return processingEnv.getElementUtils().getBinaryName(plugin.type()).toString();
  }

  /**
   * A warning, not an error: a hand-written services file is a legitimate registration this
   * processor cannot see.
   */
  private void warnIfUnregisteredProgrammaticTask(TypeElement type) {
    for (TypeElement nested : ElementFilter.typesIn(type.getEnclosedElements())) {
      warnIfUnregisteredProgrammaticTask(nested);
    }
    if (type.getKind() != ElementKind.CLASS
        || type.getModifiers().contains(Modifier.ABSTRACT)
        || hasPluginAnnotation(type) // checked as an annotated task
        || registeredAsRunnableTask(type)) {
      return;
    }
    pluginBase(type)
        .ifPresent(
            base ->
                processingEnv
                    .getMessager()
                    .printMessage(
                        Diagnostic.Kind.WARNING,
                        String.format(
                            PROGRAMMATIC_NOT_REGISTERED,
                            type.getQualifiedName(),
                            base.getSimpleName()),
                        type));
  }

  private boolean hasPluginAnnotation(TypeElement type) {
    return processingEnv.getElementUtils().getAllAnnotationMirrors(type).stream()
        .anyMatch(m -> annotationMirror(m.getAnnotationType().asElement(), MARKER).isPresent());
  }

  /** The plugin's task base the class extends: the direct subclass of PluginRunnableTask. */
  private Optional<TypeElement> pluginBase(TypeElement type) {
    TypeElement current = type;
    while (true) {
      TypeMirror superclass = current.getSuperclass();
      if (superclass.getKind() != TypeKind.DECLARED) {
        return Optional.empty();
      }
      TypeElement parent = (TypeElement) ((DeclaredType) superclass).asElement();
      if (parent.getQualifiedName().contentEquals(PLUGIN_RUNNABLE_TASK)) {
        return current == type ? Optional.of(parent) : Optional.of(current);
      }
      current = parent;
    }
  }

  /**
   * The value that set the attribute; for a keyed path ({@code sparkConf["k"]}) the last entry with
   * that key, which is the duplicate one.
   */
  private static AnnotationValue attributeValue(
      AnnotationMirror mirror, String attribute, String path) {
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e :
        mirror.getElementValues().entrySet()) {
      if (!e.getKey().getSimpleName().contentEquals(attribute)) {
        continue;
      }
      AnnotationValue value = e.getValue();
      String key = keyOf(path);
      if (key != null && value.getValue() instanceof List<?> entries) {
        AnnotationValue match = null;
        for (Object entry : entries) {
          AnnotationValue entryValue = (AnnotationValue) entry;
          if (entryValue.getValue() instanceof AnnotationMirror conf
              && key.equals(stringAttribute(conf, "key"))) {
            match = entryValue;
          }
        }
        return match != null ? match : value;
      }
      return value;
    }
    return null;
  }

  private static String keyOf(String path) {
    int open = path.indexOf("[\"");
    int close = path.lastIndexOf("\"]");
    return open >= 0 && close > open ? path.substring(open + 2, close) : null;
  }

  private static String stringAttribute(AnnotationMirror mirror, String name) {
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e :
        mirror.getElementValues().entrySet()) {
      if (e.getKey().getSimpleName().contentEquals(name)) {
        return String.valueOf(e.getValue().getValue());
      }
    }
    return null;
  }

  private static TypeElement classAttribute(AnnotationMirror mirror, String name) {
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e :
        mirror.getElementValues().entrySet()) {
      if (e.getKey().getSimpleName().contentEquals(name)
          && e.getValue().getValue() instanceof DeclaredType declared) {
        return (TypeElement) declared.asElement();
      }
    }
    return null;
  }

  private boolean registeredAsRunnableTask(TypeElement type) {
    Optional<AnnotationMirror> autoService = annotationMirror(type, AUTO_SERVICE);
    if (autoService.isEmpty()) {
      return false;
    }
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e :
        autoService.get().getElementValues().entrySet()) {
      if (!e.getKey().getSimpleName().contentEquals("value")) {
        continue;
      }
      Object value = e.getValue().getValue();
      List<?> services = value instanceof List<?> list ? list : List.of(e.getValue());
      for (Object service : services) {
        Object serviceType = ((AnnotationValue) service).getValue();
        if (serviceType instanceof DeclaredType declared
            && ((TypeElement) declared.asElement())
                .getQualifiedName()
                .contentEquals(SDK_RUNNABLE_TASK)) {
          return true;
        }
      }
    }
    return false;
  }

  private boolean isSubclassOf(TypeElement type, String superclassName) {
    TypeElement superclass = processingEnv.getElementUtils().getTypeElement(superclassName);
    if (superclass == null) {
      return false;
    }
    TypeMirror erased = processingEnv.getTypeUtils().erasure(superclass.asType());
    return processingEnv
        .getTypeUtils()
        .isSubtype(processingEnv.getTypeUtils().erasure(type.asType()), erased);
  }

  private static boolean enclosingTypesArePublic(TypeElement type) {
    for (Element e = type.getEnclosingElement();
        e instanceof TypeElement t;
        e = e.getEnclosingElement()) {
      if (!t.getModifiers().contains(Modifier.PUBLIC)) {
        return false;
      }
    }
    return true;
  }

  private static Optional<AnnotationMirror> annotationMirror(Element element, String name) {
    for (AnnotationMirror mirror : element.getAnnotationMirrors()) {
      TypeElement annotationType = (TypeElement) mirror.getAnnotationType().asElement();
      if (annotationType.getQualifiedName().contentEquals(name)) {
        return Optional.of(mirror);
      }
    }
    return Optional.empty();
  }

  private static String name(TypeElement type) {
    return type.getQualifiedName().toString();
  }

  private static String article(ElementKind kind) {
    String name = kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    return ("aeiou".indexOf(name.charAt(0)) >= 0 ? "an " : "a ") + name;
  }

  private void error(String message, Element element, AnnotationMirror mirror) {
    if (mirror == null) {
      processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, message, element);
    } else {
      processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, message, element, mirror);
    }
  }
}
