package dev.flyteplugin.flytekit;

/**
 * The Spark version this SDK is built and tested against: the root pom's {@code spark.version},
 * which also tags the example task image's Spark base image. Use it as {@code
 * @ExamplePluginTask(sparkVersion = SparkVersion.VERSION)} so the SparkApplication asks the
 * operator for the Spark that the task's jars were compiled with.
 *
 * <p>Generated from {@code src/main/java-templates} at build time.
 */
public final class SparkVersion {
  /** e.g. "4.1.1". */
  public static final String VERSION = "${spark.version}";

  /** Scala binary version of the Spark artifacts (spark-sql_2.13). */
  public static final String SCALA_BINARY_VERSION = "${scala.binary.version}";

  private SparkVersion() {}
}
