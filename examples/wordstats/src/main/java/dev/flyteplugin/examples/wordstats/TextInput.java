package dev.flyteplugin.examples.wordstats;

import com.google.auto.value.AutoValue;
import org.flyte.flytekit.SdkBindingData;

/** The input of both plugin tasks: a text. */
@AutoValue
public abstract class TextInput {
  public abstract SdkBindingData<String> text();

  public static TextInput create(SdkBindingData<String> text) {
    return new AutoValue_TextInput(text);
  }
}
