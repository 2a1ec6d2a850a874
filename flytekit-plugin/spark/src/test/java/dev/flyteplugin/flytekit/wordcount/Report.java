package dev.flyteplugin.flytekit.wordcount;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkBindingDataFactory;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** A plain flytekit-java task in the same module as the plugin tasks. */
@AutoService(SdkRunnableTask.class)
@SuppressWarnings("rawtypes")
public class Report extends SdkRunnableTask<Report.Input, Report.Output> {
  private static final long serialVersionUID = 1L;

  public Report() {
    super(JacksonSdkType.of(Input.class), JacksonSdkType.of(Output.class));
  }

  @Override
  public Output run(Input input) {
    return Output.create(
        SdkBindingDataFactory.of(
            input.words().get() + " words, " + input.letters().get() + " letters"));
  }

  @AutoValue
  public abstract static class Input {
    public abstract SdkBindingData<Long> words();

    public abstract SdkBindingData<Long> letters();

    public static Input create(SdkBindingData<Long> words, SdkBindingData<Long> letters) {
      return new AutoValue_Report_Input(words, letters);
    }
  }

  @AutoValue
  public abstract static class Output {
    public abstract SdkBindingData<String> report();

    public static Output create(SdkBindingData<String> report) {
      return new AutoValue_Report_Output(report);
    }
  }
}
