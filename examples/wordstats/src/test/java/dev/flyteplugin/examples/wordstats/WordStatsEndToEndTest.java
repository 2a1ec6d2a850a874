package dev.flyteplugin.examples.wordstats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flyteplugin.backend.runtime.RuntimeConfig;
import dev.flyteplugin.backend.runtime.TaskHandle;
import dev.flyteplugin.backend.runtime.TaskStatus;
import dev.flyteplugin.backend.testing.JflyteWorkload;
import dev.flyteplugin.backend.testing.SimulatedWorkload;
import dev.flyteplugin.runner.EmbeddedBackend;
import dev.flyteplugin.runner.RunListener;
import dev.flyteplugin.runner.WorkflowRunner;
import flyteidl.core.Execution.TaskExecution;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.flyte.api.v1.ContainerError;
import org.flyte.api.v1.Literal;
import org.flyte.api.v1.Primitive;
import org.flyte.api.v1.Scalar;
import org.flyte.flytekit.SdkBindingDataFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example workflow through the real path: SDK TaskTemplates -> backend runtime ->
 * SparkApplications in the in-process Kubernetes API -> simulated operator running jflyte execute
 * -> outputs.pb read back from the output prefix.
 */
class WordStatsEndToEndTest {
  private static final String WORKFLOW = WordStatsWorkflow.class.getName();
  private static final String NAMESPACE = "flytesnacks-development";
  private static final RuntimeConfig FAST_CLEANUP =
      EmbeddedBackend.defaultConfig().withCleanup(Duration.ofMillis(300), Duration.ofMillis(100));

  @TempDir Path storage;

  /** Everything the runner reported, for assertions. */
  static final class Recorder implements RunListener {
    final List<TaskHandle> created = new CopyOnWriteArrayList<>();
    final List<String> phases = new CopyOnWriteArrayList<>();
    final List<TaskStatus> statuses = new CopyOnWriteArrayList<>();
    final List<String> localTasks = new CopyOnWriteArrayList<>();

    @Override
    public void localTaskStarted(String nodeId, String taskName) {
      localTasks.add(nodeId);
    }

    @Override
    public void backendTaskCreated(String nodeId, String taskName, int attempt, TaskHandle handle) {
      created.add(handle);
    }

    @Override
    public void phaseChanged(String nodeId, TaskStatus status, Duration elapsed) {
      phases.add(nodeId + ":" + status.phase());
      statuses.add(status);
    }
  }

  private WorkflowRunner runner(EmbeddedBackend backend, Recorder recorder) {
    return WorkflowRunner.builder()
        .runtime(backend.runtime())
        .storageRoot(storage.toUri().toString())
        .namespace(NAMESPACE)
        .pollInterval(Duration.ofMillis(20))
        .listener(recorder)
        .build();
  }

  private static Map<String, Literal> inputs(long seed, long lines) {
    return Map.of("seed", integer(seed), "lines", integer(lines));
  }

  private static Literal integer(long value) {
    return Literal.ofScalar(Scalar.ofPrimitive(Primitive.ofIntegerValue(value)));
  }

  private static List<GenericKubernetesResource> sparkApplications(EmbeddedBackend backend) {
    return backend
        .client()
        .genericKubernetesResources("sparkoperator.k8s.io/v1beta2", "SparkApplication")
        .inNamespace(NAMESPACE)
        .list()
        .getItems();
  }

  private static List<GenericKubernetesResource> flinkDeployments(EmbeddedBackend backend) {
    return backend
        .client()
        .genericKubernetesResources("flink.apache.org/v1beta1", "FlinkDeployment")
        .inNamespace(NAMESPACE)
        .list()
        .getItems();
  }

