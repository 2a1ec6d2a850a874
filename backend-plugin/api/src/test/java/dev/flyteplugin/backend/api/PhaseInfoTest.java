package dev.flyteplugin.backend.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import flyteidl.core.Execution.ExecutionError;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PhaseInfoTest {

  @Test
  void failureFactoriesSayWhoFailedAndWhetherToRetry() {
    assertThat(PhaseInfo.retryableFailure("C", "m", TaskInfo.empty()))
        .satisfies(
            p -> {
              assertThat(p.phase()).isEqualTo(PluginPhase.RETRYABLE_FAILURE);
              assertThat(p.error().orElseThrow().getKind())
                  .isEqualTo(ExecutionError.ErrorKind.USER);
            });
    assertThat(PhaseInfo.systemRetryableFailure("C", "m", TaskInfo.empty()).error().orElseThrow())
        .extracting(ExecutionError::getKind)
        .isEqualTo(ExecutionError.ErrorKind.SYSTEM);
    assertThat(PhaseInfo.permanentFailure("C", "m", TaskInfo.empty()).phase())
        .isEqualTo(PluginPhase.PERMANENT_FAILURE);
    assertThat(PhaseInfo.systemPermanentFailure("C", "m", TaskInfo.empty()).error().orElseThrow())
        .extracting(ExecutionError::getCode, ExecutionError::getMessage, ExecutionError::getKind)
        .containsExactly("C", "m", ExecutionError.ErrorKind.SYSTEM);
  }

  @Test
  void aNonFailurePhaseCannotCarryAnErrorNorAFailureLackOne() {
    ExecutionError error = ExecutionError.newBuilder().setCode("x").build();
    assertThatThrownBy(
            () ->
                new PhaseInfo(
                    PluginPhase.RUNNING,
                    "r",
                    "m",
                    TaskInfo.empty(),
                    Optional.of(error),
                    Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                new PhaseInfo(
                    PluginPhase.PERMANENT_FAILURE,
                    "r",
                    "m",
                    TaskInfo.empty(),
                    Optional.empty(),
                    Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void occurredAtIsKeptAlongsideEverythingElse() {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    PhaseInfo p = PhaseInfo.success("done", TaskInfo.empty()).withOccurredAt(t);
    assertThat(p.occurredAt()).contains(t);
    assertThat(p.phase().isTerminal()).isTrue();
  }

  @Test
  void resourceIdentityKnowsItsApiVersion() {
    assertThat(
            ResourceIdentity.namespaced(
                    "sparkoperator.k8s.io", "v1beta2", "SparkApplication", "sparkapplications")
                .apiVersion())
        .isEqualTo("sparkoperator.k8s.io/v1beta2");
    assertThat(new ResourceIdentity("", "v1", "Pod", "pods", true).apiVersion()).isEqualTo("v1");
  }
}
