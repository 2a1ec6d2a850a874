package dev.flyteplugin.flytekit.processor.otherplugin;

import dev.flyteplugin.flytekit.ConfigField;
import dev.flyteplugin.flytekit.PluginTaskAnnotation;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The second plugin's task annotation. */
@PluginTaskAnnotation(contract = ApiContract.class, base = ApiRunnableTask.class)
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ApiPluginTask {
  String name();

  String version() default "";

  @ConfigField("sourceContext.fileName")
  String file() default "";
}
