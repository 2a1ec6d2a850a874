package dev.flyteplugin.examples.wordstats;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.sum;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import dev.flyteplugin.flytekit.ExamplePluginRunnableTask;
import dev.flyteplugin.flytekit.ExamplePluginTask;
import dev.flyteplugin.flytekit.SparkVersion;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkBindingDataFactory;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/**
 * A second plugin task with its own Spark config: the longest word (ties: the alphabetically first)
 * and the average word length, with Spark. It fails (as a user error) on a text without words,
 * which the example's tests use.
 */
@AutoService(SdkRunnableTask.class)
@ExamplePluginTask(
    sparkVersion = SparkVersion.VERSION,
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
  protected Output run(SparkSession spark, TextInput input) {
    Dataset<Row> counts =
        TextDatasets.wordCounts(spark, input.text().get())
            .withColumn("length", length(col("word")));
    counts.cache(); // small: one row per distinct word
    try {
      Row totals = counts.agg(sum("count"), sum(col("length").multiply(col("count")))).first();
      if (totals.isNullAt(0) || totals.getLong(0) == 0) {
        throw new IllegalArgumentException("the text has no words to measure");
      }
      String longest =
          counts.orderBy(col("length").desc(), col("word").asc()).limit(1).first().getString(0);
      double average = (double) totals.getLong(1) / totals.getLong(0);
      return Output.create(
          SdkBindingDataFactory.of(longest),
          SdkBindingDataFactory.of(Math.round(average * 100) / 100.0));
    } finally {
      counts.unpersist();
    }
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
