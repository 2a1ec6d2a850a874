package dev.flyteplugin.backend.runtime;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * How long the caller of a runtime call still waits, and whether it has gone. Propeller's
 * CreateTask and DeleteTask calls carry a deadline (10 s unless configured) and propeller turns any
 * CreateTask error into a new attempt, so work done after the caller gave up is work nobody will
 * track. The runtime bounds its API calls and retries by this and gives up once it has passed.
 *
 * @param at when the caller stops waiting; empty means no deadline
 * @param cancelled true once the caller has cancelled (e.g. the gRPC call was cancelled)
 */
public record Deadline(Optional<Instant> at, BooleanSupplier cancelled) {
  private static final Deadline NONE = new Deadline(Optional.empty(), () -> false);

  public Deadline {
    requireNonNull(at, "at");
    requireNonNull(cancelled, "cancelled");
  }

  /** No deadline and never cancelled (embedders that wait for as long as it takes). */
  public static Deadline none() {
    return NONE;
  }

  public static Deadline at(Instant at, BooleanSupplier cancelled) {
    return new Deadline(Optional.of(at), cancelled);
  }

  /** Time left before the deadline (empty: no deadline); zero or negative once it has passed. */
  public Optional<Duration> remaining(Clock clock) {
    return at.map(a -> Duration.between(clock.instant(), a));
  }

  /** Whether the caller is gone: cancelled, or its deadline has passed. */
  public boolean isOver(Clock clock) {
    return cancelled.getAsBoolean()
        || remaining(clock).map(d -> d.isNegative() || d.isZero()).orElse(false);
  }
}
