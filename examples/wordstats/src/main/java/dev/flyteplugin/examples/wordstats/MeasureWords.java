package dev.flyteplugin.examples.wordstats;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import dev.flyteplugin.flytekit.ExamplePluginRunnableTask;
import dev.flyteplugin.flytekit.ExamplePluginTask;
import java.util.Arrays;
import java.util.Comparator;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkBindingDataFactory;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/**
 * A second plugin task with its own Spark config: the longest word and the average word length. It
 * fails (as a user error) on a text without words, which the example's tests use.
 */
@AutoService(SdkRunnableTask.class)
@ExamplePluginTask(
    sparkVersion = "3.5.1",
    executorInstances = 1,
    executorCores = 2,
    executorMemory = "1g",
    timeToLiveSeconds = 3600)
public class MeasureWords extends ExamplePluginRunnableTask<TextInput, MeasureWords.Output> {
  private static final long serialVersionUID = 1L;

  public MeasureWords() {
    super(JacksonSdkType.of(TextInput.class), JacksonSdkType.of(Output.class));
  }

  @Override
  public Output run(TextInput input) {
    String text = input.text().get().strip();
    if (text.isEmpty()) {
      throw new IllegalArgumentException("the text has no words to measure");
    }
    String[] words = text.split("\\s+");
    String longest =
        Arrays.stream(words)
            .max(Comparator.comparingInt(String::length).thenComparing(Comparator.reverseOrder()))
            .orElseThrow();
    double average = Arrays.stream(words).mapToInt(String::length).average().orElse(0);
    return Output.create(
        SdkBindingDataFactory.of(longest),
        SdkBindingDataFactory.of(Math.round(average * 100) / 100.0));
  }

  @AutoValue
  public abstract static class Output {
    public abstract SdkBindingData<String> longestWord();

    public abstract SdkBindingData<Double> averageLength();

    public static Output create(
        SdkBindingData<String> longestWord, SdkBindingData<Double> averageLength) {
      return new AutoValue_MeasureWords_Output(longestWord, averageLength);
    }
  }
}
