package dev.flyteplugin.backend.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import flyteidl.core.Execution.TaskExecution.Phase;
import flyteidl.core.Execution.TaskLog;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LastStatusesTest {
  private static TaskHandle handle(int i) {
    return new TaskHandle(
        new TaskCategory("test_job", 0),
        "flytesnacks-development",
        "exec" + i + "-n0-0-0123456789");
  }

  /** A status as a plugin reports it while running: one log link, one custom info field. */
  private static TaskStatus running(int i) {
    return new TaskStatus(
        Phase.RUNNING,
        "Running",
        "running",
        List.of(
            TaskLog.newBuilder()
                .setName("Spark driver")
                .setUri("https://logs.example/flytesnacks-development/exec" + i + "-driver")
                .build()),
        Struct.newBuilder()
            .putFields(
                "sparkDriverUI",
                Value.newBuilder().setStringValue("http://exec" + i + "-ui-svc:4040").build())
            .build(),
        Optional.empty());
  }

  @Test
  void theMapIsBoundedAndForgetsTheLeastRecentlyUsedFirst() {
    StatusReader.LastStatuses last = new StatusReader.LastStatuses(3);
    for (int i = 0; i < 3; i++) {
      last.put(handle(i), running(i));
    }
    last.get(handle(0)); // used: stays
    last.put(handle(3), running(3));

    assertThat(last.size()).isEqualTo(3);
    assertThat(last.get(handle(1))).isEmpty();
    assertThat(last.get(handle(0))).isPresent();
    assertThat(last.get(handle(3))).isPresent();
  }

  @Test
  void theDefaultCapacityHoldsTenThousandTasksInAFewMegabytes() {
    int capacity = RuntimeConfig.defaults().statusMemory();
    StatusReader.LastStatuses last = new StatusReader.LastStatuses(capacity);
    long before = usedHeap();
    for (int i = 0; i < capacity * 2; i++) {
      last.put(handle(i), running(i));
    }
    long after = usedHeap();

    assertThat(last.size()).isEqualTo(capacity);
    long perEntry = (after - before) / capacity;
    System.out.printf(
        "last-status map: %d entries, ~%d bytes each, ~%.1f MB%n",
        capacity, perEntry, (after - before) / 1e6);
    assertThat(after - before).isLessThan(32L * 1024 * 1024);
  }

  private static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return rt.totalMemory() - rt.freeMemory();
  }
}
