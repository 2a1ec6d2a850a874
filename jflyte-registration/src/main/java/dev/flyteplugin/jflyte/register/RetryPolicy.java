package dev.flyteplugin.jflyte.register;

import io.grpc.Status;
import java.time.Duration;
import java.util.Set;

/**
 * How a FlyteAdmin call is retried: only on UNAVAILABLE, DEADLINE_EXCEEDED and INTERNAL, with an
 * exponential backoff capped at {@code maxBackoff}.
 */
public record RetryPolicy(
    int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration callTimeout) {

  static final Set<Status.Code> RETRYABLE =
      Set.of(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED, Status.Code.INTERNAL);

  public static final RetryPolicy DEFAULT =
      new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(8), Duration.ofSeconds(30));

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
    }
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "backoff must satisfy 0 <= initialBackoff <= maxBackoff, got "
              + initialBackoff
              + " and "
              + maxBackoff);
    }
  }

  static boolean retryable(Status.Code code) {
    return RETRYABLE.contains(code);
  }

  /** Backoff before attempt {@code attempt + 1} (attempts count from 1). */
  Duration backoffAfter(int attempt) {
    Duration backoff = initialBackoff;
    for (int i = 1; i < attempt && backoff.compareTo(maxBackoff) < 0; i++) {
      backoff = backoff.multipliedBy(2);
    }
    return backoff.compareTo(maxBackoff) > 0 ? maxBackoff : backoff;
  }
}
