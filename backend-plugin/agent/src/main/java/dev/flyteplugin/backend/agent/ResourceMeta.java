package dev.flyteplugin.backend.agent;

import static java.util.Objects.requireNonNull;

import dev.flyteplugin.backend.runtime.TaskCategory;
import dev.flyteplugin.backend.runtime.TaskHandle;

/** What a verified {@code resource_meta} stands for. */
sealed interface ResourceMeta {

  TaskCategory category();

  /** A task whose resource the runtime created (or adopted). */
  record Created(TaskHandle handle) implements ResourceMeta {
    public Created {
      requireNonNull(handle, "handle");
    }

    @Override
    public TaskCategory category() {
      return handle.category();
    }
  }

  /**
   * A task the agent refused at creation because it can never run (bad config, refused by the API
   * server as invalid): no resource exists, and GetTask reports it FAILED with {@code message}.
   * Propeller turns a CreateTask error into a retryable failure, which would spend the task's
   * retries on a task that cannot succeed; this makes the failure permanent instead.
   */
  record Rejected(TaskCategory category, String message) implements ResourceMeta {
    public Rejected {
      requireNonNull(category, "category");
      requireNonNull(message, "message");
    }
  }
}
