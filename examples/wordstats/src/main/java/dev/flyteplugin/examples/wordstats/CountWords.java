package dev.flyteplugin.examples.wordstats;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import dev.flyteplugin.flytekit.ExamplePluginRunnableTask;
import dev.flyteplugin.flytekit.ExamplePluginTask;
import dev.flyteplugin.flytekit.ExamplePluginTask.Conf;
import dev.flyteplugin.flytekit.SparkVersion;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkBindingDataFactory;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/**
 * A plugin task: runs in the Spark driver (SparkApplication built by the backend from this
 * annotation) and counts with Spark: words, distinct words and the most frequent word (ties: the
 * alphabetically first).
 */
@AutoService(SdkRunnableTask.class)
@ExamplePluginTask(
    sparkVersion = SparkVersion.VERSION,
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
  protected Output run(SparkSession spark, TextInput input) {
    Dataset<Row> counts = TextDatasets.wordCounts(spark, input.text().get());
    counts.cache(); // small: one row per distinct word
    try {
      Row totals = counts.agg(sum("count"), count(lit(1))).first();
      long words = totals.isNullAt(0) ? 0 : totals.getLong(0);
      List<Row> top =
          counts.orderBy(col("count").desc(), col("word").asc()).limit(1).collectAsList();
      return Output.create(
          SdkBindingDataFactory.of(words),
          SdkBindingDataFactory.of(totals.getLong(1)),
          SdkBindingDataFactory.of(top.isEmpty() ? "" : top.get(0).getString(0)));
    } finally {
      counts.unpersist();
    }
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
