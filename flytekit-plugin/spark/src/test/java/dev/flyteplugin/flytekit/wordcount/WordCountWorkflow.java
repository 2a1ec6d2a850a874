package dev.flyteplugin.flytekit.wordcount;

import com.google.auto.service.AutoService;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkWorkflow;
import org.flyte.flytekit.SdkWorkflowBuilder;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** Two plugin tasks feeding one plain task. */
@AutoService(SdkWorkflow.class)
@SuppressWarnings("rawtypes")
public class WordCountWorkflow extends SdkWorkflow<TextInput, Report.Output> {
  public WordCountWorkflow() {
    super(JacksonSdkType.of(TextInput.class), JacksonSdkType.of(Report.Output.class));
  }

  @Override
  public Report.Output expand(SdkWorkflowBuilder builder, TextInput input) {
    SdkBindingData<Long> words =
        builder.apply("count-words", new CountWords(), input).getOutputs().words();
    SdkBindingData<Long> letters =
        builder.apply("count-letters", new CountLetters(), input).getOutputs().letters();
    return builder.apply("report", new Report(), Report.Input.create(words, letters)).getOutputs();
  }
}
