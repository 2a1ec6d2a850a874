package dev.flyteplugin.flytekit;

import dev.flyteplugin.proto.example.v1.SparkApplicationConfig;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session of one task execution: opened when the task's {@code run} starts, closed when
 * it ends.
 *
 * <p>In a Spark driver that spark-submit started (the operator's driver pod: {@code spark.master}
 * is set, e.g. {@code k8s://...}), the session is {@code SparkSession.builder().getOrCreate()}, so
 * it has exactly the conf that the SparkApplication gave spark-submit, and closing stops it (one
 * task per driver).
 *
 * <p>Where no master is configured (the embedded default's simulated driver, LocalEngine unit
 * tests) it is a local Spark: {@link #localConf}. One JVM holds at most one SparkContext, and the
 * simulated driver may run two tasks at once in one JVM, so local tasks share a reference-counted
 * context: each task gets its own {@link SparkSession#newSession()} (own SQL conf, temp views) and
 * the context is stopped when the last task using it ends.
 */
final class TaskSparkSession implements AutoCloseable {
  /** Driver-local master: two threads, what the 2-core machines running the examples have. */
  static final String LOCAL_MASTER = "local[2]";

  private static final Object LOCK = new Object();
  private static SparkSession localRoot; // guarded by LOCK
  private static int localUsers; // guarded by LOCK

  private final SparkSession session;
  private final boolean local;
  private final SparkProgressListener progress;
  private boolean closed;

  private TaskSparkSession(SparkSession session, boolean local, SparkProgressListener progress) {
    this.session = session;
    this.local = local;
    this.progress = progress;
  }

  /**
   * True when spark-submit started this JVM (it sets {@code spark.master} as a system property).
   */
  static boolean submitted() {
    return System.getProperty("spark.master") != null;
  }

  /**
   * The session of one execution of {@code taskName}.
   *
   * @param out where stage progress lines go
   */
  static TaskSparkSession open(String taskName, SparkApplicationConfig config, PrintStream out) {
    long start = System.nanoTime();
    SparkSession session;
    boolean local = !submitted();
    if (local) {
      session = openLocal(taskName, config);
    } else {
      session = SparkSession.builder().getOrCreate();
    }
    SparkProgressListener progress = new SparkProgressListener(taskName, out);
    session.sparkContext().addSparkListener(progress);
    out.printf(
        java.util.Locale.ROOT,
        "[spark] %s: Spark %s session ready in %.1fs (master %s)%n",
        taskName,
        session.version(),
        (System.nanoTime() - start) / 1e9,
        session.sparkContext().master());
    return new TaskSparkSession(session, local, progress);
  }

  private static SparkSession openLocal(String taskName, SparkApplicationConfig config) {
    Map<String, String> conf = localConf(taskName, config);
    synchronized (LOCK) {
      if (localRoot == null || localRoot.sparkContext().isStopped()) {
        QuietSparkLogs.toWarn();
        SparkConf sparkConf = new SparkConf(false);
        conf.forEach(sparkConf::set);
        localRoot = SparkSession.builder().config(sparkConf).getOrCreate();
        localUsers = 0;
      }
      localUsers++;
      SparkSession own = localRoot.newSession();
      // A context shared with a running task keeps its core conf; this task's SQL conf still
      // applies to its own session.
      conf.forEach(
          (key, value) -> {
            if (own.conf().isModifiable(key)) {
              own.conf().set(key, value);
            }
          });
      return own;
    }
  }

  /**
   * The conf of a local session: {@value #LOCAL_MASTER}, no UI, few shuffle partitions, the driver
   * on loopback, then the task's {@code sparkConf} and {@code hadoopConf} (as {@code
   * spark.hadoop.*}) entries, which win, so what the annotation says reaches the session locally
   * and on a cluster.
   */
  static Map<String, String> localConf(String taskName, SparkApplicationConfig config) {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.master", LOCAL_MASTER);
    conf.put("spark.app.name", taskName);
    conf.put("spark.ui.enabled", "false");
    conf.put("spark.ui.showConsoleProgress", "false");
    conf.put("spark.sql.shuffle.partitions", "4");
    conf.put("spark.driver.host", "127.0.0.1");
    conf.put("spark.driver.bindAddress", "127.0.0.1");
    conf.putAll(config.getSparkConfMap());
    config.getHadoopConfMap().forEach((key, value) -> conf.put("spark.hadoop." + key, value));
    return conf;
  }

  SparkSession session() {
    return session;
  }

  /** Stops the session (cluster), or leaves the shared local context when no task uses it. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    session.sparkContext().removeSparkListener(progress);
    if (!local) {
      session.stop();
      return;
    }
    synchronized (LOCK) {
      localUsers--;
      if (localUsers <= 0 && localRoot != null) {
        localRoot.stop();
        localRoot = null;
        localUsers = 0;
      }
    }
  }
}
