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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The real runtime with two gates a test opens: the informers' sync (as if the first list were
 * slow) and CreateTask (as if the API server were slow), to observe the agent in between.
 */
final class GatedRuntime implements TaskRuntime {
  private final TaskRuntime real;
  final CountDownLatch syncGate = new CountDownLatch(1);
  final CountDownLatch createGate = new CountDownLatch(1);
  final CountDownLatch createEntered = new CountDownLatch(1);

  GatedRuntime(TaskRuntime real) {
    this.real = real;
  }

  @Override
  public List<TaskCategory> taskCategories() {
    return real.taskCategories();
  }

  @Override
  public void start() {
    real.start();
  }

  @Override
  public boolean hasSynced() {
    return syncGate.getCount() == 0 && real.hasSynced();
  }

  @Override
  public boolean awaitSynced(Duration timeout) throws InterruptedException {
    return syncGate.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && real.awaitSynced(timeout);
  }

  @Override
  public TaskHandle create(TaskRequest request, Deadline deadline) throws TaskCreationException {
    createEntered.countDown();
    try {
      createGate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TaskCreationException(TaskCreationException.Kind.TRANSIENT, "interrupted");
    }
    return real.create(request, deadline);
  }

  @Override
  public TaskStatus status(TaskHandle handle) {
    return real.status(handle);
  }

  @Override
  public java.util.Optional<TaskStatus> cachedStatus(TaskHandle handle) {
    return real.cachedStatus(handle);
  }

  @Override
  public void checkNamespace(TaskHandle handle) {
    real.checkNamespace(handle);
  }

  @Override
  public java.util.Optional<dev.flyteplugin.backend.api.LogSource> logSource(TaskHandle handle) {
    return real.logSource(handle);
  }

  @Override
  public void markReported(TaskHandle handle) {
    real.markReported(handle);
  }

  @Override
  public RuntimeHealth health() {
    RuntimeHealth health = real.health();
    boolean open = syncGate.getCount() == 0;
    return new RuntimeHealth(
        open && health.synced(), open && health.watching(), health.watchRestarts());
  }

  @Override
  public void abort(TaskHandle handle, Deadline deadline) {
    real.abort(handle, deadline);
  }

  @Override
  public void close() {
    real.close();
  }
}
