package dev.flyteplugin.backend.agent;

import flyteidl.core.Literals.Literal;
import flyteidl.core.Literals.LiteralMap;
import flyteidl.core.Literals.Primitive;
import flyteidl.core.Literals.Scalar;

final class AgentHarness {
  private AgentHarness() {}

  static LiteralMap inputs(long n) {
    return LiteralMap.newBuilder()
        .putLiterals(
            "n",
            Literal.newBuilder()
                .setScalar(Scalar.newBuilder().setPrimitive(Primitive.newBuilder().setInteger(n)))
                .build())
        .build();
  }
}
