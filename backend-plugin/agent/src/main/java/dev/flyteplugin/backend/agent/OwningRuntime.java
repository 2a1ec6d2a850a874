package dev.flyteplugin.backend.agent;

import dev.flyteplugin.backend.runtime.Deadline;
import dev.flyteplugin.backend.runtime.RuntimeHealth;
import dev.flyteplugin.backend.runtime.TaskCategory;
import dev.flyteplugin.backend.runtime.TaskCreationException;
import dev.flyteplugin.backend.runtime.TaskHandle;
import dev.flyteplugin.backend.runtime.TaskRequest;
import dev.flyteplugin.backend.runtime.TaskRuntime;
import dev.flyteplugin.backend.runtime.TaskStatus;
import java.time.Duration;
import java.util.List;

/**
 * A runtime plus what the agent opened for it (client, embedded server, simulation), closed after
 * the runtime, in reverse order.
 */
final class OwningRuntime implements TaskRuntime {
  private final TaskRuntime runtime;
  private final AutoCloseable[] owned;

  OwningRuntime(TaskRuntime runtime, AutoCloseable... owned) {
    this.runtime = runtime;
    this.owned = owned.clone();
  }

  @Override
  public List<TaskCategory> taskCategories() {
    return runtime.taskCategories();
  }

  @Override
  public void start() {
    runtime.start();
  }

  @Override
  public boolean hasSynced() {
    return runtime.hasSynced();
  }

  @Override
  public boolean awaitSynced(Duration timeout) throws InterruptedException {
    return runtime.awaitSynced(timeout);
  }

  @Override
  public TaskHandle create(TaskRequest request, Deadline deadline) throws TaskCreationException {
    return runtime.create(request, deadline);
  }

  @Override
  public TaskStatus status(TaskHandle handle) {
    return runtime.status(handle);
  }

  @Override
  public java.util.Optional<TaskStatus> cachedStatus(TaskHandle handle) {
    return runtime.cachedStatus(handle);
  }

  @Override
  public void checkNamespace(TaskHandle handle) {
    runtime.checkNamespace(handle);
  }

  @Override
  public java.util.Optional<dev.flyteplugin.backend.api.LogSource> logSource(TaskHandle handle) {
    return runtime.logSource(handle);
  }

  @Override
  public void markReported(TaskHandle handle) {
    runtime.markReported(handle);
  }

  @Override
  public RuntimeHealth health() {
    return runtime.health();
  }

  @Override
  public void abort(TaskHandle handle, Deadline deadline) {
    runtime.abort(handle, deadline);
  }

  @Override
  public void close() {
    runtime.close();
    for (int i = owned.length - 1; i >= 0; i--) {
      try {
        owned[i].close();
      } catch (Exception e) {
        // Closing on shutdown: nothing useful to do but go on with the rest.
      }
    }
  }
}
