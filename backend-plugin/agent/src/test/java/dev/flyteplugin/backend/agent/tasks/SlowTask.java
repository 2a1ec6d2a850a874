package dev.flyteplugin.backend.agent.tasks;

import com.google.auto.service.AutoService;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** A user task that runs long enough to be aborted; it stops when its thread is interrupted. */
@AutoService(SdkRunnableTask.class)
public class SlowTask extends SdkRunnableTask<SquareTask.Input, SquareTask.Output> {
  private static final long serialVersionUID = 1L;

  public SlowTask() {
    super(JacksonSdkType.of(SquareTask.Input.class), JacksonSdkType.of(SquareTask.Output.class));
  }

  @Override
  public SquareTask.Output run(SquareTask.Input input) {
    try {
      Thread.sleep(60_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("aborted", e);
    }
    return SquareTask.Output.create(input.n());
  }
}
