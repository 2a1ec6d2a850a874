package dev.flyteplugin.examples.wordstats;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.trim;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** The generated text as Spark data, shared by the plugin tasks. */
final class TextDatasets {
  static final int LINES_PER_SLICE = 10_000;

  private TextDatasets() {}

  /**
   * The text's lines, spread over the cluster's (or the local session's) default parallelism. The
   * text arrives as the task's input literal, so it is in the driver; {@code parallelize} ships
   * each partition's lines to its executor (no shared file system needed).
   */
  static Dataset<String> lines(SparkSession spark, String text) {
    JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<String> lines = Arrays.asList(text.split("\n"));
    // Slices of ~10k lines keep each task small (Spark warns above 1 MiB per task).
    int slices = Math.max(context.defaultParallelism(), lines.size() / LINES_PER_SLICE + 1);
    return spark.createDataset(context.parallelize(lines, slices).rdd(), Encoders.STRING());
  }

  /**
   * How often each word occurs ({@code word}, {@code count}): the one pass over all the words; the
   * tasks' statistics are computed from it (one row per distinct word).
   */
  static Dataset<Row> wordCounts(SparkSession spark, String text) {
    return words(lines(spark, text)).groupBy("word").count();
  }

  /** One row per word ({@code word}), split on whitespace, blanks dropped. */
  static Dataset<Row> words(Dataset<String> lines) {
    return lines
        .select(explode(split(trim(col("value")), "\\s+")).as("word"))
        .filter(col("word").notEqual(""));
  }
}
