package dev.flyteplugin.runner;

import dev.flyteplugin.backend.runtime.TaskHandle;
import dev.flyteplugin.backend.runtime.TaskStatus;
import java.time.Duration;
import java.util.Map;
import org.flyte.api.v1.Literal;

/** What a person (or a test) sees of a run: one callback per step. All methods default to no-op. */
public interface RunListener {

  /** A plain task starts in this JVM, as in flytekit-java's LocalEngine. */
  default void localTaskStarted(String nodeId, String taskName) {}

  /** A plugin task's resource was created (or adopted). */
  default void backendTaskCreated(String nodeId, String taskName, int attempt, TaskHandle handle) {}

  /** The phase of a plugin task changed; the status carries its log links and custom info. */
  default void phaseChanged(String nodeId, TaskStatus status, Duration elapsed) {}

  /** A node finished with these outputs. */
  default void nodeSucceeded(String nodeId, Map<String, Literal> outputs, Duration elapsed) {}

  /** A node failed; LocalEngine retries it when the error is recoverable and retries remain. */
  default void nodeFailed(String nodeId, Throwable error, Duration elapsed) {}

  /** A plugin task's resource was deleted because the run was aborted. */
  default void aborted(TaskHandle handle) {}
}
