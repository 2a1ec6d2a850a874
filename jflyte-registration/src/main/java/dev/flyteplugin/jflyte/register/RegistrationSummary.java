package dev.flyteplugin.jflyte.register;

import java.util.List;

/**
 * Counts of what {@link AdminRegistrar#register} did, and the failures (entity and reason).
 * Entities after a failed phase are skipped: a workflow cannot be created without its tasks.
 */
public record RegistrationSummary(
    int created, int alreadyExisted, int skipped, List<String> failures) {

  public RegistrationSummary {
    failures = List.copyOf(failures);
  }

  public int failed() {
    return failures.size();
  }

  public boolean succeeded() {
    return failures.isEmpty() && skipped == 0;
  }

  @Override
  public String toString() {
    return String.format(
        "%d created, %d already existed, %d failed, %d skipped",
        created, alreadyExisted, failures.size(), skipped);
  }
}
