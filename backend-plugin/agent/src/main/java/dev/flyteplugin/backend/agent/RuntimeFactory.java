package dev.flyteplugin.backend.agent;

import dev.flyteplugin.backend.runtime.TaskRuntime;

/** Builds the runtime the agent serves: against a real cluster, or the embedded simulation. */
interface RuntimeFactory {
  TaskRuntime open(RuntimeOptions options) throws Exception;

  static RuntimeFactory cluster() {
    throw new UnsupportedOperationException("wired once the Kubernetes runtime lands");
  }

  static RuntimeFactory embedded() {
    throw new UnsupportedOperationException("wired once the Kubernetes runtime lands");
  }
}