  @Test
  void runsTheWorkflowThroughTheBackendAndCleansUpAfterwards() throws Exception {
    Recorder recorder = new Recorder();
    try (EmbeddedBackend backend =
        EmbeddedBackend.start(
            JflyteWorkload.of(getClass().getClassLoader()), Duration.ofMillis(20), FAST_CLEANUP)) {

      Map<String, Literal> outputs = runner(backend, recorder).run(WORKFLOW, inputs(7, 40));

      // The same computation done directly, to compare with what came back through the backend.
      String text =
          new GenerateText()
              .run(
                  GenerateText.Input.create(
                      SdkBindingDataFactory.of(7L), SdkBindingDataFactory.of(40L)))
              .text()
              .get();
      CountWords.Output counts =
          new CountWords().run(TextInput.create(SdkBindingDataFactory.of(text)));
      MeasureWords.Output measures =
          new MeasureWords().run(TextInput.create(SdkBindingDataFactory.of(text)));
      assertThat(outputs.get("words").scalar().primitive().integerValue())
          .isEqualTo(counts.words().get());
      assertThat(outputs.get("distinctWords").scalar().primitive().integerValue())
          .isEqualTo(counts.distinctWords().get());
      assertThat(outputs.get("report").scalar().primitive().stringValue())
          .contains(counts.words().get() + " words")
          .contains("most frequent \"" + counts.topWord().get() + "\"")
          .contains("longest \"" + measures.longestWord().get() + "\"");
      assertThat(outputs.get("lines").scalar().primitive().integerValue())
          .isEqualTo(
              new CountLines().run(TextInput.create(SdkBindingDataFactory.of(text))).lines().get());

      // Plain tasks ran here; the two Spark tasks became SparkApplications, the Flink task a
      // FlinkDeployment, and all went through phases.
      assertThat(recorder.localTasks).containsExactly("generate-text", "format-report");
      assertThat(recorder.created)
          .extracting(TaskHandle::name)
          .hasSize(3)
          .allSatisfy(name -> assertThat(name).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"));
      assertThat(recorder.phases)
          .contains("count-words:RUNNING", "count-words:SUCCEEDED")
          .contains("measure-words:RUNNING", "measure-words:SUCCEEDED")
          .contains("count-lines:RUNNING", "count-lines:SUCCEEDED");
      TaskStatus running =
          recorder.statuses.stream()
              .filter(s -> s.phase() == TaskExecution.Phase.RUNNING)
              .findFirst()
              .orElseThrow();
      assertThat(running.logLinks()).isNotEmpty();

      // Outputs came back as protobuf files at each task's output prefix.
      try (Stream<Path> files = Files.walk(storage)) {
        assertThat(files.filter(p -> p.getFileName().toString().equals("outputs.pb")).count())
            .isEqualTo(3);
      }

      // The runtime sweeps finished resources it created: nothing is left behind, pods included.
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                assertThat(sparkApplications(backend)).isEmpty();
                assertThat(flinkDeployments(backend)).isEmpty();
                assertThat(backend.client().pods().inNamespace(NAMESPACE).list().getItems())
                    .isEmpty();
              });
    }
  }

  @Test
  void theSimulatedDriverRunsThePluginTasksWithARealLocalSpark() throws Exception {
    Recorder recorder = new Recorder();
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    java.io.PrintStream original = System.out;
    Map<String, Literal> outputs;
    try (EmbeddedBackend backend =
        EmbeddedBackend.start(
            JflyteWorkload.of(getClass().getClassLoader()), Duration.ofMillis(20), FAST_CLEANUP)) {
      System.setOut(
          new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
      try {
        outputs = runner(backend, recorder).run(WORKFLOW, inputs(11, 2_000));
      } finally {
        System.setOut(original);
      }
    }
    String out = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
    original.print(out);

    // Each plugin task had its own local Spark session and ran Spark stages in it.
    assertThat(out)
        .contains("[spark] CountWords: Spark " + dev.flyteplugin.flytekit.SparkVersion.VERSION)
        .contains("[spark] MeasureWords: Spark " + dev.flyteplugin.flytekit.SparkVersion.VERSION)
        .containsPattern(
            "\\[spark] CountWords: stage \\d+ \\w+ at CountWords\\.java:\\d+: \\d+ tasks")
        .containsPattern(
            "\\[spark] MeasureWords: stage \\d+ \\w+ at MeasureWords\\.java:\\d+: \\d+ tasks");
    // Its results are the plain-Java word statistics of the same text.
    String text =
        new GenerateText()
            .run(
                GenerateText.Input.create(
                    SdkBindingDataFactory.of(11L), SdkBindingDataFactory.of(2_000L)))
            .text()
            .get();
    List<String> words = List.of(text.split("\\s+"));
    Map<String, Long> counts =
        words.stream()
            .collect(
                java.util.stream.Collectors.groupingBy(
                    w -> w, java.util.stream.Collectors.counting()));
    long max = java.util.Collections.max(counts.values());
    String top =
        counts.entrySet().stream()
            .filter(e -> e.getValue() == max)
            .map(Map.Entry::getKey)
            .sorted()
            .findFirst()
            .orElseThrow();
    String longest =
        words.stream()
            .sorted(
                java.util.Comparator.comparingInt(String::length)
                    .reversed()
                    .thenComparing(java.util.Comparator.naturalOrder()))
            .findFirst()
            .orElseThrow();
    double average = words.stream().mapToInt(String::length).average().orElseThrow();
    assertThat(outputs.get("words").scalar().primitive().integerValue()).isEqualTo(words.size());
    assertThat(outputs.get("distinctWords").scalar().primitive().integerValue())
        .isEqualTo(counts.size());
    assertThat(outputs.get("report").scalar().primitive().stringValue())
        .isEqualTo(
            String.format(
                java.util.Locale.ROOT,
                "%d words (%d distinct), most frequent \"%s\", longest \"%s\", average length %.2f",
                words.size(),
                counts.size(),
                top,
                longest,
                Math.round(average * 100) / 100.0));
  }

  @Test
  void aFailedSparkJobComesBackFromErrorPbAsAUserErrorWithSparksMessage() throws Exception {
    Recorder recorder = new Recorder();
    try (EmbeddedBackend backend =
        EmbeddedBackend.start(
            JflyteWorkload.of(getClass().getClassLoader()), Duration.ofMillis(20), FAST_CLEANUP)) {
      Literal text = Literal.ofScalar(Scalar.ofPrimitive(Primitive.ofStringValue("1 2\n3 x 5")));

      assertThatThrownBy(
              () ->
                  runner(backend, recorder)
                      .run(SumNumbersWorkflow.class.getName(), Map.of("text", text)))
          .isInstanceOf(ContainerError.class)
          .hasMessageContaining("sum-numbers failed in its code")
          .hasMessageContaining("For input string: \"x\"");
    }

    // What the driver wrote: Spark's message as the task's USER error.
    Path errorPb;
    try (Stream<Path> files = Files.walk(storage)) {
      errorPb =
          files
              .filter(p -> p.getFileName().toString().equals("error.pb"))
              .findFirst()
              .orElseThrow();
    }
    flyteidl.core.Errors.ContainerError error =
        flyteidl.core.Errors.ErrorDocument.parseFrom(Files.readAllBytes(errorPb)).getError();
    assertThat(error.getOrigin()).isEqualTo(flyteidl.core.Execution.ExecutionError.ErrorKind.USER);
    assertThat(error.getKind()).isEqualTo(flyteidl.core.Errors.ContainerError.Kind.NON_RECOVERABLE);
    assertThat(error.getCode()).isEqualTo("USER:SparkException");
    assertThat(error.getMessage())
        .contains("Job aborted due to stage failure")
        .contains("java.lang.NumberFormatException: For input string: \"x\"")
        .doesNotStartWith("org.flyte.api.v1.ContainerError"); // Spark's message, not a stack trace
  }

  @Test
  void aPluginTaskTheOperatorFailsFailsTheRunWithTheOperatorsMessage() {
    Recorder recorder = new Recorder();
    SimulatedWorkload executorLost =
        SimulatedWorkload.failAfter(
            Duration.ofMillis(10), "Job aborted due to stage failure: executor 3 lost (OOMKilled)");
    try (EmbeddedBackend backend =
        EmbeddedBackend.start(executorLost, Duration.ofMillis(20), FAST_CLEANUP)) {

      assertThatThrownBy(() -> runner(backend, recorder).run(WORKFLOW, inputs(1, 5)))
          .isInstanceOf(ContainerError.class)
          .hasMessageContaining("count-words failed")
          .hasMessageContaining("executor 3 lost (OOMKilled)");

      assertThat(recorder.phases).contains("count-words:RETRYABLE_FAILED");
      assertThat(recorder.phases).noneMatch(p -> p.startsWith("measure-words"));
    }
  }

  @Test
  void aFailureInTheTasksCodeComesBackFromErrorPb() {
    Recorder recorder = new Recorder();
    try (EmbeddedBackend backend =
        EmbeddedBackend.start(
            JflyteWorkload.of(getClass().getClassLoader()), Duration.ofMillis(20), FAST_CLEANUP)) {

      // No lines: CountWords counts 0 words, MeasureWords refuses an empty text.
      assertThatThrownBy(() -> runner(backend, recorder).run(WORKFLOW, inputs(1, 0)))
          .isInstanceOf(ContainerError.class)
          .hasMessageContaining("measure-words failed in its code")
          .hasMessageContaining("the text has no words to measure");
    }
  }

  @Test
  void abortingMidRunDeletesTheRunningResourcesAndStartsNoOthers() throws Exception {
    Recorder recorder = new Recorder();
    SimulatedWorkload slow = SimulatedWorkload.succeedAfter(Duration.ofMinutes(5));
    try (EmbeddedBackend backend =
        EmbeddedBackend.start(slow, Duration.ofMillis(20), FAST_CLEANUP)) {
      WorkflowRunner runner = runner(backend, recorder);
      CompletableFuture<Map<String, Literal>> run =
          CompletableFuture.supplyAsync(() -> runner.run(WORKFLOW, inputs(3, 10)));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> recorder.phases.contains("count-words:RUNNING"));
      assertThat(sparkApplications(backend)).hasSize(1);

      assertThat(runner.abortRunning()).isEqualTo(1);

      assertThatThrownBy(() -> run.get(20, TimeUnit.SECONDS))
          .hasRootCauseInstanceOf(ContainerError.class)
          .hasStackTraceContaining("count-words was aborted");
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                assertThat(sparkApplications(backend)).isEmpty();
                assertThat(backend.client().pods().inNamespace(NAMESPACE).list().getItems())
                    .isEmpty();
              });
      assertThat(recorder.created).hasSize(1);
    }
  }

  @Test
  void theReadmeMainJobRunsTheLaunchPlanAndPrintsTheOutputs() {
    java.io.StringWriter out = new java.io.StringWriter();
    int exit =
        new picocli.CommandLine(new dev.flyteplugin.runner.RunnerMain())
            .setOut(new java.io.PrintWriter(out))
            .execute("--launch-plan", "WordStatsNightly", "--storage", storage.toUri().toString());

    assertThat(exit).as(out.toString()).isZero();
    assertThat(out.toString())
        .contains("SIMULATED operators")
        .contains("count-words")
        .contains("SUCCEEDED")
        .contains("report = ")
        .contains("Workflow succeeded");
    List<String> lines = new ArrayList<>(out.toString().lines().toList());
    assertThat(lines).anyMatch(l -> l.contains("created example_plugin resource"));
  }
}
