package dev.flyteplugin.backend.runtime;

import java.time.Duration;
import java.util.List;

/**
 * The backend as its embedders see it: one call per agent RPC. The Flyte agent service, the example
 * runner and users' tests all drive tasks through this interface; the Kubernetes runtime implements
 * it on top of the registered operator plugins.
 *
 * <p>No state lives only in memory: a new instance given the same {@link TaskHandle} answers for a
 * task created by an earlier one.
 */
public interface TaskRuntime extends AutoCloseable {

  /** The task categories (type + version) of every registered plugin. */
  List<TaskCategory> taskCategories();

  /** Starts watching the resources (one shared informer per resource kind). Returns at once. */
  void start();

  /** True once every informer has listed its resources: only then are statuses complete. */
  boolean hasSynced();

  /**
   * Waits up to {@code timeout} for {@link #hasSynced()}.
   *
   * @return whether the runtime has synced
   */
  boolean awaitSynced(Duration timeout) throws InterruptedException;

  /**
   * Creates the custom resource for one attempt of a task, or adopts it when it exists already
   * (create is idempotent per attempt).
   *
   * @throws TaskCreationException when the task cannot be started; its {@link
   *     TaskCreationException#kind()} says whether that is permanent
   */
  default TaskHandle create(TaskRequest request) throws TaskCreationException {
    return create(request, Deadline.none());
  }

  /**
   * Like {@link #create(TaskRequest)}, within the caller's deadline: API calls and retries are
   * bounded by it, and nothing is created once the caller is gone.
   *
   * @throws TaskCreationException also when the deadline passed or the caller cancelled
   */
  TaskHandle create(TaskRequest request, Deadline deadline) throws TaskCreationException;

  /**
   * The task's current status, read from the informer cache; on a miss (cache not synced, or the
   * object absent past the grace period) one bounded read of the API server decides, and only its
   * 404 means the resource is gone. Never throws for an API-server problem: it answers the last
   * status it reported for the task, else a non-terminal status saying the status is unknown.
   *
   * @throws UnknownTaskTypeException when no plugin serves the handle's category
   */
  TaskStatus status(TaskHandle handle);

  /**
   * The task's status if the informer cache can answer it alone (synced, object present): a cheap
   * call for a transport thread. Empty means: call {@link #status(TaskHandle)}, which may read the
   * API server.
   */
  default java.util.Optional<TaskStatus> cachedStatus(TaskHandle handle) {
    return java.util.Optional.empty();
  }

  /**
   * Records that a terminal status of the task has reached its caller (propeller), so that the
   * cleanup sweeper may delete the resource. Asynchronous and idempotent; never throws.
   */
  default void markReported(TaskHandle handle) {}

  /**
   * Refuses a task outside the namespaces this runtime serves. {@link #status}, {@link
   * #cachedStatus} and {@link #abort} call it themselves; callers that reach the task's objects by
   * other means (pod logs) call it first.
   *
   * @throws NamespaceNotAllowedException when the handle's namespace is not served
   */
  default void checkNamespace(TaskHandle handle) {}

  /**
   * Whose log GetTaskLogs streams for the task: its plugin's {@link
   * dev.flyteplugin.backend.api.OperatorPlugin#logSource}. Empty when the plugin names none.
   */
  java.util.Optional<dev.flyteplugin.backend.api.LogSource> logSource(TaskHandle handle);

  /** Cache and watch health, for readiness and metrics. */
  default RuntimeHealth health() {
    boolean synced = hasSynced();
    return new RuntimeHealth(synced, synced, 0);
  }

  /**
   * Aborts the task: deletes its resource (with its pods). Idempotent: a resource already gone is
   * success. Never touches a resource this runtime did not create.
   */
  default void abort(TaskHandle handle) {
    abort(handle, Deadline.none());
  }

  /** Like {@link #abort(TaskHandle)}, with API calls bounded by the caller's deadline. */
  void abort(TaskHandle handle, Deadline deadline);

  /** Stops the informers and the cleanup sweeper. */
  @Override
  void close();
}
