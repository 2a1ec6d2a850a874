package dev.flyteplugin.flytekit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flyteplugin.flytekit.wordcount.CountLetters;
import dev.flyteplugin.flytekit.wordcount.CountWords;
import dev.flyteplugin.flytekit.wordcount.Report;
import dev.flyteplugin.flytekit.wordcount.WordCountWorkflow;
import java.util.Map;
import java.util.stream.Collectors;
import org.flyte.api.v1.Literal;
import org.flyte.api.v1.Primitive;
import org.flyte.api.v1.RunnableTask;
import org.flyte.api.v1.Scalar;
import org.flyte.flytekit.SdkRunnableTaskRegistrar;
import org.flyte.localengine.ExecutionContext;
import org.flyte.localengine.LocalEngine;
import org.junit.jupiter.api.Test;

class LocalEngineWorkflowTest {
  static final Map<String, String> ENV =
      Map.of(
          "FLYTE_INTERNAL_PROJECT", "project",
          "FLYTE_INTERNAL_DOMAIN", "development",
          "FLYTE_INTERNAL_VERSION", "v1");

  @Test
  void workflowOfTwoAnnotatedTasksAndOnePlainTaskRunsInLocalEngine() {
    Map<String, RunnableTask> tasks = discoveredTasks();

    Map<String, Literal> outputs =
        new LocalEngine(ExecutionContext.builder().runnableTasks(tasks).build())
            .compileAndExecute(
                new WordCountWorkflow().toIdlTemplate(),
                Map.of("text", string("to be or not to be")));

    assertThat(outputs).containsExactly(Map.entry("report", string("6 words, 13 letters")));
    assertThat(tasks.get(CountWords.class.getName()).getType()).isEqualTo("example_plugin");
    assertThat(tasks.get(CountLetters.class.getName()).getType()).isEqualTo("example_plugin");
    assertThat(tasks.get(Report.class.getName()).getType()).isEqualTo("java-task");
  }

  /** The tasks as jflyte finds them: flytekit-java's registrar over META-INF/services. */
  static Map<String, RunnableTask> discoveredTasks() {
    return new SdkRunnableTaskRegistrar()
        .load(ENV, LocalEngineWorkflowTest.class.getClassLoader()).entrySet().stream()
            .collect(Collectors.toMap(e -> e.getKey().name(), Map.Entry::getValue));
  }

  private static Literal string(String value) {
    return Literal.ofScalar(Scalar.ofPrimitive(Primitive.ofStringValue(value)));
  }
}
