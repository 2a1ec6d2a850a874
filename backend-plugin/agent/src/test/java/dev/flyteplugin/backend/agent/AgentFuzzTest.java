package dev.flyteplugin.backend.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.flyteplugin.backend.runtime.TaskHandle;
import flyteidl.admin.AgentOuterClass.CreateTaskRequest;
import flyteidl.admin.AgentOuterClass.CreateTaskResponse;
import flyteidl.admin.AgentOuterClass.TaskExecutionMetadata;
import flyteidl.core.Tasks.TaskTemplate;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.lang.management.ManagementFactory;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Property-based checks (fixed seeds) of what a caller controls: {@code resource_meta} bytes and
 * CreateTaskRequest contents. Arbitrary input raises only the documented errors ({@link
 * ResourceMetaException}; INVALID_ARGUMENT / NOT_FOUND for a request), and decoding allocates a
 * bounded amount whatever the input says its lengths are.
 */
class AgentFuzzTest {
  private static final ResourceMetaCodec CODEC =
      new ResourceMetaCodec("fuzz-hmac-key-0123456789abcdef012".getBytes());
  private static final TaskHandle HANDLE =
      new TaskHandle(RecordingRuntime.EXAMPLE, "flytesnacks-development", "fabc-n0-0-1a2b3c4d");
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  @Property(tries = 3000, seed = "20261202")
  void arbitraryMetaBytesAreRejectedWithResourceMetaExceptionInBoundedMemory(
      @ForAll @Size(max = 70_000) byte[] bytes) {
    long before = THREADS.getCurrentThreadAllocatedBytes();
    assertThatThrownBy(() -> CODEC.decodeMeta(bytes))
        .isInstanceOf(ResourceMetaException.class)
        .hasMessageContaining("resource_meta");
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
    // A copy of the input at most, plus the exception: never what a length field claims.
    assertThat(allocated).isLessThan(2L * bytes.length + (256 << 10));
  }

  @Property(tries = 2000, seed = "20261202")
  void aValidMetaChangedAnywhereIsRejected(
      @ForAll @IntRange(min = 0, max = 200) int position,
      @ForAll @IntRange(min = 1, max = 255) int xor,
      @ForAll("mutations") int mutation) {
    byte[] valid = CODEC.encode(HANDLE);
    byte[] changed =
        switch (mutation) {
          case 0 -> flip(valid, position % valid.length, xor);
          case 1 -> java.util.Arrays.copyOf(valid, position % valid.length);
          default -> appended(valid, (byte) xor);
        };
    assertThatThrownBy(() -> CODEC.decodeMeta(changed)).isInstanceOf(ResourceMetaException.class);
  }

  @Property(tries = 3000, seed = "20261202")
  void arbitraryRequestBytesEitherFailToParseOrGetADocumentedAnswer(
      @ForAll @Size(max = 2048) byte[] bytes) {
    CreateTaskRequest request;
    try {
      request = CreateTaskRequest.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      return; // gRPC's marshaller refuses it before the service sees it
    }
    assertDocumentedAnswer(request);
  }

  @Property(tries = 2000, seed = "20261202")
  void structuredRequestsGetADocumentedAnswer(@ForAll("requests") CreateTaskRequest request) {
    assertDocumentedAnswer(request);
  }

  @org.junit.jupiter.api.Test
  void callerChosenTaskTypesDoNotGrowTheMetricsRegistry() {
    RecordingRuntime runtime = new RecordingRuntime();
    runtime.create = (r, d) -> HANDLE;
    PrometheusRegistry registry = new PrometheusRegistry();
    AsyncAgentService service =
        new AsyncAgentService(runtime, CODEC, new AgentMetrics(registry), Runnable::run);
    for (int i = 0; i < 1000; i++) {
      service.createTask(
          CreateTaskRequest.newBuilder()
              .setTemplate(TaskTemplate.newBuilder().setType("type-" + i))
              .setOutputPrefix("s3://b/p")
              .setTaskExecutionMetadata(TaskExecutionMetadata.getDefaultInstance())
              .build(),
          new StreamObserver<>() {
            @Override
            public void onNext(CreateTaskResponse value) {}

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
          });
    }
    java.util.Set<String> labels = new java.util.HashSet<>();
    registry.scrape().stream()
        .flatMap(m -> m.getDataPoints().stream())
        .forEach(p -> labels.add(p.getLabels().get("task_type")));
    assertThat(labels).containsOnly("unknown");
  }

  private static void assertDocumentedAnswer(CreateTaskRequest request) {
    RecordingRuntime runtime = new RecordingRuntime();
    runtime.create = (r, d) -> HANDLE;
    AsyncAgentService service =
        new AsyncAgentService(
            runtime, CODEC, new AgentMetrics(new PrometheusRegistry()), Runnable::run);
    AtomicReference<Object> outcome = new AtomicReference<>();
    service.createTask(
        request,
        new StreamObserver<>() {
          @Override
          public void onNext(CreateTaskResponse value) {
            outcome.set(value);
          }

          @Override
          public void onError(Throwable t) {
            outcome.set(t);
          }

          @Override
          public void onCompleted() {}
        });
    Object answer = outcome.get();
    assertThat(answer).isNotNull();
    if (answer instanceof Throwable t) {
      Status status = Status.fromThrowable(t);
      assertThat(status.getCode())
          .as("%s", status)
          .isIn(Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND);
      assertThat(status.getDescription()).isNotBlank();
    } else {
      assertThat(((CreateTaskResponse) answer).getResourceMeta().size()).isLessThan(200);
    }
  }

  @Provide
  Arbitrary<Integer> mutations() {
    return Arbitraries.integers().between(0, 2);
  }

  @Provide
  Arbitrary<CreateTaskRequest> requests() {
    Arbitrary<String> type =
        Arbitraries.oneOf(
            Arbitraries.of("", "example_plugin", " ", "spark"),
            Arbitraries.strings().ofMaxLength(30));
    Arbitrary<Integer> version = Arbitraries.of(0, 1, -1, Integer.MAX_VALUE);
    Arbitrary<String> prefix =
        Arbitraries.oneOf(
            Arbitraries.of("", " ", "s3://bucket/metadata/x/n0/data/0"),
            Arbitraries.strings().ofMaxLength(300));
    Arbitrary<Optional<String>> namespace =
        Arbitraries.oneOf(
            Arbitraries.just(Optional.empty()),
            Arbitraries.strings().ofMaxLength(80).map(Optional::of));
    Arbitrary<Boolean> hasTemplate = Arbitraries.of(true, true, false);
    return Combinators.combine(type, version, prefix, namespace, hasTemplate)
        .as(
            (t, v, p, ns, withTemplate) -> {
              CreateTaskRequest.Builder b = CreateTaskRequest.newBuilder().setOutputPrefix(p);
              if (withTemplate) {
                b.setTemplate(TaskTemplate.newBuilder().setType(t).setTaskTypeVersion(v));
              }
              ns.ifPresent(
                  n ->
                      b.setTaskExecutionMetadata(
                          TaskExecutionMetadata.newBuilder().setNamespace(n)));
              return b.build();
            });
  }

  private static byte[] flip(byte[] bytes, int at, int xor) {
    byte[] copy = bytes.clone();
    copy[at] = (byte) (copy[at] ^ xor);
    return copy;
  }

  private static byte[] appended(byte[] bytes, byte extra) {
    byte[] copy = java.util.Arrays.copyOf(bytes, bytes.length + 1);
    copy[bytes.length] = extra;
    return copy;
  }
}
