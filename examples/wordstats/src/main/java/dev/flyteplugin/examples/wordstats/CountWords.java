package dev.flyteplugin.examples.wordstats;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import dev.flyteplugin.flytekit.ExamplePluginRunnableTask;
import dev.flyteplugin.flytekit.ExamplePluginTask;
import dev.flyteplugin.flytekit.ExamplePluginTask.Conf;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkBindingDataFactory;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/**
 * A plugin task: runs in the Spark driver (SparkApplication built by the backend from this
 * annotation). Counts words, distinct words and the most frequent word.
 */
@AutoService(SdkRunnableTask.class)
@ExamplePluginTask(
    sparkVersion = "3.5.1",
    executorInstances = 2,
    executorMemory = "2g",
    driverMemory = "1g",
    sparkConf = {@Conf(key = "spark.sql.shuffle.partitions", value = "16")})
public class CountWords extends ExamplePluginRunnableTask<TextInput, CountWords.Output> {
  private static final long serialVersionUID = 1L;

  public CountWords() {
    super(JacksonSdkType.of(TextInput.class), JacksonSdkType.of(Output.class));
  }

  @Override
  public Output run(TextInput input) {
    String text = input.text().get().strip();
    String[] words = text.isEmpty() ? new String[0] : text.split("\\s+");
    Map<String, Long> counts =
        Arrays.stream(words)
            .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    String topWord =
        counts.entrySet().stream()
            .max(
                Map.Entry.<String, Long>comparingByValue()
                    .thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
            .map(Map.Entry::getKey)
            .orElse("");
    return Output.create(
        SdkBindingDataFactory.of((long) words.length),
        SdkBindingDataFactory.of((long) counts.size()),
        SdkBindingDataFactory.of(topWord));
  }

  @AutoValue
  public abstract static class Output {
    public abstract SdkBindingData<Long> words();

    public abstract SdkBindingData<Long> distinctWords();

    public abstract SdkBindingData<String> topWord();

    public static Output create(
        SdkBindingData<Long> words,
        SdkBindingData<Long> distinctWords,
        SdkBindingData<String> topWord) {
      return new AutoValue_CountWords_Output(words, distinctWords, topWord);
    }
  }
}
