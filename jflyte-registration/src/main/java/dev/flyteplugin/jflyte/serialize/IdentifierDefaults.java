package dev.flyteplugin.jflyte.serialize;

import java.util.Objects;

/**
 * Project, domain and version given to every identifier the user code left partial (a task node's
 * task reference, a sub-workflow reference, a launch plan's workflow).
 *
 * <p>For {@code serialize workflows} these are flytectl's registration placeholders, which {@code
 * flytectl register files} replaces; for {@code register workflows} they are the real values.
 */
public record IdentifierDefaults(String project, String domain, String version) {

  /** The placeholders {@code flytectl register files} fills in at registration. */
  public static final IdentifierDefaults FLYTECTL_PLACEHOLDERS =
      new IdentifierDefaults(
          "{{ registration.project }}", "{{ registration.domain }}", "{{ registration.version }}");

  public IdentifierDefaults {
    requireText(project, "project", "-p/--project or FLYTE_INTERNAL_PROJECT");
    requireText(domain, "domain", "-d/--domain or FLYTE_INTERNAL_DOMAIN");
    requireText(version, "version", "-v/--version or FLYTE_INTERNAL_VERSION");
  }

  private static void requireText(String value, String field, String fix) {
    if (Objects.requireNonNullElse(value, "").isBlank()) {
      throw new IllegalArgumentException(field + " is empty: set it with " + fix);
    }
  }
}
