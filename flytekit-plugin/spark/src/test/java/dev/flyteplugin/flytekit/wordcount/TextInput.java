package dev.flyteplugin.flytekit.wordcount;

import com.google.auto.value.AutoValue;
import org.flyte.flytekit.SdkBindingData;

@AutoValue
public abstract class TextInput {
  public abstract SdkBindingData<String> text();

  public static TextInput create(SdkBindingData<String> text) {
    return new AutoValue_TextInput(text);
  }
}
