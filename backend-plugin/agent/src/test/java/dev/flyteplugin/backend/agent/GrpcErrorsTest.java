package dev.flyteplugin.backend.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flyteplugin.backend.api.PluginException.Kind;
import dev.flyteplugin.backend.runtime.TaskCategory;
import dev.flyteplugin.backend.runtime.TaskCreationException;
import dev.flyteplugin.backend.runtime.UnknownTaskTypeException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.grpc.Status;
import io.grpc.StatusException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GrpcErrorsTest {

  @ParameterizedTest
  @CsvSource({
    "INVALID_TASK, INVALID_ARGUMENT",
    "UNKNOWN_TASK_TYPE, NOT_FOUND",
    "FORBIDDEN, PERMISSION_DENIED",
    "QUOTA_EXCEEDED, RESOURCE_EXHAUSTED",
    "TRANSIENT, UNAVAILABLE"
  })
  void eachCreationFailureKindHasItsCodeAndKeepsTheMessage(Kind kind, Status.Code code) {
    StatusException status =
        GrpcErrors.toStatus(new TaskCreationException(kind, "spec.driver.cores: must be >= 1"));
    assertThat(status.getStatus().getCode()).isEqualTo(code);
    assertThat(status.getStatus().getDescription()).isEqualTo("spec.driver.cores: must be >= 1");
  }

  @ParameterizedTest
  @CsvSource({
    "503, UNAVAILABLE",
    "0, UNAVAILABLE",
    "403, PERMISSION_DENIED",
    "429, RESOURCE_EXHAUSTED"
  })
  void kubernetesApiErrorsMapToRetryableCodes(int http, Status.Code code) {
    StatusException status =
        GrpcErrors.toStatus(new KubernetesClientException("api server says no", http, null));
    assertThat(status.getStatus().getCode()).isEqualTo(code);
    assertThat(status.getStatus().getDescription()).contains("HTTP " + http);
  }

  @Test
  void anUnknownTaskTypeIsNotFound() {
    StatusException status =
        GrpcErrors.toStatus(
            new UnknownTaskTypeException(new TaskCategory("x", 1), "no plugin serves x@v1"));
    assertThat(status.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void anUnexpectedExceptionIsInternalWithItsClassNeverUnknown() {
    StatusException status = GrpcErrors.toStatus(new NullPointerException("oops"));
    assertThat(status.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(status.getStatus().getDescription()).contains("NullPointerException: oops");
  }
}
