package dev.flyteplugin.examples.wordstats;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import dev.flyteplugin.flytekit.flink.FlinkRunnableTask;
import dev.flyteplugin.flytekit.flink.FlinkTask;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkBindingDataFactory;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/**
 * The Flink plugin's task: runs as a FlinkDeployment (application mode) whose entry point is this
 * task, next to the Spark tasks of the same workflow. Its work is plain Java on purpose: this
 * example's user code is one flat class path with Spark 4.1 in it, and Flink's runtime brings a
 * Kryo of the same package and another version (Spark's kryo-shaded 4, Flink's Kryo 5), so a local
 * Flink cannot run beside it in one JVM. A real Flink task builds its job with Flink's API here, in
 * an image with Flink.
 */
@AutoService(SdkRunnableTask.class)
@FlinkTask(flinkVersion = "v1_20", parallelism = 1, taskManagerMemory = "2048m")
public class CountLines extends FlinkRunnableTask<TextInput, CountLines.Output> {
  private static final long serialVersionUID = 1L;

  public CountLines() {
    super(JacksonSdkType.of(TextInput.class), JacksonSdkType.of(Output.class));
  }

  @Override
  public Output run(TextInput input) {
    long lines = input.text().get().lines().filter(line -> !line.isBlank()).count();
    return Output.create(SdkBindingDataFactory.of(lines));
  }

  @AutoValue
  public abstract static class Output {
    public abstract SdkBindingData<Long> lines();

    public static Output create(SdkBindingData<Long> lines) {
      return new AutoValue_CountLines_Output(lines);
    }
  }
}
