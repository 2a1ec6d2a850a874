package dev.flyteplugin.examples.wordstats;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkWorkflow;
import org.flyte.flytekit.SdkWorkflowBuilder;
import org.flyte.flytekit.jackson.JacksonSdkType;

/**
 * Word statistics over a generated text: a plain task makes the text, two Spark plugin tasks (each
 * a SparkApplication) and a Flink plugin task (a FlinkDeployment) analyse it, a plain task writes
 * the report.
 */
@AutoService(SdkWorkflow.class)
public class WordStatsWorkflow extends SdkWorkflow<GenerateText.Input, WordStatsWorkflow.Output> {

  public WordStatsWorkflow() {
    super(JacksonSdkType.of(GenerateText.Input.class), JacksonSdkType.of(Output.class));
  }

  @Override
  public Output expand(SdkWorkflowBuilder builder, GenerateText.Input input) {
    SdkBindingData<String> text =
        builder.apply("generate-text", new GenerateText(), input).getOutputs().text();
    TextInput textInput = TextInput.create(text);
    CountWords.Output counts =
        builder.apply("count-words", new CountWords(), textInput).getOutputs();
    MeasureWords.Output measures =
        builder.apply("measure-words", new MeasureWords(), textInput).getOutputs();
    SdkBindingData<Long> lines =
        builder.apply("count-lines", new CountLines(), textInput).getOutputs().lines();
    SdkBindingData<String> report =
        builder
            .apply(
                "format-report",
                new FormatReport(),
                FormatReport.Input.create(
                    counts.words(),
                    counts.distinctWords(),
                    counts.topWord(),
                    measures.longestWord(),
                    measures.averageLength()))
            .getOutputs()
            .report();
    return Output.create(report, counts.words(), counts.distinctWords(), lines);
  }

  @AutoValue
  public abstract static class Output {
    public abstract SdkBindingData<String> report();

    public abstract SdkBindingData<Long> words();

    public abstract SdkBindingData<Long> distinctWords();

    public abstract SdkBindingData<Long> lines();

    public static Output create(
        SdkBindingData<String> report,
        SdkBindingData<Long> words,
        SdkBindingData<Long> distinctWords,
        SdkBindingData<Long> lines) {
      return new AutoValue_WordStatsWorkflow_Output(report, words, distinctWords, lines);
    }
  }
}
