package dev.flyteplugin.backend.agent;

/** Embedded mode: the in-process API server and the simulated Spark operator. */
final class EmbeddedMode {
  private EmbeddedMode() {}

  static RuntimeFactory factory() {
    return options -> {
      throw new IllegalStateException("embedded mode is not wired to the simulated operator yet");
    };
  }
}
