package dev.flyteplugin.flytekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flyteplugin.flytekit.ExamplePluginTask.Conf;
import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.flyte.api.v1.ContainerError;
import org.flyte.flytekit.SdkTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A plugin task's Spark session: one per execution, configured from the task's annotation, stopped
 * when the task ends; Spark failures as the task's errors. Real local Spark throughout.
 */
class SparkSessionPerTaskTest {

  /** Records what its run saw. */
  @ExamplePluginTask(
      sparkVersion = SparkVersion.VERSION,
      sparkConf = {
        @Conf(key = "spark.sql.shuffle.partitions", value = "3"),
        @Conf(key = "spark.flyteplugin.marker", value = "from-the-annotation")
      },
      hadoopConf = @Conf(key = "fs.example.option", value = "on"))
  public static class Recording extends ExamplePluginRunnableTask<Void, Void> {
    final List<SparkSession> sessions = new ArrayList<>();
    final List<SparkContext> contexts = new ArrayList<>();
    final List<Map<String, String>> confs = new ArrayList<>();
    final List<Long> results = new ArrayList<>();

    public Recording() {
      super(SdkTypes.nulls(), SdkTypes.nulls());
    }

    @Override
    protected Void run(SparkSession spark, Void input) {
      sessions.add(spark);
      contexts.add(spark.sparkContext());
      confs.add(
          Map.of(
              "master", spark.sparkContext().master(),
              "ui", spark.sparkContext().getConf().get("spark.ui.enabled"),
              "partitions", spark.conf().get("spark.sql.shuffle.partitions"),
              "marker", spark.sparkContext().getConf().get("spark.flyteplugin.marker"),
              "hadoop", spark.sparkContext().hadoopConfiguration().get("fs.example.option")));
      // A shuffle, so the configured partitions are used.
      results.add(
          spark
              .range(0, 1000)
              .groupBy(org.apache.spark.sql.functions.expr("id % 7"))
              .count()
              .count());
      return null;
    }
  }

  @Test
  void eachExecutionGetsALocalSessionWithTheTasksConfAndItIsStoppedAfterwards() {
    Recording task = new Recording();

    task.run(null);
    task.run(null);

    assertThat(task.results).containsExactly(7L, 7L);
    assertThat(task.confs)
        .allSatisfy(
            conf ->
                assertThat(conf)
                    .containsEntry("master", "local[2]")
                    .containsEntry("ui", "false")
                    .containsEntry("partitions", "3")
                    .containsEntry("marker", "from-the-annotation")
                    .containsEntry("hadoop", "on"));
    // Stopped when each execution ended; the second execution had a context of its own.
    assertThat(task.contexts).allSatisfy(sc -> assertThat(sc.isStopped()).isTrue());
    assertThat(task.contexts.get(0)).isNotSameAs(task.contexts.get(1));
    assertThat(
            SparkSession.getActiveSession().isDefined()
                && !SparkSession.getActiveSession().get().sparkContext().isStopped())
        .isFalse();
  }

  /** Waits for the other execution, so both run in one JVM at once (the simulated driver). */
  @ExamplePluginTask(
      sparkVersion = SparkVersion.VERSION,
      sparkConf = @Conf(key = "spark.sql.shuffle.partitions", value = "2"))
  public static class Concurrent extends ExamplePluginRunnableTask<Void, Void> {
    final CyclicBarrier together;
    final CountDownLatch firstDone;
    final boolean first;
    volatile SparkContext context;
    volatile boolean contextAliveAfterOtherEnded;

    Concurrent(CyclicBarrier together, CountDownLatch firstDone, boolean first) {
      super(SdkTypes.nulls(), SdkTypes.nulls());
      this.together = together;
      this.firstDone = firstDone;
      this.first = first;
    }

