package dev.flyteplugin.flytekit;

import java.io.PrintStream;
import java.util.Locale;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.StageInfo;

/**
 * One readable line per finished Spark stage and job of a task, instead of Spark's log: what the
 * task's Spark work is doing, in a local run's console and in a driver pod's log.
 */
final class SparkProgressListener extends SparkListener {
  private final String task;
  private final PrintStream out;

  SparkProgressListener(String task, PrintStream out) {
    this.task = task;
    this.out = out;
  }

  @Override
  public void onJobStart(SparkListenerJobStart jobStart) {
    out.printf(
        Locale.ROOT,
        "[spark] %s: job %d started, %d stage(s)%n",
        task,
        jobStart.jobId(),
        jobStart.stageIds().size());
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted completed) {
    out.println(line(task, completed.stageInfo()));
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd jobEnd) {
    String result = jobEnd.jobResult().toString().startsWith("JobSucceeded") ? "done" : "FAILED";
    out.printf(Locale.ROOT, "[spark] %s: job %d %s%n", task, jobEnd.jobId(), result);
  }

  static String line(String task, StageInfo stage) {
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
          stage.name(),
          millis / 1000.0,
          firstLine(stage.failureReason().get()));
    }
    return String.format(
        Locale.ROOT,
        "[spark] %s: stage %d %s: %d tasks in %.1fs",
        task,
        stage.stageId(),
        stage.name(),
        stage.numTasks(),
        millis / 1000.0);
  }

  private static String firstLine(String text) {
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
