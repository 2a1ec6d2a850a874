package dev.flyteplugin.backend.agent;

import picocli.CommandLine;

/**
 * Starts the agent as {@code flyte-agent ARGS} does, in this JVM, and returns the running server
 * (the caller closes it): the benchmark times cluster mode's start to SERVING with it.
 */
public final class ClusterModeAgent {
  private ClusterModeAgent() {}

  public static AgentServer start(String... args) throws Exception {
    AgentMain main = new AgentMain();
    new CommandLine(main).parseArgs(args);
    return main.start();
  }
}
