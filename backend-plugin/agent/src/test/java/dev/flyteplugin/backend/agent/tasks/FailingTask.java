package dev.flyteplugin.backend.agent.tasks;

import com.google.auto.service.AutoService;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** A user task that always fails. */
@AutoService(SdkRunnableTask.class)
public class FailingTask extends SdkRunnableTask<SquareTask.Input, SquareTask.Output> {
  private static final long serialVersionUID = 1L;

  public FailingTask() {
    super(JacksonSdkType.of(SquareTask.Input.class), JacksonSdkType.of(SquareTask.Output.class));
  }

  @Override
  public SquareTask.Output run(SquareTask.Input input) {
    throw new IllegalArgumentException("n must be even, got " + input.n().get());
  }
}
