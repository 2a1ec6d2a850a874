package dev.flyteplugin.backend.agent.tasks;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkBindingDataFactory;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** A user task the simulated Spark driver runs through jflyte: squares its input. */
@AutoService(SdkRunnableTask.class)
public class SquareTask extends SdkRunnableTask<SquareTask.Input, SquareTask.Output> {
  private static final long serialVersionUID = 1L;

  public SquareTask() {
    super(JacksonSdkType.of(Input.class), JacksonSdkType.of(Output.class));
  }

  @Override
  public Output run(Input input) {
    long n = input.n().get();
    return Output.create(SdkBindingDataFactory.of(n * n));
  }

  /** The task's input. */
  @AutoValue
  public abstract static class Input {
    public abstract SdkBindingData<Long> n();

    public static Input create(SdkBindingData<Long> n) {
      return new AutoValue_SquareTask_Input(n);
    }
  }

  /** The task's output. */
  @AutoValue
  public abstract static class Output {
    public abstract SdkBindingData<Long> square();

    public static Output create(SdkBindingData<Long> square) {
      return new AutoValue_SquareTask_Output(square);
    }
  }
}
