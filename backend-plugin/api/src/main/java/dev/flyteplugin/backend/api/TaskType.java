package dev.flyteplugin.backend.api;

import static java.util.Objects.requireNonNull;

/**
 * A task type and version a plugin serves: {@code TaskTemplate.type} and {@code
 * TaskTemplate.task_type_version}.
 */
public record TaskType(String name, int version) {
  public TaskType {
    requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a task type needs a non-blank name");
    }
  }

  @Override
  public String toString() {
    return name + "@v" + version;
  }
}
