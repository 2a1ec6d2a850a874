package dev.flyteplugin.backend.agent;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Flyte 1 release, e.g. {@code 1.15.1}: the oldest release whose propeller this agent serves
 * decides which {@code Resource.phase} values it may answer.
 *
 * <p>Propeller reaches agents through two plugins: {@code agent-service} (Flyte 1.13+, {@code
 * flyteplugins/go/tasks/plugins/webapi/agent/plugin.go}) and {@code connector-service} (from
 * 1.15.1, {@code .../webapi/connector/plugin.go}). Their {@code Plugin.Status} maps {@code
 * RETRYABLE_FAILED} to a retryable failure only from flyteplugins v1.16.0; at v1.14.1 and v1.15.x
 * the phase falls through to "unknown execution phase", a system error on every round.
 *
 * @param major always 1 (Flyte 2 calls other services)
 * @param minor the minor version
 * @param patch the patch version
 */
public record FlyteRelease(int major, int minor, int patch) implements Comparable<FlyteRelease> {
  /** The first release with the agent protocol plugin ({@code agent-service}). */
  public static final FlyteRelease FIRST_AGENT_PLUGIN = new FlyteRelease(1, 13, 0);

  /** The first release with the {@code connector-service} plugin: the default minimum. */
  public static final FlyteRelease CONNECTOR_SERVICE = new FlyteRelease(1, 15, 1);

  /** The first release whose agent/connector plugins understand {@code RETRYABLE_FAILED}. */
  public static final FlyteRelease RETRYABLE_FAILED_PHASE = new FlyteRelease(1, 16, 0);

  private static final Pattern FORMAT = Pattern.compile("v?(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

  /**
   * Parses {@code 1.15.1}, {@code v1.16} or {@code 1.16.8}.
   *
   * @throws IllegalArgumentException naming the value and the accepted range
   */
  public static FlyteRelease parse(String text) {
    Matcher m = FORMAT.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a Flyte release: give MAJOR.MINOR[.PATCH] of the oldest FlytePropeller"
              + " this agent serves, e.g. 1.15.1");
    }
    FlyteRelease release =
        new FlyteRelease(
            Integer.parseInt(m.group(1)),
            Integer.parseInt(m.group(2)),
            m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
    if (release.major() != 1) {
      throw new IllegalArgumentException(
          "Flyte "
              + release
              + " is not served: Flyte 2 calls flyteidl2.connector.AsyncConnectorService, this agent"
              + " serves Flyte 1's flyteidl.service.AsyncAgentService (Flyte "
              + FIRST_AGENT_PLUGIN
              + " and later 1.x)");
    }
    if (release.compareTo(FIRST_AGENT_PLUGIN) < 0) {
      throw new IllegalArgumentException(
          "Flyte "
              + release
              + " has no agent plugin in propeller: the agent-service plugin exists from "
              + FIRST_AGENT_PLUGIN
              + ", connector-service from "
              + CONNECTOR_SERVICE);
    }
    return release;
  }

  /** Whether propeller of this release (and later) retries on a {@code RETRYABLE_FAILED} phase. */
  public boolean understandsRetryableFailed() {
    return compareTo(RETRYABLE_FAILED_PHASE) >= 0;
  }

  @Override
  public int compareTo(FlyteRelease other) {
    int c = Integer.compare(major, other.major);
    if (c == 0) {
      c = Integer.compare(minor, other.minor);
    }
    return c != 0 ? c : Integer.compare(patch, other.patch);
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch;
  }
}
