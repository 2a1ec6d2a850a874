package dev.flyteplugin.examples.wordstats;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import dev.flyteplugin.flytekit.ExamplePluginRunnableTask;
import dev.flyteplugin.flytekit.ExamplePluginTask;
import dev.flyteplugin.flytekit.SparkVersion;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.ReduceFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkBindingDataFactory;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/**
 * A test plugin task whose Spark job fails on bad input: it parses the text's words as numbers in
 * the executors, so a word that is not a number fails a Spark task (NumberFormatException).
 */
@AutoService(SdkRunnableTask.class)
@ExamplePluginTask(sparkVersion = SparkVersion.VERSION, executorInstances = 1)
public class SumNumbers extends ExamplePluginRunnableTask<TextInput, SumNumbers.Output> {
  private static final long serialVersionUID = 1L;

  public SumNumbers() {
    super(JacksonSdkType.of(TextInput.class), JacksonSdkType.of(Output.class));
  }

  @Override
  protected Output run(SparkSession spark, TextInput input) {
    long sum =
        TextDatasets.words(TextDatasets.lines(spark, input.text().get()))
            .as(Encoders.STRING())
            .map((MapFunction<String, Long>) Long::parseLong, Encoders.LONG())
            .reduce((ReduceFunction<Long>) Long::sum);
    return Output.create(SdkBindingDataFactory.of(sum));
  }

  @AutoValue
  public abstract static class Output {
    public abstract SdkBindingData<Long> sum();

    public static Output create(SdkBindingData<Long> sum) {
      return new AutoValue_SumNumbers_Output(sum);
    }
  }
}
