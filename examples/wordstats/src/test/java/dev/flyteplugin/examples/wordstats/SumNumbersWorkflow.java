package dev.flyteplugin.examples.wordstats;

import com.google.auto.service.AutoService;
import org.flyte.flytekit.SdkWorkflow;
import org.flyte.flytekit.SdkWorkflowBuilder;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** A test workflow of one plugin task ({@link SumNumbers}) over a given text. */
@AutoService(SdkWorkflow.class)
public class SumNumbersWorkflow extends SdkWorkflow<TextInput, SumNumbers.Output> {
  public SumNumbersWorkflow() {
    super(JacksonSdkType.of(TextInput.class), JacksonSdkType.of(SumNumbers.Output.class));
  }

  @Override
  public SumNumbers.Output expand(SdkWorkflowBuilder builder, TextInput input) {
    return builder.apply("sum-numbers", new SumNumbers(), input).getOutputs();
  }
}
