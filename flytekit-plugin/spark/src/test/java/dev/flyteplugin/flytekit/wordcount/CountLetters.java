package dev.flyteplugin.flytekit.wordcount;

import com.google.auto.service.AutoService;
import com.google.auto.value.AutoValue;
import dev.flyteplugin.flytekit.ExamplePluginRunnableTask;
import dev.flyteplugin.flytekit.ExamplePluginTask;
import org.apache.spark.sql.SparkSession;
import org.flyte.flytekit.SdkBindingData;
import org.flyte.flytekit.SdkBindingDataFactory;
import org.flyte.flytekit.SdkRunnableTask;
import org.flyte.flytekit.jackson.JacksonSdkType;

/** A second plugin task with its own config: counts the letters of a text. */
@AutoService(SdkRunnableTask.class)
@SuppressWarnings("rawtypes")
@ExamplePluginTask(sparkVersion = "3.4.2", driverMemory = "2g", executorInstances = 2)
public class CountLetters extends ExamplePluginRunnableTask<TextInput, CountLetters.Output> {
  private static final long serialVersionUID = 1L;

  public CountLetters() {
    super(JacksonSdkType.of(TextInput.class), JacksonSdkType.of(Output.class));
  }

  @Override
  protected Output run(SparkSession spark, TextInput input) {
    return Output.create(
        SdkBindingDataFactory.of(input.text().get().chars().filter(Character::isLetter).count()));
  }

  @AutoValue
  public abstract static class Output {
    public abstract SdkBindingData<Long> letters();

    public static Output create(SdkBindingData<Long> letters) {
      return new AutoValue_CountLetters_Output(letters);
    }
  }
}
