package dev.flyteplugin.backend.runtime;

import static java.util.Objects.requireNonNull;

/**
 * Identifies the resource of one task attempt. Small on purpose: the agent keeps it in {@code
 * resource_meta}, which propeller stores in the FlyteWorkflow object.
 *
 * @param category the plugin's task category
 * @param namespace the resource's namespace
 * @param name the resource's name
 */
public record TaskHandle(TaskCategory category, String namespace, String name) {
  public TaskHandle {
    requireNonNull(category, "category");
    requireNonNull(namespace, "namespace");
    requireNonNull(name, "name");
  }
}
