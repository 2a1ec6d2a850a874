package dev.flyteplugin.backend.testing;

import java.util.Map;

/**
 * A plugin's SIMULATED operator, found through ServiceLoader
 * ({@code @AutoService(OperatorSimulation.class)}): a declarative {@link OperatorScript} that the
 * shared engine ({@link SimulatedOperator}) plays against the in-process API server. For tests, the
 * agent's embedded mode and the examples.
 *
 * <p>PLUGIN AUTHOR SEAM: describe your operator's states, status fields and pods.
 */
public interface OperatorSimulation {

  /** What the simulated operator writes and makes. */
  OperatorScript script();

  /**
   * The plugin's settings in embedded mode unless the user sets them, as {@code plugin.key} to
   * value (e.g. log links that work on a laptop through {@code kubectl proxy}).
   */
  default Map<String, String> embeddedSettings() {
    return Map.of();
  }
}
