package dev.flyteplugin.proto;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A plugin config that cannot be used. Its message names every offending field; {@link
 * #violations()} gives them one by one. Nothing is lost: all problems found are reported at once.
 */
public final class InvalidConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final transient List<ConfigViolation> violations;

  public InvalidConfigException(List<ConfigViolation> violations) {
    super(describe(violations));
    if (violations.isEmpty()) {
      throw new IllegalArgumentException("an InvalidConfigException needs at least one violation");
    }
    this.violations = List.copyOf(violations);
  }

  public InvalidConfigException(ConfigViolation violation) {
    this(List.of(violation));
  }

  public List<ConfigViolation> violations() {
    return violations;
  }

  private static String describe(List<ConfigViolation> violations) {
    if (violations.size() == 1) {
      return "invalid plugin config: " + violations.get(0).message();
    }
    return violations.stream()
        .map(ConfigViolation::message)
        .collect(
            Collectors.joining(
                "\n  ", "invalid plugin config (" + violations.size() + " problems):\n  ", ""));
  }
}
