package dev.flyteplugin.backend.agent;

import dev.flyteplugin.backend.spark.simulation.SimulatedWorkload.Outcome;
import dev.flyteplugin.jflyte.execute.ExecuteOutcome;
import dev.flyteplugin.jflyte.execute.TaskExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated Spark driver's program in embedded mode: jflyte's task entrypoint, in-process. Like
 * the real {@code jflyte execute} in a driver pod, it writes {@code outputs.pb} or {@code error.pb}
 * at the output prefix and then exits normally, so a task whose code failed still COMPLETES as a
 * Spark application: propeller finds {@code error.pb} and fails the task with its message. Only
 * when nothing could be written (malformed args, unwritable prefix) does the driver fail.
 */
final class JflyteDriver {
  private static final Logger LOG = LoggerFactory.getLogger(JflyteDriver.class);

  private JflyteDriver() {}

  static ContainerArgsWorkload.ArgsRunner runner(ClassLoader userCode) {
    return (args, env) -> {
      ClassLoader previous = Thread.currentThread().getContextClassLoader();
      Thread.currentThread().setContextClassLoader(userCode);
      try {
        ExecuteOutcome outcome = new TaskExecutor(userCode, env).execute(args);
        if (outcome.succeeded()) {
          LOG.info("simulated driver: task wrote {}", outcome.documentUri());
        } else {
          LOG.info(
              "simulated driver: task failed ({}), wrote {}",
              outcome.errorMessage().orElse(""),
              outcome.documentUri());
        }
        return Outcome.success();
      } catch (RuntimeException e) {
        return Outcome.failure("jflyte execute failed in the driver: " + e.getMessage());
      } finally {
        Thread.currentThread().setContextClassLoader(previous);
      }
    };
  }
}
