package dev.flyteplugin.examples.wordstats;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import dev.flyteplugin.flytekit.ExamplePluginRunnableTask;
import dev.flyteplugin.flytekit.SparkVersion;
import dev.flyteplugin.flytekit.Structs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.flyte.api.v1.RunnableTask;
import org.flyte.flytekit.SdkRunnableTaskRegistrar;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The plugin tasks' TaskTemplate {@code custom} (what the backend turns into the SparkApplication)
 * as registration produces it, against golden JSON: the tasks now run Spark code, and the config
 * the cluster needs (Spark version of the image, executors, memory, sparkConf) must not change with
 * that. {@code @SPARK_VERSION@} in the golden files stands for {@link SparkVersion#VERSION}. On a
 * mismatch the actual JSON is written to {@code target/golden-actual/}.
 */
class TaskTemplatesGoldenTest {
  private static final Map<String, String> ENV =
      Map.of(
          "FLYTE_INTERNAL_PROJECT", "flytesnacks",
          "FLYTE_INTERNAL_DOMAIN", "development",
          "FLYTE_INTERNAL_VERSION", "v1");

  @ParameterizedTest
  @CsvSource({
    "dev.flyteplugin.examples.wordstats.CountWords, count-words.custom.json",
    "dev.flyteplugin.examples.wordstats.MeasureWords, measure-words.custom.json"
  })
  void thePluginTasksCustomIsTheGoldenSparkConfig(String taskName, String golden) throws Exception {
    Map<String, RunnableTask> tasks =
        new SdkRunnableTaskRegistrar()
            .load(ENV, getClass().getClassLoader()).entrySet().stream()
                .collect(Collectors.toMap(e -> e.getKey().name(), Map.Entry::getValue));
    RunnableTask task = tasks.get(taskName);

    assertThat(task.getType()).isEqualTo("example_plugin");
    String actual = JsonFormat.printer().print(Structs.toProtobuf(task.getCustom())) + "\n";
    String expected = read("/golden/" + golden).replace("@SPARK_VERSION@", SparkVersion.VERSION);
    if (!actual.equals(expected)) {
      Path out = Path.of("target", "golden-actual", golden);
      Files.createDirectories(out.getParent());
      Files.writeString(out, actual.replace(SparkVersion.VERSION, "@SPARK_VERSION@"));
    }
    assertThat(actual).isEqualTo(expected);
    // The custom decodes with the plugin codec to the config of the class's annotation.
    ExamplePluginRunnableTask<?, ?> instance =
        (ExamplePluginRunnableTask<?, ?>) Class.forName(taskName).getConstructor().newInstance();
    assertThat(instance.contract().decode(Structs.toProtobuf(task.getCustom())))
        .isEqualTo(instance.getSparkConfig());
  }

  private static String read(String resource) throws IOException {
    try (InputStream in = TaskTemplatesGoldenTest.class.getResourceAsStream(resource)) {
      assertThat(in).as(resource).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
