package dev.flyteplugin.flytekit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.flyte.flytekit.SdkStruct;
import org.junit.jupiter.api.Test;

class StructsTest {
  private static final Struct NESTED =
      Struct.newBuilder().putFields("key", Value.newBuilder().setStringValue("v").build()).build();

  private static final Struct EVERY_KIND =
      Struct.newBuilder()
          .putFields("s", Value.newBuilder().setStringValue("text").build())
          .putFields("n", Value.newBuilder().setNumberValue(2.5).build())
          .putFields("b", Value.newBuilder().setBoolValue(true).build())
          .putFields("nil", Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build())
          .putFields("o", Value.newBuilder().setStructValue(NESTED).build())
          .putFields("strings", list(Value.newBuilder().setStringValue("a").build(), nullValue()))
          .putFields("numbers", list(Value.newBuilder().setNumberValue(1).build()))
          .putFields("bools", list(Value.newBuilder().setBoolValue(false).build()))
          .putFields("objects", list(Value.newBuilder().setStructValue(NESTED).build()))
          .putFields("empty", list())
          .build();

  @Test
  void protobufAndFlyteStructsConvertBothWaysWithoutLoss() {
    org.flyte.api.v1.Struct flyte = Structs.toFlyte(EVERY_KIND);

    assertThat(flyte.fields().get("s"))
        .isEqualTo(org.flyte.api.v1.Struct.Value.ofStringValue("text"));
    assertThat(flyte.fields().get("n")).isEqualTo(org.flyte.api.v1.Struct.Value.ofNumberValue(2.5));
    assertThat(flyte.fields().get("nil")).isEqualTo(org.flyte.api.v1.Struct.Value.ofNullValue());
    assertThat(flyte.fields().get("o").structValue().fields().get("key").stringValue())
        .isEqualTo("v");
    assertThat(Structs.toProtobuf(flyte)).isEqualTo(EVERY_KIND);
  }

  @Test
  void sdkStructHoldsTheSameFields() {
    SdkStruct nested = SdkStruct.builder().addStringField("key", "v").build();
    SdkStruct expected =
        SdkStruct.builder()
            .addStringField("s", "text")
            .addFloatField("n", 2.5)
            .addBooleanField("b", true)
            .addStringField("nil", null)
            .addStructField("o", nested)
            .addStringCollectionField("strings", Arrays.asList("a", null))
            .addFloatCollectionField("numbers", List.of(1.0))
            .addBooleanCollectionField("bools", List.of(false))
            .addStructCollectionField("objects", List.of(nested))
            .addStringCollectionField("empty", List.of())
            .build();

    assertThat(Structs.toSdkStruct(EVERY_KIND)).isEqualTo(expected);
  }

  @Test
  void sdkStructRefusesListsItsBuilderCannotExpressNamingTheField() {
    Struct mixed =
        Struct.newBuilder()
            .putFields(
                "o",
                Value.newBuilder()
                    .setStructValue(
                        Struct.newBuilder()
                            .putFields(
                                "mixed",
                                list(
                                    Value.newBuilder().setStringValue("a").build(),
                                    Value.newBuilder().setNumberValue(1).build())))
                    .build())
            .build();
    Struct nestedLists = Struct.newBuilder().putFields("lists", list(list(nullValue()))).build();

    assertThatThrownBy(() -> Structs.toSdkStruct(mixed))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("o.mixed: a list mixing");
    assertThatThrownBy(() -> Structs.toSdkStruct(nestedLists))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("lists: a list of lists cannot be put in an SdkStruct");
  }

  @Test
  void emptyStructsStayEmpty() {
    assertThat(Structs.toFlyte(Struct.getDefaultInstance()))
        .isEqualTo(org.flyte.api.v1.Struct.of(Map.of()));
    assertThat(Structs.toSdkStruct(Struct.getDefaultInstance())).isEqualTo(SdkStruct.empty());
  }

  private static Value list(Value... values) {
    return Value.newBuilder()
        .setListValue(ListValue.newBuilder().addAllValues(List.of(values)))
        .build();
  }

  private static Value nullValue() {
    return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
  }
}
