package dev.flyteplugin.backend.testing;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a simulated operator's main process (Spark's driver, Flink's JobManager) "runs" once its
 * resource is running: given the task's container args and environment as the plugin put them in
 * the spec, decide success or failure. It may take time; it is interrupted when the resource is
 * deleted (abort) and must then return or throw {@link InterruptedException} promptly.
 */
@FunctionalInterface
public interface SimulatedWorkload {

  /** The outcome of the simulated run. */
  Outcome run(Task task) throws InterruptedException;

  /**
   * One run.
   *
   * @param resource the custom resource as the operator sees it
   * @param args the task's container args, from where the plugin's simulation script says
   * @param env the main container's environment, likewise
   */
  record Task(GenericKubernetesResource resource, List<String> args, Map<String, String> env) {
    public Task {
      requireNonNull(resource, "resource");
      args = List.copyOf(args);
      env = Map.copyOf(env);
    }
  }

  /** Success, or failure with the message the operator reports. */
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
    return task -> {
      Thread.sleep(delay.toMillis());
      return Outcome.success();
    };
  }

  /** Fails with {@code message} after {@code delay}. */
  static SimulatedWorkload failAfter(Duration delay, String message) {
    return task -> {
      Thread.sleep(delay.toMillis());
      return Outcome.failure(message);
    };
  }
}
