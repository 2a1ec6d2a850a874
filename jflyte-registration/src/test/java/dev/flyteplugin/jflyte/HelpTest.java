package dev.flyteplugin.jflyte;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every command answers --help and -h with its usage and exit code 0. */
class HelpTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "execute",
        "execute-dynamic-workflow",
        "execute-local",
        "serialize",
        "serialize workflows",
        "register",
        "register workflows"
      })
  void everyCommandHasHelp(String command) {
    for (String flag : new String[] {"--help", "-h"}) {
      String[] args = (command.isEmpty() ? flag : command + " " + flag).split(" ");
      JflyteTestRun run = JflyteTestRun.run(Map.of(), args);
      assertThat(run.exitCode()).as("exit code of jflyte %s", String.join(" ", args)).isZero();
      assertThat(run.out())
          .as("usage of jflyte %s", String.join(" ", args))
          .contains("Usage: jflyte");
      assertThat(run.err()).isEmpty();
    }
  }

  @org.junit.jupiter.api.Test
  void registerWorkflowsKeepsVersionForTheEntityVersion() {
    JflyteTestRun run = JflyteTestRun.run(Map.of(), "register", "workflows", "--help");
    assertThat(run.out()).contains("-v, --version=<version>").contains("Version of every");
  }
}
