package dev.flyteplugin.backend.runtime;

import static java.util.Objects.requireNonNull;

/**
 * A task type and version, as Flyte's {@code TaskCategory} and {@code TaskTemplate.type} / {@code
 * task_type_version} name them.
 */
public record TaskCategory(String name, int version) {
  public TaskCategory {
    requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a task category needs a non-blank name");
    }
  }

  @Override
  public String toString() {
    return name + "@v" + version;
  }
}
