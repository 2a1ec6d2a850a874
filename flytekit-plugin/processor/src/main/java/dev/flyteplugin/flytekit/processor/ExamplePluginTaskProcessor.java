package dev.flyteplugin.flytekit.processor;

import com.google.auto.service.AutoService;
import dev.flyteplugin.flytekit.ExamplePluginRunnableTask;
import dev.flyteplugin.flytekit.ExamplePluginTask;
import dev.flyteplugin.flytekit.ExamplePluginTaskAnnotations;
import dev.flyteplugin.proto.ConfigViolation;
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
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.tools.Diagnostic;

/**
 * Checks every {@link ExamplePluginTask} at compile time: its config, with the same rules and
 * messages as the runtime check ({@link ExamplePluginTaskAnnotations}, which runs {@code
 * SparkConfigValidator}), and what only a compiler can see: that the class is a concrete, public
 * {@link ExamplePluginRunnableTask} with a public no-argument constructor and is registered with
 * {@code @AutoService(SdkRunnableTask.class)}, so flytekit-java discovers it. An abstract annotated
 * class is a shared base: its config is checked, and each concrete subclass (which inherits the
 * annotation) is checked as a task.
 *
 * <p>It writes no files: registration stays with auto-service, so the two processors never write
 * the same {@code META-INF/services} file.
 */
@AutoService(Processor.class)
public final class ExamplePluginTaskProcessor extends AbstractProcessor {
  static final String ANNOTATION = "@" + ExamplePluginTask.class.getSimpleName();
  static final String SDK_RUNNABLE_TASK = "org.flyte.flytekit.SdkRunnableTask";
  static final String AUTO_SERVICE = "com.google.auto.service.AutoService";

  static final String INVALID_CONFIG = "invalid " + ANNOTATION + ": ";
  static final String NOT_A_CLASS = ANNOTATION + " goes on a class, not on %s %s";
  static final String NOT_A_RUNNABLE_TASK =
      "%s is not a runnable task: extend ExamplePluginRunnableTask<Input, Output> and implement"
          + " run";
  static final String PLAIN_RUNNABLE_TASK =
      "%s extends SdkRunnableTask but not ExamplePluginRunnableTask, so its TaskTemplate would"
          + " not get type example_plugin and its config: extend"
          + " ExamplePluginRunnableTask<Input, Output> instead";
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
      "%s extends ExamplePluginRunnableTask but is not registered, so flytekit-java would not"
          + " discover it: add @AutoService(SdkRunnableTask.class), unless it is listed in"
          + " META-INF/services by hand";

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
    for (Element element : round.getElementsAnnotatedWith(ExamplePluginTask.class)) {
      try {
        check(element);
      } catch (RuntimeException e) {
        // Never let an exception reach javac: it would hide the position and every other error.
        processingEnv
            .getMessager()
            .printMessage(
                Diagnostic.Kind.ERROR,
                ANNOTATION + " processor failed on " + element + ": " + e,
                element);
      }
    }
    for (TypeElement type : ElementFilter.typesIn(round.getRootElements())) {
      try {
        warnIfUnregisteredProgrammaticTask(type);
      } catch (RuntimeException e) {
        processingEnv
            .getMessager()
            .printMessage(
                Diagnostic.Kind.ERROR,
                ANNOTATION + " processor failed on " + type + ": " + e,
                type);
      }
    }
    return false;
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
        || type.getAnnotation(ExamplePluginTask.class) != null // checked as an annotated task
        || !isSubclassOf(type, ExamplePluginRunnableTask.class.getCanonicalName())
        || registeredAsRunnableTask(type)) {
      return;
    }
    processingEnv
        .getMessager()
        .printMessage(
            Diagnostic.Kind.WARNING,
            String.format(PROGRAMMATIC_NOT_REGISTERED, type.getQualifiedName()),
            type);
  }

  private void check(Element element) {
    // Absent when the annotation is inherited from a superclass, which is checked on its own.
    AnnotationMirror direct =
        annotationMirror(element, ExamplePluginTask.class.getCanonicalName()).orElse(null);
    if (element.getKind() != ElementKind.CLASS) {
      error(
          String.format(NOT_A_CLASS, article(element.getKind()), element.getSimpleName()),
          element,
          direct);
      return;
    }
    TypeElement type = (TypeElement) element;
    if (!checkShape(type, direct) && direct != null) {
      checkConfig(type, direct);
    }
  }

  /** Returns whether the class is not a plugin task at all (so its config is not checked). */
  private boolean checkShape(TypeElement type, AnnotationMirror mirror) {
    String name = type.getQualifiedName().toString();
    if (!isSubclassOf(type, ExamplePluginRunnableTask.class.getCanonicalName())) {
      String message =
          isSubclassOf(type, SDK_RUNNABLE_TASK) ? PLAIN_RUNNABLE_TASK : NOT_A_RUNNABLE_TASK;
      error(String.format(message, name), type, mirror);
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

  private void checkConfig(TypeElement type, AnnotationMirror mirror) {
    ExamplePluginTask annotation;
    try {
      annotation = type.getAnnotation(ExamplePluginTask.class);
    } catch (RuntimeException e) {
      return; // an attribute that does not compile: javac reports it already
    }
    for (ConfigViolation violation : ExamplePluginTaskAnnotations.violations(annotation)) {
      String attribute = ExamplePluginTaskAnnotations.attributeName(violation.field());
      AnnotationValue value = attributeValue(mirror, attribute, violation.field());
      String message = INVALID_CONFIG + violation.message();
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
   * The value that set the attribute; for a keyed path ({@code sparkConf["k"]}) the last {@code
   * Conf} with that key, which is the duplicate one.
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
