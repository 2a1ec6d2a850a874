package dev.flyteplugin.flytekit.wordcount;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import dev.flyteplugin.flytekit.ExamplePluginRunnableTask;
import dev.flyteplugin.flytekit.ExamplePluginTask;
import dev.flyteplugin.flytekit.ExamplePluginTask.Conf;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.function.FilterFunction;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkBindingDataFactory;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** A plugin task configured by annotation: counts the words of a text. */
@AutoService(SdkRunnableTask.class)
@SuppressWarnings("rawtypes")
@ExamplePluginTask(
    sparkVersion = "3.5.1",
    executorInstances = 4,
    executorMemory = "4g",
    sparkConf = {@Conf(key = "spark.sql.shuffle.partitions", value = "64")})
public class CountWords extends ExamplePluginRunnableTask<TextInput, CountWords.Output> {
  private static final long serialVersionUID = 1L;

  public CountWords() {
    super(JacksonSdkType.of(TextInput.class), JacksonSdkType.of(Output.class));
  }

  @Override
  protected Output run(SparkSession spark, TextInput input) {
    long words =
        spark
            .createDataset(List.of(input.text().get().split("\n")), Encoders.STRING())
            .flatMap(
                (FlatMapFunction<String, String>)
                    line -> Arrays.stream(line.strip().split("\\s+")).iterator(),
                Encoders.STRING())
            .filter((FilterFunction<String>) word -> !word.isEmpty())
            .count();
    return Output.create(SdkBindingDataFactory.of(words));
  }

  @AutoValue
  public abstract static class Output {
    public abstract SdkBindingData<Long> words();

    public static Output create(SdkBindingData<Long> words) {
      return new AutoValue_CountWords_Output(words);
    }
  }
}
