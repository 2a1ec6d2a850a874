package dev.flyteplugin.flytekit;

import org.flyte.api.v1.ContainerError;

/**
 * How a failure of a plugin task's Spark work is reported (error.pb through jflyte's entrypoint).
 *
 * <ul>
 *   <li>A Spark exception (a failed job, a bad query: any {@code org.apache.spark.*} exception) is
 *       the task's USER error, with Spark's message (for a failed job it names the failed stage and
 *       the exception the task's function threw in it) and code {@code USER:<exception>}.
 *   <li>The driver out of memory, or Spark itself failing (context shut down, executors lost) is a
 *       SYSTEM error: recoverable, code {@code SYSTEM:<what>}. (jflyte's entrypoint writes the
 *       origin; see {@link #SYSTEM_PREFIX}.)
 *   <li>Anything else the task's own code throws is left as it is: jflyte reports it as a USER
 *       error with its stack trace.
 * </ul>
 *
 * <p>Classes are matched by name: this class must load where Spark is missing, to say so.
 */
final class SparkFailures {
  /**
   * Code prefix of a system failure. flytekit-api's {@link ContainerError} has no origin; the
   * entrypoint maps this prefix to {@code ErrorKind.SYSTEM}, as flytekit-python's {@code
   * FlyteSystemException}s are.
   */
  static final String SYSTEM_PREFIX = "SYSTEM:";

  private static final String[] SPARK_INTERNAL = {
    "SparkContext was shut down",
    "SparkContext has been shutdown",
    "ExecutorLostFailure",
    "Executor heartbeat timed out",
    "cancelled because SparkContext was shut down",
  };

  private SparkFailures() {}

  /** The error to throw for {@code failure}, thrown by the task's run. */
  static Throwable classify(String task, Throwable failure) {
    if (failure instanceof ContainerError) {
      return failure;
    }
    Throwable oom = find(failure, OutOfMemoryError.class);
    if (oom != null) {
      return ContainerError.create(
          SYSTEM_PREFIX + "SparkDriverOutOfMemory",
          task
              + ": the Spark driver ran out of memory ("
              + oom.getMessage()
              + "); give the driver more memory (@ExamplePluginTask driverMemory), or collect less"
              + " to the driver",
          ContainerError.Kind.RECOVERABLE);
    }
    if (!isSpark(failure)) {
      return failure;
    }
    String message = String.valueOf(failure.getMessage());
    for (String internal : SPARK_INTERNAL) {
      if (message.contains(internal)) {
        return ContainerError.create(
            SYSTEM_PREFIX + "SparkInternal",
            task + ": Spark failed: " + message,
            ContainerError.Kind.RECOVERABLE);
      }
    }
    return ContainerError.create(
        "USER:" + failure.getClass().getSimpleName(), message, ContainerError.Kind.NON_RECOVERABLE);
  }

  private static boolean isSpark(Throwable failure) {
    for (Class<?> c = failure.getClass(); c != null; c = c.getSuperclass()) {
      if (c.getName().startsWith("org.apache.spark.")) {
        return true;
      }
    }
    return false;
  }

  private static Throwable find(Throwable failure, Class<? extends Throwable> type) {
    Throwable t = failure;
    for (int depth = 0; t != null && depth < 32; depth++, t = t.getCause()) {
      if (type.isInstance(t)) {
        return t;
      }
    }
    return null;
  }
}
