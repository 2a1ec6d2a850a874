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
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Property checks over generated input (a fixed seed, so a failure reproduces) of what a caller
 * controls: {@code resource_meta} bytes and CreateTaskRequest contents. Arbitrary input raises only
 * the documented errors ({@link ResourceMetaException}; INVALID_ARGUMENT / NOT_FOUND for a
 * request), and decoding allocates a bounded amount whatever the input says its lengths are.
 */
class AgentFuzzTest {
  private static final ResourceMetaCodec CODEC =
      new ResourceMetaCodec("fuzz-hmac-key-0123456789abcdef012".getBytes());
  private static final TaskHandle HANDLE =
      new TaskHandle(RecordingRuntime.EXAMPLE, "flytesnacks-development", "fabc-n0-0-1a2b3c4d");
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private static final long SEED = 20261202L;

  @Test
  void arbitraryMetaBytesAreRejectedWithResourceMetaExceptionInBoundedMemory() {
    Random random = new Random(SEED);
    for (int i = 0; i < 3000; i++) {
      byte[] bytes = bytes(random, random.nextInt(4) == 0 ? 70_000 : 300);
      long before = THREADS.getCurrentThreadAllocatedBytes();
      assertThatThrownBy(() -> CODEC.decodeMeta(bytes))
          .isInstanceOf(ResourceMetaException.class)
          .hasMessageContaining("resource_meta");
      long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
      // A copy of the input at most, plus the exception: never what a length field claims.
      assertThat(allocated).isLessThan(2L * bytes.length + (256 << 10));
    }
  }

  @Test
  void aValidMetaChangedAnywhereIsRejected() {
    Random random = new Random(SEED);
    byte[] valid = CODEC.encode(HANDLE);
    for (int i = 0; i < 2000; i++) {
      int position = random.nextInt(valid.length);
      int xor = 1 + random.nextInt(255);
      byte[] changed =
          switch (random.nextInt(3)) {
            case 0 -> flip(valid, position, xor);
            case 1 -> java.util.Arrays.copyOf(valid, position);
            default -> appended(valid, (byte) xor);
          };
      assertThatThrownBy(() -> CODEC.decodeMeta(changed))
          .as("mutation %d", i)
          .isInstanceOf(ResourceMetaException.class);
    }
  }

  @Test
  void arbitraryRequestBytesEitherFailToParseOrGetADocumentedAnswer() {
    Random random = new Random(SEED);
    for (int i = 0; i < 3000; i++) {
      CreateTaskRequest request;
      try {
        request = CreateTaskRequest.parseFrom(bytes(random, 2048));
      } catch (InvalidProtocolBufferException e) {
        continue; // gRPC's marshaller refuses it before the service sees it
      }
      assertDocumentedAnswer(request);
    }
  }

  @Test
  void structuredRequestsGetADocumentedAnswer() {
    Random random = new Random(SEED);
    for (int i = 0; i < 2000; i++) {
      assertDocumentedAnswer(request(random));
    }
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

  /** A request with each field picked among edge cases and random text. */
  private static CreateTaskRequest request(Random random) {
    String type =
        random.nextBoolean()
            ? pick(random, "", "example_plugin", " ", "spark")
            : string(random, 30);
    int version = pick(random, 0, 1, -1, Integer.MAX_VALUE);
    String prefix =
        random.nextBoolean()
            ? pick(random, "", " ", "s3://bucket/metadata/x/n0/data/0")
            : string(random, 300);
    CreateTaskRequest.Builder b = CreateTaskRequest.newBuilder().setOutputPrefix(prefix);
    if (random.nextInt(3) > 0) {
      b.setTemplate(TaskTemplate.newBuilder().setType(type).setTaskTypeVersion(version));
    }
    if (random.nextBoolean()) {
      b.setTaskExecutionMetadata(
          TaskExecutionMetadata.newBuilder().setNamespace(string(random, 80)));
    }
    return b.build();
  }

  @SafeVarargs
  private static <T> T pick(Random random, T... choices) {
    return choices[random.nextInt(choices.length)];
  }

  /** Up to {@code maxLength} bytes, short lengths more often (as a length field would claim). */
  private static byte[] bytes(Random random, int maxLength) {
    byte[] bytes = new byte[random.nextInt(maxLength + 1)];
    random.nextBytes(bytes);
    return bytes;
  }

  /** Up to {@code maxLength} characters, ASCII and beyond (control characters, CJK, surrogates). */
  private static String string(Random random, int maxLength) {
    StringBuilder out = new StringBuilder();
    int length = random.nextInt(maxLength + 1);
    for (int i = 0; i < length; i++) {
      out.append(
          switch (random.nextInt(4)) {
            case 0 -> (char) random.nextInt(32);
            case 1 -> (char) (0x4e00 + random.nextInt(0x5000));
            case 2 -> (char) (0xd800 + random.nextInt(0x800));
            default -> (char) (32 + random.nextInt(95));
          });
    }
    return out.toString();
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
