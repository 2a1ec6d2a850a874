package dev.flyteplugin.backend.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Struct;
import dev.flyteplugin.backend.runtime.TaskStatus;
import flyteidl.admin.AgentOuterClass.AgentError;
import flyteidl.admin.AgentOuterClass.Resource;
import flyteidl.core.Execution.ExecutionError;
import flyteidl.core.Execution.TaskExecution;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The release setting and what GetTask answers for each failure under it. */
class FlyteReleaseTest {
  private static final FlyteRelease V1_15_1 = FlyteRelease.parse("1.15.1");
  private static final FlyteRelease V1_16_0 = FlyteRelease.parse("v1.16");

  @Test
  void parsesAndOrdersReleases() {
    assertThat(FlyteRelease.parse("1.16.8")).isGreaterThan(V1_16_0);
    assertThat(V1_16_0).isGreaterThan(V1_15_1).hasToString("1.16.0");
    assertThat(V1_15_1.understandsRetryableFailed()).isFalse();
    assertThat(V1_16_0.understandsRetryableFailed()).isTrue();
    assertThat(FlyteRelease.parse("1.13.0")).isEqualTo(FlyteRelease.FIRST_AGENT_PLUGIN);
    assertThatThrownBy(() -> FlyteRelease.parse("1.12.3")).hasMessageContaining("1.13.0");
    assertThatThrownBy(() -> FlyteRelease.parse("2.1.0")).hasMessageContaining("Flyte 2");
  }

  @Test
  void aRetryableFailureIsRetryableFailedFrom116AndFailedSayingSoBefore() {
    TaskStatus retryable =
        failure(TaskExecution.Phase.RETRYABLE_FAILED, "ResourceDeletedExternally", "gone");

    Resource modern = AsyncAgentService.toResource(retryable, V1_16_0);
    assertThat(modern.getPhase()).isEqualTo(TaskExecution.Phase.RETRYABLE_FAILED);
    assertThat(modern.getMessage())
        .isEqualTo("[ResourceDeletedExternally] retryable failure: gone");

    Resource old = AsyncAgentService.toResource(retryable, V1_15_1);
    assertThat(old.getPhase()).isEqualTo(TaskExecution.Phase.FAILED);
    assertThat(old.getMessage())
        .startsWith("[ResourceDeletedExternally] retryable failure, reported as permanent")
        .endsWith(": gone");
    assertThat(old.getAgentError().getKind()).isEqualTo(AgentError.Kind.RECOVERABLE);
  }

  @Test
  void everyFailureCarriesItsReasonInTheMessageUnderEverySetting() {
    for (FlyteRelease release : List.of(FlyteRelease.FIRST_AGENT_PLUGIN, V1_15_1, V1_16_0)) {
      for (TaskExecution.Phase phase :
          List.of(
              TaskExecution.Phase.FAILED,
              TaskExecution.Phase.RETRYABLE_FAILED,
              TaskExecution.Phase.ABORTED)) {
        Resource resource =
            AsyncAgentService.toResource(failure(phase, "SparkDriverFailed", "oom"), release);
        assertThat(resource.getMessage())
            .as("%s %s", release, phase)
            .startsWith("[SparkDriverFailed] ");
        assertThat(resource.getMessage()).endsWith("oom");
      }
      TaskStatus permanent = failure(TaskExecution.Phase.FAILED, "BadTaskFormat", "422");
      assertThat(AsyncAgentService.toResource(permanent, release).getMessage())
          .isEqualTo("[BadTaskFormat] permanent failure: 422");
    }
    Resource running =
        AsyncAgentService.toResource(
            new TaskStatus(
                TaskExecution.Phase.RUNNING,
                "",
                "driver up",
                List.of(),
                Struct.getDefaultInstance(),
                Optional.empty()),
            V1_15_1);
    assertThat(running.getMessage()).isEqualTo("driver up");
    assertThat(running.hasAgentError()).isFalse();
  }

  private static TaskStatus failure(TaskExecution.Phase phase, String reason, String message) {
    return new TaskStatus(
        phase,
        reason,
        message,
        List.of(),
        Struct.getDefaultInstance(),
        Optional.of(
            ExecutionError.newBuilder()
                .setCode(reason)
                .setMessage(message)
                .setKind(ExecutionError.ErrorKind.SYSTEM)
                .build()));
  }
}
