package dev.flyteplugin.jflyte.serialize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import flyteidl.core.IdentifierOuterClass.ResourceType;
import flyteidl.core.Literals;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.flyte.api.v1.Literal;
import org.flyte.api.v1.PartialTaskIdentifier;
import org.flyte.api.v1.Primitive;
import org.flyte.api.v1.Scalar;
import org.flyte.api.v1.Struct;
import org.junit.jupiter.api.Test;

class ProtoConverterTest {
  final ProtoConverter converter =
      new ProtoConverter(new IdentifierDefaults("flytesnacks", "development", "v1"));

  @Test
  void partialReferencesTakeTheDefaultsAndExplicitOnesAreKept() {
    assertThat(
            converter.identifier(
                ResourceType.TASK, PartialTaskIdentifier.builder().name("t").build()))
        .satisfies(
            id -> {
              assertThat(id.getProject()).isEqualTo("flytesnacks");
              assertThat(id.getVersion()).isEqualTo("v1");
            });
    assertThat(
            converter
                .identifier(
                    ResourceType.TASK,
                    PartialTaskIdentifier.builder()
                        .name("t")
                        .project("other")
                        .domain("production")
                        .version("7")
                        .build())
                .getVersion())
        .isEqualTo("7");
  }

  @Test
  void aRemoteReferenceWithoutVersionIsRejectedWithTheFix() {
    assertThatThrownBy(
            () ->
                converter.identifier(
                    ResourceType.TASK,
                    PartialTaskIdentifier.builder().name("remote.Task").project("other").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("remote.Task")
        .hasMessageContaining("explicit version");
  }

  @Test
  void bindingsAreWrittenInVariableOrderWhateverOrderFlytekitListsThem() {
    // flytekit-java lists outputs in reflection order, which differs between JVM runs.
    org.flyte.api.v1.Binding b = output("words");
    org.flyte.api.v1.Binding a = output("distinctWords");
    org.flyte.api.v1.Node node =
        org.flyte.api.v1.Node.builder()
            .id("n1")
            .upstreamNodeIds(List.of("n0", "a0"))
            .inputs(List.of(b, a))
            .taskNode(
                org.flyte.api.v1.TaskNode.builder()
                    .referenceId(PartialTaskIdentifier.builder().name("t").build())
                    .build())
            .build();
    var proto = new ProtoConverter(new IdentifierDefaults("p", "d", "v")).node(node);
    assertThat(proto.getInputsList())
        .extracting(flyteidl.core.Literals.Binding::getVar)
        .containsExactly("distinctWords", "words");
    assertThat(proto.getUpstreamNodeIdsList()).containsExactly("a0", "n0");
  }

  private static org.flyte.api.v1.Binding output(String var) {
    return org.flyte.api.v1.Binding.builder()
        .var_(var)
        .binding(
            org.flyte.api.v1.BindingData.ofOutputReference(
                org.flyte.api.v1.OutputReference.builder().nodeId("n0").var(var).build()))
        .build();
  }

  @Test
  void literalsRoundTripThroughProto() {
    Map<String, Literal> literals =
        Map.of(
            "i", Literal.ofScalar(Scalar.ofPrimitive(Primitive.ofIntegerValue(3))),
            "s", Literal.ofScalar(Scalar.ofPrimitive(Primitive.ofStringValue("x"))),
            "t",
                Literal.ofScalar(
                    Scalar.ofPrimitive(Primitive.ofDatetime(Instant.ofEpochSecond(5, 6)))),
            "d",
                Literal.ofScalar(Scalar.ofPrimitive(Primitive.ofDuration(Duration.ofMillis(1500)))),
            "l",
                Literal.ofCollection(
                    List.of(Literal.ofScalar(Scalar.ofPrimitive(Primitive.ofBooleanValue(true))))),
            "g",
                Literal.ofScalar(
                    Scalar.ofGeneric(Struct.of(Map.of("n", Struct.Value.ofNumberValue(1.5))))));

    Literals.LiteralMap proto = ProtoConverter.literalMap(literals);

    assertThat(ProtoConverter.fromLiteralMap(proto)).isEqualTo(literals);
  }

  @Test
  void anInputKindFlytekitJavaLacksIsAnErrorNamingTheInput() {
    Literals.LiteralMap map =
        Literals.LiteralMap.newBuilder()
            .putLiterals(
                "u",
                Literals.Literal.newBuilder()
                    .setScalar(
                        Literals.Scalar.newBuilder()
                            .setNoneType(Literals.Void.getDefaultInstance()))
                    .build())
            .build();

    assertThatThrownBy(() -> ProtoConverter.fromLiteralMap(map))
        .hasMessageContaining("input 'u'")
        .hasMessageContaining("NONE_TYPE");
  }

  @Test
  void memoryLimitsBecomeJvmSizes() {
    assertThat(TaskTemplates.javaMemory("t", "1Gi")).isEqualTo("1g");
    assertThat(TaskTemplates.javaMemory("t", "1.5Gi")).isEqualTo("2g");
    assertThat(TaskTemplates.javaMemory("t", "512M")).isEqualTo("512000000");
    assertThatThrownBy(() -> TaskTemplates.javaMemory("t", "1Qb"))
        .hasMessageContaining("unit 'Qb'");
  }

  @Test
  void blankProjectNamesTheOptionToSet() {
    assertThatThrownBy(() -> new IdentifierDefaults(" ", "d", "v"))
        .hasMessageContaining("project is empty")
        .hasMessageContaining("FLYTE_INTERNAL_PROJECT");
  }
}
