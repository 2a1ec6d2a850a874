package dev.flyteplugin.backend.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ResourceNamesTest {
  private static final Pattern DNS1123 = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  @Test
  void aShortCleanIdKeepsItsReadableName() {
    assertThat(ResourceNames.resourceName(TestTasks.executionId("abc123", "n0", 2), 50))
        .isEqualTo("abc123-n0-2");
  }

  @Test
  void theSameAttemptAlwaysGetsTheSameName() {
    var id = TestTasks.executionId("Some_Execution.Name", "node-1", 0);
    assertThat(ResourceNames.resourceName(id, 50)).isEqualTo(ResourceNames.resourceName(id, 50));
  }

  @Test
  void attemptsOfOneNodeGetDifferentNames() {
    assertThat(ResourceNames.resourceName(TestTasks.executionId("e", "n0", 0), 50))
        .isNotEqualTo(ResourceNames.resourceName(TestTasks.executionId("e", "n0", 1), 50));
  }

  @Test
  void longOrUnusualIdsBecomeValidNamesWithinTheLimit() {
    String longName = "x".repeat(80);
    for (var id :
        new flyteidl.core.IdentifierOuterClass.TaskExecutionIdentifier[] {
          TestTasks.executionId(longName, "n0", 0),
          TestTasks.executionId(longName, "n0", 1),
          TestTasks.executionId("UPPER_case.dots", "Node_1", 3),
          TestTasks.executionId("---", "__", 0)
        }) {
      String name = ResourceNames.resourceName(id, 50);
      assertThat(name).hasSizeLessThanOrEqualTo(50).matches(DNS1123);
    }
    assertThat(ResourceNames.resourceName(TestTasks.executionId(longName, "n0", 0), 50))
        .isNotEqualTo(ResourceNames.resourceName(TestTasks.executionId(longName, "n0", 1), 50));
  }

  @Test
  void idsThatOnlyDifferInCaseDoNotCollide() {
    assertThat(ResourceNames.resourceName(TestTasks.executionId("abc", "n0", 0), 50))
        .isNotEqualTo(ResourceNames.resourceName(TestTasks.executionId("ABC", "n0", 0), 50));
  }

  @Test
  void labelValuesAreMadeValid() {
    assertThat(ResourceNames.labelValue("my.tasks.Job")).isEqualTo("my.tasks.Job");
    String fixed = ResourceNames.labelValue("a/b c" + "y".repeat(70));
    assertThat(ResourceNames.isLabelValue(fixed)).isTrue();
    assertThat(fixed).startsWith("a-b-c");
  }
}
