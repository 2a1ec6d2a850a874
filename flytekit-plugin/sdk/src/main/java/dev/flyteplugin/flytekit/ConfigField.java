package dev.flyteplugin.flytekit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The config field a plugin task annotation's attribute sets, as a path of the config's JSON names:
 * {@code @ConfigField("executor.instances") int executorInstances() default UNSET;}. An attribute
 * without it sets the top-level field of its own name.
 *
 * <p>What an attribute may be, and when it is written (otherwise the backend's default applies):
 *
 * <ul>
 *   <li>{@code int} or {@code long} (an integer field): unless it is {@link #UNSET};
 *   <li>{@code String} (a string field): unless empty;
 *   <li>{@code boolean} (a bool field): when true;
 *   <li>a protobuf enum (that enum's field): unless its number is 0 ({@code *_UNSPECIFIED});
 *   <li>{@code String[]} (a repeated string field): each element;
 *   <li>an array of annotations with {@code String key()} and {@code String value()} (a {@code
 *       map<string, string>} field): each entry, a key given twice being an error.
 * </ul>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ConfigField {
  /** Value of a numeric attribute that is not set. */
  int UNSET = Integer.MIN_VALUE;

  /** The field's path, e.g. {@code driver.cores}; empty: the attribute's name. */
  String value() default "";
}
