package dev.flyteplugin.backend.agent;

import flyteidl.core.Literals.Literal;
import flyteidl.core.Literals.LiteralMap;
import flyteidl.core.Literals.Primitive;
import flyteidl.core.Literals.Scalar;

/** The agent under test with its real runtime, on the embedded API server with the simulation. */
final class AgentHarness {
  static final String SUCCEEDING_TASK = "dev.flyteplugin.backend.agent.tasks.SquareTask";
  static final String SLOW_TASK = "dev.flyteplugin.backend.agent.tasks.SlowTask";
  static final String FAILING_TASK = "dev.flyteplugin.backend.agent.tasks.FailingTask";

  private AgentHarness() {}

  static LiteralMap inputs(long n) {
    return LiteralMap.newBuilder().putLiterals("n", integer(n)).build();
  }

  static long expectedOutput(long n) {
    return n * n;
  }

  static long outputOf(LiteralMap outputs) {
    return outputs.getLiteralsOrThrow("square").getScalar().getPrimitive().getInteger();
  }

  static Literal integer(long value) {
    return Literal.newBuilder()
        .setScalar(Scalar.newBuilder().setPrimitive(Primitive.newBuilder().setInteger(value)))
        .build();
  }
}
