package dev.flyteplugin.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.flyte.api.v1.Literal;
import org.flyte.api.v1.LiteralType;
import org.flyte.api.v1.SimpleType;
import org.flyte.api.v1.Variable;
import org.junit.jupiter.api.Test;

class LiteralsTest {
  private static Variable of(SimpleType type) {
    return Variable.builder().literalType(LiteralType.ofSimpleType(type)).description("").build();
  }

  @Test
  void inputsAreParsedByTheDeclaredType() {
    assertThat(
            Literals.parse("n", " 42 ", of(SimpleType.INTEGER)).scalar().primitive().integerValue())
        .isEqualTo(42);
    assertThat(Literals.parse("x", "0.5", of(SimpleType.FLOAT)).scalar().primitive().floatValue())
        .isEqualTo(0.5);
    assertThat(
            Literals.parse("b", "TRUE", of(SimpleType.BOOLEAN)).scalar().primitive().booleanValue())
        .isTrue();
    assertThat(
            Literals.parse("d", "PT30S", of(SimpleType.DURATION)).scalar().primitive().duration())
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(
            Literals.parse("s", " keep spaces ", of(SimpleType.STRING))
                .scalar()
                .primitive()
                .stringValue())
        .isEqualTo(" keep spaces ");
  }

  @Test
  void aWrongValueNamesTheInputAndShowsAnExample() {
    assertThatThrownBy(() -> Literals.parse("lines", "many", of(SimpleType.INTEGER)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("input 'lines' must be a whole number, e.g. 42, got 'many'");
    assertThatThrownBy(() -> Literals.parse("when", "yesterday", of(SimpleType.DATETIME)))
        .hasMessageContaining("input 'when' must be an ISO-8601 instant");
    assertThatThrownBy(() -> Literals.parse("flag", "yes", of(SimpleType.BOOLEAN)))
        .hasMessage("input 'flag' must be true or false, got 'yes'");
  }

  @Test
  void outputsAreShownOnOneLine() {
    Literal n = Literals.parse("n", "7", of(SimpleType.INTEGER));
    Literal s = Literals.parse("s", "a b", of(SimpleType.STRING));
    assertThat(Literals.display(Map.of("n", n))).isEqualTo("{n=7}");
    assertThat(Literals.display(Literal.ofCollection(java.util.List.of(n, s))))
        .isEqualTo("[7, a b]");
  }
}
