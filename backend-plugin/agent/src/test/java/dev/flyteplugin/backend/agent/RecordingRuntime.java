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
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A runtime test double that records what the agent calls, for the parts of the {@link TaskRuntime}
 * contract the real runtime cannot show on the mock server (deadlines reaching it, which thread
 * asks, terminal reports, watch health). Behaviour is set per test through the public fields; unset
 * calls go to {@code real} when there is one.
 */
final class RecordingRuntime implements TaskRuntime {
  record Call(String method, Object argument, Optional<Deadline> deadline, String thread) {}

  /** Behaviour of create: the default gives every task the same handle. */
  interface Create {
    TaskHandle create(TaskRequest request, Deadline deadline) throws TaskCreationException;
  }

  private final Optional<TaskRuntime> real;
  final List<Call> calls = new CopyOnWriteArrayList<>();
  volatile Create create;
  volatile Function<TaskHandle, Optional<TaskStatus>> cachedStatus;
  volatile Function<TaskHandle, TaskStatus> status;

  /** Null: the real runtime's, or synced and watching. */
  volatile RuntimeHealth health;

  /** Delegates to {@code real} whatever a test does not set. */
  RecordingRuntime(TaskRuntime real) {
    this.real = Optional.of(real);
  }

  /** Stand-alone: serves the example plugin's category; every behaviour must be set. */
  RecordingRuntime() {
    this.real = Optional.empty();
  }

  static final TaskCategory EXAMPLE = new TaskCategory("example_plugin", 0);

  List<Call> calls(String method) {
    return calls.stream().filter(c -> c.method().equals(method)).toList();
  }

  private void record(String method, Object argument, Deadline deadline) {
    calls.add(
        new Call(
            method, argument, Optional.ofNullable(deadline), Thread.currentThread().getName()));
  }

  @Override
  public List<TaskCategory> taskCategories() {
    return real.map(TaskRuntime::taskCategories).orElse(List.of(EXAMPLE));
  }

  @Override
  public void start() {
    real.ifPresent(TaskRuntime::start);
  }

  @Override
  public boolean hasSynced() {
    return real.isPresent() ? real.get().hasSynced() : health().synced();
  }

  @Override
  public boolean awaitSynced(Duration timeout) throws InterruptedException {
    return real.isPresent() ? real.get().awaitSynced(timeout) : health().synced();
  }

  @Override
  public TaskHandle create(TaskRequest request, Deadline deadline) throws TaskCreationException {
    record("create", request, deadline);
    if (create != null) {
      return create.create(request, deadline);
    }
    return real.orElseThrow().create(request, deadline);
  }

  @Override
  public TaskStatus status(TaskHandle handle) {
    record("status", handle, null);
    return status != null ? status.apply(handle) : real.orElseThrow().status(handle);
  }

  @Override
  public Optional<TaskStatus> cachedStatus(TaskHandle handle) {
    record("cachedStatus", handle, null);
    if (cachedStatus != null) {
      return cachedStatus.apply(handle);
    }
    return real.map(r -> r.cachedStatus(handle)).orElse(Optional.empty());
  }

  @Override
  public void checkNamespace(TaskHandle handle) {
    real.ifPresent(r -> r.checkNamespace(handle));
  }

  @Override
  public Optional<dev.flyteplugin.backend.api.LogSource> logSource(TaskHandle handle) {
    // Without a real runtime: the Spark plugin's answer, the driver pod.
    return real.isPresent()
        ? real.get().logSource(handle)
        : Optional.of(
            dev.flyteplugin.backend.api.LogSource.pod(
                handle.name() + "-driver",
                dev.flyteplugin.backend.spark.SparkOperatorPlugin.DRIVER_CONTAINER));
  }

  @Override
  public void markReported(TaskHandle handle) {
    record("markReported", handle, null);
    real.ifPresent(r -> r.markReported(handle));
  }

  @Override
  public RuntimeHealth health() {
    RuntimeHealth set = health;
    if (set != null) {
      return set;
    }
    return real.map(TaskRuntime::health).orElse(new RuntimeHealth(true, true, 0));
  }

  @Override
  public void abort(TaskHandle handle, Deadline deadline) {
    record("abort", handle, deadline);
    real.ifPresent(r -> r.abort(handle, deadline));
  }

  @Override
  public void close() {
    real.ifPresent(TaskRuntime::close);
  }
}
