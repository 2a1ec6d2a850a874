package dev.flyteplugin.jflyte.stage;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The staged artifact list inside a task template's {@code custom}, in the layout flytekit-java
 * 0.4.35 writes and reads (jflyte-utils JFlyteCustom.serializeToStruct / deserializeFromStruct):
 * {@code {"jflyte": {"artifacts": [{"name": "a.jar", "location": "s3://.../a-<md5>.jar"}]}}}. The
 * size is not written, as there.
 */
public final class JflyteCustom {
  public static final String FIELD = "jflyte";
  static final String ARTIFACTS = "artifacts";

  private JflyteCustom() {}

  /** The {@code custom} fields to merge into a task template. */
  public static Struct toStruct(List<Artifact> artifacts) {
    ListValue.Builder list = ListValue.newBuilder();
    for (Artifact artifact : artifacts) {
      list.addValues(
          Value.newBuilder()
              .setStructValue(
                  Struct.newBuilder()
                      .putFields("name", Value.newBuilder().setStringValue(artifact.name()).build())
                      .putFields(
                          "location",
                          Value.newBuilder().setStringValue(artifact.location()).build())));
    }
    Struct jflyte =
        Struct.newBuilder()
            .putFields(ARTIFACTS, Value.newBuilder().setListValue(list).build())
            .build();
    return Struct.newBuilder()
        .putFields(FIELD, Value.newBuilder().setStructValue(jflyte).build())
        .build();
  }

  /**
   * The artifacts of a task template's custom; empty when it has no {@code jflyte} field (the
   * task's jars are in the image).
   *
   * @throws IllegalArgumentException when the field is there but malformed, naming the part
   */
  public static Optional<List<Artifact>> fromCustom(Struct custom) {
    Value jflyte = custom.getFieldsMap().get(FIELD);
    if (jflyte == null) {
      return Optional.empty();
    }
    if (!jflyte.hasStructValue()) {
      throw new IllegalArgumentException(
          "task template custom 'jflyte' must be a struct, got " + jflyte.getKindCase());
    }
    Value artifacts = jflyte.getStructValue().getFieldsMap().get(ARTIFACTS);
    if (artifacts == null || !artifacts.hasListValue()) {
      throw new IllegalArgumentException(
          "task template custom 'jflyte.artifacts' must be a list, got "
              + (artifacts == null ? "nothing" : artifacts.getKindCase()));
    }
    List<Artifact> result = new ArrayList<>();
    for (Value value : artifacts.getListValue().getValuesList()) {
      if (!value.hasStructValue()) {
        throw new IllegalArgumentException(
            "task template custom 'jflyte.artifacts[" + result.size() + "]' must be a struct");
      }
      var fields = value.getStructValue().getFieldsMap();
      result.add(
          new Artifact(
              fields.getOrDefault("name", Value.getDefaultInstance()).getStringValue(),
              fields.getOrDefault("location", Value.getDefaultInstance()).getStringValue()));
    }
    return Optional.of(List.copyOf(result));
  }
}
