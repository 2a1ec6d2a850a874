package dev.flyteplugin.examples.wordstats;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import java.util.List;
import java.util.Random;
import java.util.StringJoiner;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkBindingDataFactory;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** A plain flytekit-java task: makes a reproducible text of {@code lines} lines from a seed. */
@AutoService(SdkRunnableTask.class)
public class GenerateText extends SdkRunnableTask<GenerateText.Input, GenerateText.Output> {
  private static final long serialVersionUID = 1L;

  private static final List<String> VOCABULARY =
      List.of(
          "flyte",
          "spark",
          "driver",
          "executor",
          "operator",
          "kubernetes",
          "task",
          "workflow",
          "plugin",
          "propeller",
          "agent",
          "phase",
          "abort",
          "informer",
          "resource",
          "the",
          "a",
          "runs",
          "tracks",
          "and",
          "with",
          "for",
          "every",
          "attempt");

  public GenerateText() {
    super(JacksonSdkType.of(Input.class), JacksonSdkType.of(Output.class));
  }

  @Override
  public Output run(Input input) {
    long lines = input.lines().get();
    if (lines < 0) {
      throw new IllegalArgumentException("lines must not be negative, got " + lines);
    }
    Random random = new Random(input.seed().get());
    StringJoiner text = new StringJoiner("\n");
    for (long i = 0; i < lines; i++) {
      StringJoiner line = new StringJoiner(" ");
      int words = 4 + random.nextInt(9);
      for (int w = 0; w < words; w++) {
        line.add(VOCABULARY.get(random.nextInt(VOCABULARY.size())));
      }
      text.add(line.toString());
    }
    return Output.create(SdkBindingDataFactory.of(text.toString()));
  }

  @AutoValue
  public abstract static class Input {
    public abstract SdkBindingData<Long> seed();

    public abstract SdkBindingData<Long> lines();

    public static Input create(SdkBindingData<Long> seed, SdkBindingData<Long> lines) {
      return new AutoValue_GenerateText_Input(seed, lines);
    }
  }

  @AutoValue
  public abstract static class Output {
    public abstract SdkBindingData<String> text();

    public static Output create(SdkBindingData<String> text) {
      return new AutoValue_GenerateText_Output(text);
    }
  }
}
