package dev.flyteplugin.examples.wordstats;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkBindingDataFactory;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** A plain task: one line of text from the two plugin tasks' results. */
@AutoService(SdkRunnableTask.class)
public class FormatReport extends SdkRunnableTask<FormatReport.Input, FormatReport.Output> {
  private static final long serialVersionUID = 1L;

  public FormatReport() {
    super(JacksonSdkType.of(Input.class), JacksonSdkType.of(Output.class));
  }

  @Override
  public Output run(Input in) {
    return Output.create(
        SdkBindingDataFactory.of(
            String.format(
                "%d words (%d distinct), most frequent \"%s\", longest \"%s\", average length %.2f",
                in.words().get(),
                in.distinctWords().get(),
                in.topWord().get(),
                in.longestWord().get(),
                in.averageLength().get())));
  }

  @AutoValue
  public abstract static class Input {
    public abstract SdkBindingData<Long> words();

    public abstract SdkBindingData<Long> distinctWords();

    public abstract SdkBindingData<String> topWord();

    public abstract SdkBindingData<String> longestWord();

    public abstract SdkBindingData<Double> averageLength();

    public static Input create(
        SdkBindingData<Long> words,
        SdkBindingData<Long> distinctWords,
        SdkBindingData<String> topWord,
        SdkBindingData<String> longestWord,
        SdkBindingData<Double> averageLength) {
      return new AutoValue_FormatReport_Input(
          words, distinctWords, topWord, longestWord, averageLength);
    }
  }

  @AutoValue
  public abstract static class Output {
    public abstract SdkBindingData<String> report();

    public static Output create(SdkBindingData<String> report) {
      return new AutoValue_FormatReport_Output(report);
    }
  }
}
