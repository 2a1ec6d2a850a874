package dev.flyteplugin.backend.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CompactResourceStoreTest {
  private final CompactResourceStore.Interner interner = new CompactResourceStore.Interner(1_000);
  private final CompactResourceStore store =
      new CompactResourceStore("sparkoperator.k8s.io/v1beta2", "SparkApplication", interner);

  private static GenericKubernetesResource resource(
      String name, String uid, String rv, String created, String deleted, int task) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(ExecutionLabels.MANAGED_BY, "flyteplugin");
    labels.put(ExecutionLabels.PROJECT, "flytesnacks");
    labels.put(ExecutionLabels.EXECUTION_ID, "e" + task);
    labels.put(ExecutionLabels.ATTEMPT_KEY, "a1b2c3d4e5f6" + task);
    GenericKubernetesResource resource = new GenericKubernetesResource();
    resource.setApiVersion("sparkoperator.k8s.io/v1beta2");
    resource.setKind("SparkApplication");
    resource.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace("flytesnacks-development")
            .withUid(uid)
            .withResourceVersion(rv)
            .withCreationTimestamp(created)
            .withDeletionTimestamp(deleted)
            .withLabels(labels)
            .withAnnotations(Map.of("flyteplugin.dev/task-execution-id", "long text"))
            .withFinalizers(List.of("example.com/finalizer"))
            .build());
    resource.setAdditionalProperty("spec", Map.of("mainClass", "Main", "arguments", List.of("x")));
    resource.setAdditionalProperty(
        "status",
        Map.of(
            "applicationState", Map.of("state", "RUNNING"),
            "driverInfo", Map.of("podName", name + "-driver", "webUIPort", 4040),
            "submissionAttempts", 1));
    return resource;
  }

  @Test
  void aReadReturnsExactlyTheKeptFieldsAndNotTheSpec() {
    GenericKubernetesResource original =
        resource(
            "e1-n0-0",
            "0b6c1f0e-3f7a-4c43-9b59-6a3f1d2c9e10",
            "123",
            "2026-12-02T05:33:46Z",
            "2026-12-02T06:00:00Z",
            1);
    String key = store.getKey(original);
    store.put(key, original);

    GenericKubernetesResource read = store.get(key);

    assertThat(key).isEqualTo("flytesnacks-development/e1-n0-0");
    assertThat(read.getApiVersion()).isEqualTo("sparkoperator.k8s.io/v1beta2");
    assertThat(read.getKind()).isEqualTo("SparkApplication");
    assertThat(read.getMetadata().getName()).isEqualTo("e1-n0-0");
    assertThat(read.getMetadata().getNamespace()).isEqualTo("flytesnacks-development");
    assertThat(read.getMetadata().getUid()).isEqualTo("0b6c1f0e-3f7a-4c43-9b59-6a3f1d2c9e10");
    assertThat(read.getMetadata().getResourceVersion()).isEqualTo("123");
    assertThat(read.getMetadata().getCreationTimestamp()).isEqualTo("2026-12-02T05:33:46Z");
    assertThat(read.getMetadata().getDeletionTimestamp()).isEqualTo("2026-12-02T06:00:00Z");
    assertThat(read.getMetadata().getLabels())
        .containsExactlyEntriesOf(original.getMetadata().getLabels());
    assertThat(read.getAdditionalProperties().get("status"))
        .isEqualTo(original.getAdditionalProperties().get("status"));
    assertThat(read.getAdditionalProperties()).doesNotContainKey("spec");
    assertThat(read.getMetadata().getAnnotations()).isNullOrEmpty();
    assertThat(read.getMetadata().getFinalizers()).isNullOrEmpty();
  }

  @Test
  void valuesWithoutACompactFormComeBackAsTheyWere() {
    GenericKubernetesResource odd =
        resource("odd", "not-a-uuid", "0042x", "2026-12-02T05:33:46.5Z", null, 2);
    odd.getAdditionalProperties().remove("status");
    store.put("flytesnacks-development/odd", odd);

    GenericKubernetesResource read = store.get("flytesnacks-development/odd");

    assertThat(read.getMetadata().getUid()).isEqualTo("not-a-uuid");
    assertThat(read.getMetadata().getResourceVersion()).isEqualTo("0042x");
    assertThat(read.getMetadata().getCreationTimestamp()).isEqualTo("2026-12-02T05:33:46.5Z");
    assertThat(read.getMetadata().getDeletionTimestamp()).isNull();
    assertThat(read.getAdditionalProperties()).doesNotContainKey("status");
  }

  @Test
  void putAndRemoveReturnThePreviousObjectWithItsResourceVersion() {
    String key = "flytesnacks-development/e3";
    assertThat(store.put(key, resource("e3", null, "1", null, null, 3))).isNull();
    GenericKubernetesResource previous = store.put(key, resource("e3", null, "2", null, null, 3));

    assertThat(previous.getMetadata().getResourceVersion()).isEqualTo("1");
    assertThat(store.size()).isEqualTo(1);
    assertThat(store.keySet()).containsExactly(key);
    assertThat(store.values().map(r -> r.getMetadata().getResourceVersion())).containsExactly("2");
    assertThat(store.remove(key).getMetadata().getResourceVersion()).isEqualTo("2");
    assertThat(store.get(key)).isNull();
    assertThat(store.remove(key)).isNull();
  }

  @Test
  void repeatingLabelValuesAreSharedAndPerTaskHashesAreNot() {
    GenericKubernetesResource first = resource("a", null, "1", null, null, 7);
    GenericKubernetesResource second = resource("b", null, "1", null, null, 7);
    // distinct String instances with equal text, as two watch events deserialize them
    second.getMetadata().getLabels().replaceAll((k, v) -> new String(v.toCharArray()));
    store.put("ns/a", first);
    store.put("ns/b", second);

    Map<String, String> a = store.get("ns/a").getMetadata().getLabels();
    Map<String, String> b = store.get("ns/b").getMetadata().getLabels();

    assertThat(a.get(ExecutionLabels.PROJECT)).isSameAs(b.get(ExecutionLabels.PROJECT));
    assertThat(a.get(ExecutionLabels.EXECUTION_ID)).isSameAs(b.get(ExecutionLabels.EXECUTION_ID));
    assertThat(a.get(ExecutionLabels.ATTEMPT_KEY))
        .isEqualTo(b.get(ExecutionLabels.ATTEMPT_KEY))
        .isNotSameAs(b.get(ExecutionLabels.ATTEMPT_KEY));
  }

  @Test
  void theInternerNeverHoldsMoreThanItsCapacity() {
    CompactResourceStore.Interner small = new CompactResourceStore.Interner(3);
    for (int i = 0; i < 100; i++) {
      small.intern("value-" + i);
      assertThat(small.size()).isLessThanOrEqualTo(3);
    }
    String shared = small.intern("again");
    assertThat(small.intern(new String("again".toCharArray()))).isSameAs(shared);
  }

  @Test
  void aTrackedTaskTakesWellUnderTwoKilobytes() {
    int tasks = 20_000;
    KubernetesSerialization serialization = new KubernetesSerialization();
    CompactResourceStore big =
        new CompactResourceStore("v", "k", new CompactResourceStore.Interner(65_536));
    List<GenericKubernetesResource> objects = new java.util.ArrayList<>();
    for (int i = 0; i < tasks; i++) {
      objects.add(
          serialization.unmarshal(
              serialization.asJson(
                  resource(
                      "e" + i + "-n0-0-0123456789abcdef",
                      java.util.UUID.randomUUID().toString(),
                      Integer.toString(1000 + i),
                      "2026-12-02T05:33:46Z",
                      null,
                      i)),
              GenericKubernetesResource.class));
    }
    long before = usedHeap();
    for (GenericKubernetesResource object : objects) {
      big.put(big.getKey(object), object);
    }
    objects.clear();
    long perTask = (usedHeap() - before) / tasks;
    assertThat(big.size()).isEqualTo(tasks);
    assertThat(perTask).isLessThan(2048);
  }

  @Test
  void creationsPastTheGracePeriodAreForgottenAtTheNextCreate() {
    MutableClock clock = new MutableClock();
    RuntimeConfig config = RuntimeConfig.defaults().withCacheGracePeriod(Duration.ofSeconds(30));
    ApiCalls api = new ApiCalls(null, clock);
    StatusReader reader =
        new StatusReader(
            api,
            config,
            handle -> Optional.empty(),
            new PendingCreations(api, config),
            new PreRunningLimit(config, api, Runnable::run, handle -> {}));
    for (int i = 0; i < 5; i++) {
      reader.created(new TaskHandle(new TaskCategory("t", 0), "ns", "task-" + i));
      clock.now = clock.now.plusSeconds(10);
    }
    // t=50 s: the creations at 0 and 10 s are past 30 s; 20, 30 and 40 s are not.
    reader.created(new TaskHandle(new TaskCategory("t", 0), "ns", "task-5"));
    assertThat(reader.recentlyCreatedCount()).isEqualTo(4);
  }

  private static final class MutableClock extends Clock {
    Instant now = Instant.parse("2026-12-02T05:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }
}
