package dev.flyteplugin.examples.wordstats;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner as a user starts it: a real JVM process (what {@code bin/flyte-run} execs), with its
 * own exit codes and messages, and Ctrl-C (SIGINT) delivered to it.
 */
class RunnerProcessTest {
  @TempDir Path tmp;

  private Process start(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // What bin/flyte-run passes: the plugin tasks run a local Spark in the runner's JVM.
    String opens = System.getProperty("spark.java17.opens", "");
    if (!opens.isBlank()) {
      command.addAll(List.of(opens.trim().split("\\s+")));
    }
    command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("dev.flyteplugin.runner.RunnerMain");
    command.addAll(List.of(args));
    return new ProcessBuilder(command)
        .redirectError(tmp.resolve("stderr.txt").toFile())
        .directory(tmp.toFile())
        .start();
  }

  private String stderr() throws IOException {
    return Files.readString(tmp.resolve("stderr.txt"), StandardCharsets.UTF_8);
  }

  @Test
  void aBadInputIsReportedBeforeAnythingStartsWithTheRunnersOwnMessage() throws Exception {
    Process process = start("--launch-plan", "WordStatsNightly", "--input", "nope=1");
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(stderr())
        .contains("--input nope: the workflow has no input 'nope'; its inputs: [")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
    assertThat(out).doesNotContain("EMBEDDED default"); // checked before the backend started
  }

  @Test
  void aValueOfTheWrongTypeNamesTheInput() throws Exception {
    Process process = start("--launch-plan", "WordStatsNightly", "--input", "lines=many");
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(stderr()).contains("lines").doesNotContain("\tat ");
    assertThat(out).doesNotContain("EMBEDDED default");
  }

  @Test
  void ctrlCDeletesTheRunningTasksResourcesAndExits130() throws Exception {
    Process process = start("--launch-plan", "WordStatsNightly");
    StringBuilder out = new StringBuilder();
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      boolean interrupted = false;
      while ((line = reader.readLine()) != null) {
        out.append(line).append('\n');
        // The plugin task's SparkApplication exists and the task is not finished: Ctrl-C now.
        if (!interrupted && line.contains("count-words") && line.contains("created")) {
          new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();
          interrupted = true;
        }
      }
      assertThat(interrupted).as("saw the plugin task start:%n%s%s", out, stderr()).isTrue();
    } finally {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
    assertThat(process.exitValue()).as("%s%s", out, stderr()).isEqualTo(130);
    assertThat(out.toString())
        .contains("Aborting: deleting the resources of running tasks...")
        .contains("Aborted 1 running task(s).")
        .doesNotContain("Workflow succeeded");
  }
}
