package dev.flyteplugin.flytekit;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.StageInfo;
import org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart;
import scala.jdk.javaapi.CollectionConverters;

/**
 * One readable line per finished Spark stage and job of a task, instead of Spark's log: what the
 * task's Spark work is doing, in a local run's console and in a driver pod's log.
 */
final class SparkProgressListener extends SparkListener {
  private final String task;
  private final PrintStream out;
  private final Map<Integer, String> callSites = new ConcurrentHashMap<>();
  private final Map<String, String> queryCallSites = new ConcurrentHashMap<>();

  SparkProgressListener(String task, PrintStream out) {
    this.task = task;
    this.out = out;
  }

  @Override
  public void onJobStart(SparkListenerJobStart jobStart) {
    // Stages of adaptive queries are submitted from other threads and named after those; the
    // query's start event has the call site of the task's action ("count at CountWords.java:40").
    String callSite = null;
    if (jobStart.properties() != null) {
      String execution = jobStart.properties().getProperty("spark.sql.execution.root.id");
      if (execution == null) {
        execution = jobStart.properties().getProperty("spark.sql.execution.id");
      }
      callSite = execution == null ? null : queryCallSites.get(execution);
    }
    if (callSite != null) {
      String label = callSite;
      CollectionConverters.asJava(jobStart.stageIds())
          .forEach(id -> callSites.put((Integer) id, label));
    }
  }

  @Override
  public void onOtherEvent(SparkListenerEvent event) {
    if (event instanceof SparkListenerSQLExecutionStart start) {
      queryCallSites.put(Long.toString(start.executionId()), start.description());
    }
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted completed) {
    StageInfo stage = completed.stageInfo();
    out.println(line(task, stage, callSites.getOrDefault(stage.stageId(), stage.name())));
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd jobEnd) {
    if (!jobEnd.jobResult().toString().startsWith("JobSucceeded")) {
      out.printf(Locale.ROOT, "[spark] %s: job %d FAILED%n", task, jobEnd.jobId());
    }
  }

  static String line(String task, StageInfo stage, String label) {
    long millis =
        stage.submissionTime().isDefined() && stage.completionTime().isDefined()
            ? (Long) stage.completionTime().get() - (Long) stage.submissionTime().get()
            : 0;
    if (stage.failureReason().isDefined()) {
      return String.format(
          Locale.ROOT,
          "[spark] %s: stage %d %s FAILED after %.1fs: %s",
          task,
          stage.stageId(),
          label,
          millis / 1000.0,
          firstLine(stage.failureReason().get()));
    }
    return String.format(
        Locale.ROOT,
        "[spark] %s: stage %d %s: %d tasks in %.1fs",
        task,
        stage.stageId(),
        label,
        stage.numTasks(),
        millis / 1000.0);
  }

  private static String firstLine(String text) {
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
