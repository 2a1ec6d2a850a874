package dev.flyteplugin.backend.testing;

import dev.flyteplugin.jflyte.execute.ExecuteOutcome;
import dev.flyteplugin.jflyte.execute.TaskExecutor;
import dev.flyteplugin.jflyte.load.ProjectLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated main process of embedded mode: the task's container args ({@code jflyte execute
 * --task ...}, as propeller rendered them and the plugin put them in its spec) run through jflyte's
 * task entrypoint in this JVM, with the main container's env. Like the real {@code jflyte execute}
 * in a pod, it writes {@code outputs.pb} or {@code error.pb} at the output prefix and then exits
 * normally, so a task whose code failed still completes as far as the operator knows: propeller
 * finds {@code error.pb} and fails the task with its message. Only when nothing could be written
 * (malformed args, unwritable prefix) does the run fail.
 */
public final class JflyteWorkload implements SimulatedWorkload {
  private static final Logger LOG = LoggerFactory.getLogger(JflyteWorkload.class);

  private final ClassLoader userCode;

  private JflyteWorkload(ClassLoader userCode) {
    this.userCode = userCode;
  }

  /** Runs each task with the classes of {@code userCode}. */
  public static SimulatedWorkload of(ClassLoader userCode) {
    return new JflyteWorkload(userCode);
  }

  @Override
  public Outcome run(Task task) {
    if (task.args().isEmpty()) {
      return Outcome.failure(
          "the "
              + task.resource().getKind()
              + " has no arguments where its plugin's simulation reads the task's args: nothing to"
              + " run");
    }
    ClassLoader previous = Thread.currentThread().getContextClassLoader();
    Thread.currentThread().setContextClassLoader(userCode);
    try {
      ExecuteOutcome outcome = new TaskExecutor(userCode, task.env()).execute(task.args());
      if (outcome.succeeded()) {
        LOG.info("simulated workload: task wrote {}", outcome.documentUri());
      } else {
        LOG.info(
            "simulated workload: task failed ({}), wrote {}",
            outcome.errorMessage().orElse(""),
            outcome.documentUri());
      }
      return Outcome.success();
    } catch (RuntimeException e) {
      return Outcome.failure("jflyte execute failed: " + e.getMessage());
    } finally {
      Thread.currentThread().setContextClassLoader(previous);
    }
  }

  /**
   * A jar or a directory of jars, loaded child-first as jflyte loads user code (the user's
   * flytekit-java and plugin SDKs win over whatever this JVM's class path holds, e.g. an agent
   * distribution's jars); empty: this class's own class loader.
   */
  public static ClassLoader userCodeLoader(Optional<Path> userCode) {
    if (userCode.isEmpty()) {
      return JflyteWorkload.class.getClassLoader();
    }
    Path path = userCode.get();
    if (Files.isDirectory(path)) {
      return ProjectLoader.forJarDirectory(path);
    }
    if (Files.isRegularFile(path)) {
      return ProjectLoader.forJars(List.of(path));
    }
    throw new IllegalArgumentException(
        "--user-code " + path + " is neither a jar nor a directory of jars");
  }
}
