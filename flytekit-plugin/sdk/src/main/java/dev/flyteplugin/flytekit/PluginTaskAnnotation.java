package dev.flyteplugin.flytekit;

import dev.flyteplugin.proto.PluginContract;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an annotation as a plugin's task annotation: its attributes are the task's config (mapped
 * by {@link AnnotationConfigMapper}, see {@link ConfigField}), checked by the contract's rules at
 * compile time (flytekit-plugin-processor) and at run time ({@link PluginRunnableTask}).
 *
 * <pre>{@code
 * @PluginTaskAnnotation(contract = SparkContract.class, base = ExamplePluginRunnableTask.class)
 * @Inherited @Retention(RUNTIME) @Target(TYPE)
 * public @interface ExamplePluginTask { ... }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.ANNOTATION_TYPE)
public @interface PluginTaskAnnotation {
  /** The plugin's contract; it needs a public no-argument constructor. */
  @SuppressWarnings("rawtypes") // an annotation attribute cannot be a wildcard-parameterized class
  Class<? extends PluginContract> contract();

  /** The task base class every annotated task must extend (a {@link PluginRunnableTask}). */
  @SuppressWarnings("rawtypes")
  Class<? extends PluginRunnableTask> base();
}