    @Override
    protected Void run(SparkSession spark, Void input) {
      context = spark.sparkContext();
      try {
        together.await(60, TimeUnit.SECONDS);
        if (!first) {
          assertThat(firstDone.await(60, TimeUnit.SECONDS)).isTrue();
          // The other task ended: this one's Spark still works.
          contextAliveAfterOtherEnded =
              !context.isStopped() && spark.range(10).filter("id > 4").count() == 5;
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return null;
    }
  }

  @Test
  void twoTasksRunningAtOnceInOneJvmShareTheLocalContextUntilTheLastEnds() throws Exception {
    CyclicBarrier together = new CyclicBarrier(2);
    CountDownLatch firstDone = new CountDownLatch(1);
    Concurrent first = new Concurrent(together, firstDone, true);
    Concurrent second = new Concurrent(together, firstDone, false);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<?> a =
          pool.submit(
              () -> {
                first.run(null);
                firstDone.countDown();
              });
      Future<?> b = pool.submit(() -> second.run(null));
      a.get(120, TimeUnit.SECONDS);
      b.get(120, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }

    assertThat(first.context).isSameAs(second.context);
    assertThat(second.contextAliveAfterOtherEnded).isTrue();
    assertThat(second.context.isStopped()).isTrue();
  }

  /** A job whose function throws in a Spark task. */
  @ExamplePluginTask(sparkVersion = SparkVersion.VERSION)
  public static class FailingJob extends ExamplePluginRunnableTask<Void, Void> {
    volatile SparkContext context;

    public FailingJob() {
      super(SdkTypes.nulls(), SdkTypes.nulls());
    }

    @Override
    protected Void run(SparkSession spark, Void input) {
      context = spark.sparkContext();
      spark
          .createDataset(List.of("1", "2", "three"), Encoders.STRING())
          .map((MapFunction<String, Long>) Long::parseLong, Encoders.LONG())
          .collectAsList();
      return null;
    }
  }

  @Test
  void aFailedSparkJobIsTheTasksUserErrorWithSparksMessage() {
    FailingJob task = new FailingJob();

    assertThatThrownBy(() -> task.run(null))
        .isInstanceOfSatisfying(
            ContainerError.class,
            e -> {
              assertThat(e.getCode()).isEqualTo("USER:SparkException");
              assertThat(e.getKind()).isEqualTo(ContainerError.Kind.NON_RECOVERABLE);
            })
        .hasMessageContaining("Job aborted due to stage failure")
        .hasMessageContaining("NumberFormatException")
        .hasMessageContaining("For input string: \"three\"");
    assertThat(task.context.isStopped()).isTrue();
  }

  /** Runs out of driver memory. */
  @ExamplePluginTask(sparkVersion = SparkVersion.VERSION)
  public static class OutOfMemory extends ExamplePluginRunnableTask<Void, Void> {
    public OutOfMemory() {
      super(SdkTypes.nulls(), SdkTypes.nulls());
    }

    @Override
    protected Void run(SparkSession spark, Void input) {
      // A real allocation failure: 16 GiB, more than the test JVM's heap.
      long[] tooMuch = new long[Integer.MAX_VALUE - 8];
      spark.conf().set("spark.flyteplugin.size", Integer.toString(tooMuch.length));
      return null;
    }
  }

  @Test
  void theDriverRunningOutOfMemoryIsARecoverableSystemError() {
    assertThatThrownBy(() -> new OutOfMemory().run(null))
        .isInstanceOfSatisfying(
            ContainerError.class,
            e -> {
              assertThat(e.getCode()).isEqualTo("SYSTEM:SparkDriverOutOfMemory");
              assertThat(e.getKind()).isEqualTo(ContainerError.Kind.RECOVERABLE);
            })
        .hasMessageContaining("OutOfMemory: the Spark driver ran out of memory")
        .hasMessageContaining("driverMemory");
  }

  /**
   * Spark failing under the task (Spark 4.1's {@code stop()} waits for running jobs, so a context
   * shut down mid-job cannot be staged in-process: these are the messages the scheduler uses).
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "Job 3 cancelled because SparkContext was shut down",
        "Job aborted due to stage failure: Task 0 in stage 1.0 failed 4 times, most recent failure:"
            + " Lost task 0.3 in stage 1.0 (TID 7) (10.0.0.5 executor 2): ExecutorLostFailure"
            + " (executor 2 exited caused by one of the running tasks) Reason: Executor heartbeat"
            + " timed out after 120000 ms"
      })
  void sparkFailingInternallyIsARecoverableSystemError(String message) {
    Throwable error = SparkFailures.classify("T", new org.apache.spark.SparkException(message));

    assertThat(error)
        .isInstanceOfSatisfying(
            ContainerError.class,
            e -> {
              assertThat(e.getCode()).isEqualTo("SYSTEM:SparkInternal");
              assertThat(e.getKind()).isEqualTo(ContainerError.Kind.RECOVERABLE);
            })
        .hasMessage("T: Spark failed: " + message);
  }

  @Test
  void aQueryErrorIsAUserErrorWithSparksMessage() {
    @ExamplePluginTask(sparkVersion = SparkVersion.VERSION)
    class BadColumn extends ExamplePluginRunnableTask<Void, Void> {
      BadColumn() {
        super(SdkTypes.nulls(), SdkTypes.nulls());
      }

      @Override
      protected Void run(SparkSession spark, Void input) {
        spark.range(3).select("no_such_column").count();
        return null;
      }
    }

    assertThatThrownBy(() -> new BadColumn().run(null))
        .isInstanceOfSatisfying(
            ContainerError.class, e -> assertThat(e.getCode()).startsWith("USER:"))
        .hasMessageContaining("no_such_column");
  }

  @Test
  void stagesAreReportedAsProgressLines() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    SparkApplicationConfig config =
        SparkApplicationConfig.newBuilder().setSparkVersion(SparkVersion.VERSION).build();
    try (TaskSparkSession spark = TaskSparkSession.open("Progress", config, out)) {
      spark.session().range(0, 100).groupBy("id").count().count();
    }

    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines.get(0))
        .matches(
            "\\[spark] Progress: Spark "
                + java.util.regex.Pattern.quote(SparkVersion.VERSION)
                + " session ready in \\d+\\.\\ds \\(master local\\[2]\\)");
    assertThat(lines.subList(1, lines.size()))
        .isNotEmpty()
        .allMatch(
            l ->
                l.matches(
                    "\\[spark] Progress: stage \\d+ count at SparkSessionPerTaskTest.java:\\d+:"
                        + " \\d+ tasks in \\d+\\.\\ds"),
            "a stage line naming the task's action");
  }

  @Test
  void theTasksConfWinsOverTheLocalDefaults() {
    SparkApplicationConfig config =
        SparkApplicationConfig.newBuilder()
            .setSparkVersion(SparkVersion.VERSION)
            .putSparkConf("spark.sql.shuffle.partitions", "64")
            .putSparkConf("spark.master", "local[1]")
            .putHadoopConf("fs.s3a.endpoint", "http://minio:9000")
            .build();

    assertThat(TaskSparkSession.localConf("T", config))
        .containsEntry("spark.master", "local[1]")
        .containsEntry("spark.sql.shuffle.partitions", "64")
        .containsEntry("spark.hadoop.fs.s3a.endpoint", "http://minio:9000")
        .containsEntry("spark.ui.enabled", "false")
        .containsEntry("spark.driver.bindAddress", "127.0.0.1")
        .containsEntry("spark.app.name", "T");
  }

  /** Loads the test fixture in a class loader without Spark's jars, as in a non-Spark image. */
  @Test
  void withoutSparkOnTheClassPathTheErrorNamesTheFix() throws Exception {
    URL[] withoutSpark =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(entry -> !Path.of(entry).getFileName().toString().startsWith("spark-"))
            .map(
                entry -> {
                  try {
                    return Path.of(entry).toUri().toURL();
                  } catch (java.net.MalformedURLException e) {
                    throw new IllegalStateException(e);
                  }
                })
            .toArray(URL[]::new);
    try (URLClassLoader loader =
        new URLClassLoader(withoutSpark, ClassLoader.getPlatformClassLoader())) {
      Class<?> task = loader.loadClass(FailingJob.class.getName());
      Object instance = task.getConstructor().newInstance();
      Throwable thrown =
          org.assertj.core.api.Assertions.catchThrowable(
              () -> task.getMethod("run", Object.class).invoke(instance, (Object) null));

      Throwable error = thrown.getCause(); // InvocationTargetException
      assertThat(error.getClass().getName()).isEqualTo(ContainerError.class.getName());
      assertThat(error.getClass().getMethod("getCode").invoke(error))
          .isEqualTo("SYSTEM:SparkNotOnClassPath");
      assertThat(error.getMessage())
          .contains("is a Spark task but Spark is not on its class path")
          .contains(
              "add org.apache.spark:spark-sql_"
                  + SparkVersion.SCALA_BINARY_VERSION
                  + ":"
                  + SparkVersion.VERSION
                  + " as a dependency of the task jar")
          .contains("apache/spark:" + SparkVersion.VERSION);
    }
  }
}
