package dev.flyteplugin.proto;

import static java.util.Objects.requireNonNull;

/**
 * One problem with a plugin config: which field, what is wrong, and how to fix it.
 *
 * @param field the field's path in the config's JSON form, e.g. {@code executor.instances}
 * @param problem what is wrong, including the offending value
 * @param fix what to do instead
 */
public record ConfigViolation(String field, String problem, String fix) {

  public ConfigViolation {
    requireNonNull(field, "field");
    requireNonNull(problem, "problem");
    requireNonNull(fix, "fix");
  }

  /** One line for logs, compiler diagnostics and task failure messages. */
  public String message() {
    return field + ": " + problem + "; " + fix;
  }

  @Override
  public String toString() {
    return message();
  }
}
