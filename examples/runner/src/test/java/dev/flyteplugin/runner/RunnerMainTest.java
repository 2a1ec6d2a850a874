package dev.flyteplugin.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Usage errors are caught before anything starts, with a message saying what to give. */
class RunnerMainTest {
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return new CommandLine(new RunnerMain())
        .setOut(new PrintWriter(new StringWriter()))
        .setErr(new PrintWriter(err))
        .execute(args);
  }

  @Test
  void needsExactlyOneOfWorkflowAndLaunchPlan() {
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString())
        .contains("give exactly one of --workflow NAME or --launch-plan NAME");
  }

  @Test
  void refusesLocalStorageOnACluster() {
    assertThat(
            run(
                "--workflow",
                "w",
                "--context",
                "prod",
                "--storage",
                "file:///tmp/x",
                "--image",
                "i"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains("--storage file:///tmp/x is on this machine")
        .contains("--storage s3://bucket/runs");
  }

  @Test
  void needsAnImageOnACluster() {
    assertThat(
            run("--workflow", "w", "--context", "prod", "--storage", "s3://b/runs", "--image", ""))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--image is required on a cluster");
  }
}
