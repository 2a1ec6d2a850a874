package dev.flyteplugin.jflyte.execute;

import flyteidl.core.Errors;
import flyteidl.core.Execution;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link TaskExecutor#execute} wrote: {@code outputs.pb} on success, or {@code error.pb} with
 * the error document's content.
 *
 * @param documentUri the URI of the written {@code outputs.pb} or {@code error.pb}
 * @param error the written error, empty on success
 */
public record ExecuteOutcome(String documentUri, Optional<Errors.ContainerError> error) {

  public ExecuteOutcome {
    Objects.requireNonNull(documentUri, "documentUri");
    Objects.requireNonNull(error, "error");
  }

  static ExecuteOutcome outputsWritten(String uri) {
    return new ExecuteOutcome(uri, Optional.empty());
  }

  static ExecuteOutcome errorWritten(String uri, Errors.ContainerError error) {
    return new ExecuteOutcome(uri, Optional.of(error));
  }

  /** True when {@code outputs.pb} was written. */
  public boolean succeeded() {
    return error.isEmpty();
  }

  /** USER when the task's code failed, SYSTEM when the entrypoint could not run it. */
  public Optional<Execution.ExecutionError.ErrorKind> errorOrigin() {
    return error.map(Errors.ContainerError::getOrigin);
  }

  public boolean recoverable() {
    return error.map(e -> e.getKind() == Errors.ContainerError.Kind.RECOVERABLE).orElse(false);
  }

  public Optional<String> errorMessage() {
    return error.map(Errors.ContainerError::getMessage);
  }
}
