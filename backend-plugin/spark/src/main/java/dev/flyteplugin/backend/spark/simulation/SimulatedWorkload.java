package dev.flyteplugin.backend.spark.simulation;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Duration;

/**
 * What the simulated Spark driver "runs" once its application is RUNNING: given the
 * SparkApplication (its {@code spec.mainClass}, {@code spec.arguments}, {@code spec.driver.env}),
 * decide success or failure. It may take time; it is interrupted when the application is deleted
 * (abort) and must then return or throw {@link InterruptedException} promptly.
 */
@FunctionalInterface
public interface SimulatedWorkload {

  /** The outcome of the simulated run. */
  Outcome run(GenericKubernetesResource application) throws InterruptedException;

  /** Success, or failure with the message the operator reports as {@code errorMessage}. */
  record Outcome(boolean succeeded, String message) {
    public Outcome {
      requireNonNull(message, "message");
    }

    public static Outcome success() {
      return new Outcome(true, "");
    }

    public static Outcome failure(String message) {
      return new Outcome(false, message);
    }
  }

  /** Succeeds after {@code delay} (the default workload). */
  static SimulatedWorkload succeedAfter(Duration delay) {
    return app -> {
      Thread.sleep(delay.toMillis());
      return Outcome.success();
    };
  }

  /** Fails with {@code message} after {@code delay}. */
  static SimulatedWorkload failAfter(Duration delay, String message) {
    return app -> {
      Thread.sleep(delay.toMillis());
      return Outcome.failure(message);
    };
  }
}
