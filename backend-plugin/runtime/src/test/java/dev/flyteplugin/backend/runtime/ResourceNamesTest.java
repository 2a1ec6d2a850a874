package dev.flyteplugin.backend.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResourceNamesTest {
  @Test
  void namesAreReadableHashedDeterministicAndFit() {
    TaskRequest request = TestTasks.request("abc123", "n0", 2, TestTasks.outputPrefix("abc123", 2));
    String name = TaskIdentity.of(request, 50).name();

    assertThat(name).matches("abc123-n0-2-[0-9a-f]{10}");
    assertThat(TaskIdentity.of(request, 50)).isEqualTo(TaskIdentity.of(request, 50));
  }

  @Test
  void longAndOddIdsBecomeValidNamesWithinTheLimit() {
    String longName = "x".repeat(80);
    for (String execution : new String[] {"Upper_Case.Exec", longName, "-a-", "___"}) {
      TaskRequest request =
          TestTasks.request(execution, "n0", 0, TestTasks.outputPrefix(execution, 0));
      String name = TaskIdentity.of(request, 50).name();
      assertThat(name).hasSizeLessThanOrEqualTo(50).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    }
    assertThat(
            TaskIdentity.of(
                    TestTasks.request(longName, "n0", 0, TestTasks.outputPrefix(longName, 0)), 50)
                .name())
        .isNotEqualTo(
            TaskIdentity.of(
                    TestTasks.request(longName, "n0", 1, TestTasks.outputPrefix(longName, 1)), 50)
                .name());
  }

  @Test
  void executionNamesDifferingOnlyInCaseGetDifferentNames() {
    assertThat(TestTasks.nameOf(TestTasks.request("abc", 0)))
        .isNotEqualTo(TestTasks.nameOf(TestTasks.request("ABC", 0)));
  }

  @Test
  void theLineageIsTheOutputPrefixWithoutItsAttemptSegment() {
    assertThat(TaskIdentity.lineagePrefix("s3://b/m/x/n3/data/2", 2))
        .isEqualTo("s3://b/m/x/n3/data");
    assertThat(TaskIdentity.lineagePrefix("s3://b/m/x/n3/data/2/", 2))
        .isEqualTo("s3://b/m/x/n3/data");
    // Not propeller's layout: the prefix is a lineage of its own for this attempt.
    assertThat(TaskIdentity.lineagePrefix("s3://b/out/x", 2)).isNotEqualTo("s3://b/out");
    TaskIdentity first = TaskIdentity.of(TestTasks.request("e", 0), 50);
    TaskIdentity retry = TaskIdentity.of(TestTasks.request("e", 1), 50);
    assertThat(retry.lineageKey()).isEqualTo(first.lineageKey());
    assertThat(retry.attemptKey()).isNotEqualTo(first.attemptKey());
    assertThat(retry.name()).isNotEqualTo(first.name());
  }

  @Test
  void invalidLabelValuesAreFixedWithAHash() {
    assertThat(ResourceNames.labelValue("my.tasks.Job")).isEqualTo("my.tasks.Job");
    String fixed = ResourceNames.labelValue("a/b c" + "y".repeat(70));
    assertThat(ResourceNames.isLabelValue(fixed)).isTrue();
  }
}
