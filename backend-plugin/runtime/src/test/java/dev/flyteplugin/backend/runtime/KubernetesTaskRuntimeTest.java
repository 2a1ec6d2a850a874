package dev.flyteplugin.backend.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flyteplugin.backend.testing.EmbeddedKubernetes;
import flyteidl.core.Execution.ExecutionError;
import flyteidl.core.Execution.TaskExecution.Phase;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The runtime against a real (mock, CRUD mode) API server, with the test as the operator. */
class KubernetesTaskRuntimeTest {
  private static final String NS = "flytesnacks-development";

  private EmbeddedKubernetes k8s;
  private KubernetesClient client;
  private KubernetesTaskRuntime runtime;

  @BeforeEach
  void startServer() throws InterruptedException {
    k8s = EmbeddedKubernetes.start(TestJobPlugin.IDENTITY);
    client = k8s.client();
    runtime = newRuntime(RuntimeConfig.defaults());
  }

  private KubernetesTaskRuntime newRuntime(RuntimeConfig config) throws InterruptedException {
    KubernetesTaskRuntime created =
        KubernetesTaskRuntime.builder()
            .client(client)
            .registry(PluginRegistry.of(new TestJobPlugin()))
            .config(config)
            .build();
    created.start();
    assertThat(created.awaitSynced(Duration.ofSeconds(30))).isTrue();
    return created;
  }

  @AfterEach
  void stop() {
    runtime.close();
    k8s.close();
  }

  private MixedOperation<
          GenericKubernetesResource,
          io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      jobs() {
    return client.genericKubernetesResources(KubernetesTaskRuntime.context(TestJobPlugin.IDENTITY));
  }

  private void setState(TaskHandle handle, Map<String, Object> status) {
    jobs()
        .inNamespace(handle.namespace())
        .withName(handle.name())
        .editStatus(
            job -> {
              job.setAdditionalProperty("status", status);
              return job;
            });
  }

  private Phase phaseOf(TaskHandle handle) {
    return runtime.status(handle).phase();
  }

  @Test
  void createdResourceCarriesNameLabelsAnnotationsAndSpec() throws Exception {
    TaskHandle handle = runtime.create(TestTasks.request("exec1", 0));

    assertThat(handle.category()).isEqualTo(new TaskCategory("test_job", 0));
    assertThat(handle.namespace()).isEqualTo(NS);
    assertThat(handle.name()).matches("exec1-n0-0-[0-9a-f]{10}");
    GenericKubernetesResource job = jobs().inNamespace(NS).withName(handle.name()).get();
    assertThat(job.getMetadata().getLabels())
        .containsEntry(ExecutionLabels.MANAGED_BY, RuntimeConfig.DEFAULT_MANAGED_BY)
        .containsEntry(ExecutionLabels.EXECUTION_ID, "exec1")
        .containsEntry(ExecutionLabels.PROJECT, "flytesnacks")
        .containsEntry(ExecutionLabels.DOMAIN, "development")
        .containsEntry(ExecutionLabels.NODE_ID, "n0")
        .containsEntry(ExecutionLabels.TASK_NAME, "my.tasks.Job")
        .containsEntry(ExecutionLabels.RETRY_ATTEMPT, "0")
        .containsEntry(ExecutionLabels.INSTANCE, RuntimeConfig.DEFAULT_MANAGED_BY)
        .containsKeys(ExecutionLabels.ATTEMPT_KEY, ExecutionLabels.LINEAGE_KEY)
        .containsEntry("team", "data");
    assertThat(job.getMetadata().getAnnotations())
        .containsEntry("owner", "someone@example.com")
        .containsEntry(
            ExecutionLabels.TASK_EXECUTION_ID_ANNOTATION,
            "flytesnacks/development/exec1/n0/my.tasks.Job/0");
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) job.getAdditionalProperties().get("spec");
    assertThat(spec).containsEntry("image", "ghcr.io/example/job:1");
  }

  @Test
  void statusFollowsTheResourceThroughTheInformer() throws Exception {
    TaskHandle handle = runtime.create(TestTasks.request("exec2", 0));
    await().until(() -> phaseOf(handle) == Phase.QUEUED);
    assertThat(runtime.status(handle).reason()).isIn("New", "ResourceNotYetObserved");

    setState(handle, Map.of("state", "Running"));
    await().until(() -> phaseOf(handle) == Phase.RUNNING);
    assertThat(runtime.status(handle).logLinks())
        .extracting(l -> l.getUri())
        .containsExactly("https://logs.example/" + handle.name());

    setState(handle, Map.of("state", "Failed", "message", "boom"));
    await().until(() -> phaseOf(handle) == Phase.RETRYABLE_FAILED);
    TaskStatus failed = runtime.status(handle);
    assertThat(failed.message()).isEqualTo("boom");
    assertThat(failed.error())
        .get()
        .extracting(ExecutionError::getKind)
        .isEqualTo(ExecutionError.ErrorKind.USER);
  }

  @Test
  void theInformerCacheKeepsStatusAndMetadataButNotTheSpec() throws Exception {
    TaskHandle handle = runtime.create(TestTasks.request("exec15", 0));
    setState(handle, Map.of("state", "Running"));
    await().until(() -> phaseOf(handle) == Phase.RUNNING);

    GenericKubernetesResource cached =
        runtime
            .informers()
            .values()
            .iterator()
            .next()
            .getStore()
            .getByKey(NS + "/" + handle.name());

    assertThat(cached.getAdditionalProperties()).containsKey("status").doesNotContainKey("spec");
    assertThat(cached.getMetadata().getLabels())
        .containsEntry(ExecutionLabels.MANAGED_BY, RuntimeConfig.DEFAULT_MANAGED_BY);
    assertThat(cached.getMetadata().getUid()).isNotBlank();
    assertThat(jobs().inNamespace(NS).withName(handle.name()).get().getAdditionalProperties())
        .containsKey("spec");
  }

  @Test
  void createIsIdempotentPerAttempt() throws Exception {
    TaskHandle first = runtime.create(TestTasks.request("exec3", 0));
    TaskHandle second = runtime.create(TestTasks.request("exec3", 0));
    TaskHandle nextAttempt = runtime.create(TestTasks.request("exec3", 1));

    assertThat(second).isEqualTo(first);
    assertThat(nextAttempt).isNotEqualTo(first);
    assertThat(jobs().inNamespace(NS).list().getItems()).hasSize(2);
  }

  @Test
  void concurrentCreatesOfOneAttemptMakeOneResource() throws Exception {
    var pool = java.util.concurrent.Executors.newFixedThreadPool(6);
    try {
      List<java.util.concurrent.Future<TaskHandle>> results = new java.util.ArrayList<>();
      for (int i = 0; i < 6; i++) {
        results.add(pool.submit(() -> runtime.create(TestTasks.request("exec14", 0))));
      }
      java.util.Set<TaskHandle> handles = new java.util.HashSet<>();
      for (var result : results) {
        handles.add(result.get(10, java.util.concurrent.TimeUnit.SECONDS));
      }
      assertThat(handles).hasSize(1);
      assertThat(jobs().inNamespace(NS).list().getItems()).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aForeignResourceWithOurNameIsNotAdoptedNorTouched() {
    String name = TestTasks.nameOf(TestTasks.request("exec4", 0));
    jobs().inNamespace(NS).resource(foreignJob(name)).create();

    assertThatThrownBy(() -> runtime.create(TestTasks.request("exec4", 0)))
        .isInstanceOfSatisfying(
            TaskCreationException.class,
            e -> assertThat(e.kind()).isEqualTo(TaskCreationException.Kind.INVALID_TASK))
        .hasMessageContaining("belongs to another task")
        .hasMessageContaining(ExecutionLabels.MANAGED_BY + "=null")
        .hasMessageContaining(ExecutionLabels.MANAGED_BY + "=" + RuntimeConfig.DEFAULT_MANAGED_BY);
    assertThat(jobs().inNamespace(NS).withName(name).get().getMetadata().getLabels())
        .containsEntry("owner", "someone-else");
  }

  @Test
  void abortDeletesTheResourceAndASecondAbortIsFine() throws Exception {
    TaskHandle handle = runtime.create(TestTasks.request("exec5", 0));

    runtime.abort(handle);
    assertThat(jobs().inNamespace(NS).withName(handle.name()).get()).isNull();
    runtime.abort(handle);
    dev.flyteplugin.backend.testing.LeakCheck.assertNothingLeft(k8s); // flyte#263
  }

  @Test
  void abortRefusesAResourceThisRuntimeDidNotCreate() {
    jobs().inNamespace(NS).resource(foreignJob("not-ours")).create();
    TaskHandle handle = new TaskHandle(new TaskCategory("test_job", 0), NS, "not-ours");

    assertThatThrownBy(() -> runtime.abort(handle))
        .isInstanceOf(ForeignResourceException.class)
        .hasMessageContaining("not managed by " + RuntimeConfig.DEFAULT_MANAGED_BY);
    assertThat(jobs().inNamespace(NS).withName("not-ours").get()).isNotNull();
    // Not in our cache; the API server has it, but it is not ours: a permanent failure.
    TaskStatus status = runtime.status(handle);
    assertThat(status.phase()).isEqualTo(Phase.FAILED);
    assertThat(status.reason()).isEqualTo("ForeignResource");
  }

  @Test
  void externalDeletionIsASystemRetryableFailure() throws Exception {
    TaskHandle handle = runtime.create(TestTasks.request("exec6", 0));
    setState(handle, Map.of("state", "Running"));
    await().until(() -> phaseOf(handle) == Phase.RUNNING);

    jobs().inNamespace(NS).withName(handle.name()).delete();

    await().until(() -> phaseOf(handle) == Phase.RETRYABLE_FAILED);
    TaskStatus status = runtime.status(handle);
    assertThat(status.reason()).isEqualTo("ResourceDeletedExternally");
    assertThat(status.error())
        .get()
        .extracting(ExecutionError::getKind)
        .isEqualTo(ExecutionError.ErrorKind.SYSTEM);
  }

  @Test
  void aNewRuntimeInstancePicksUpResourcesOfAnEarlierOne() throws Exception {
    TaskHandle handle = runtime.create(TestTasks.request("exec7", 0));
    setState(handle, Map.of("state", "Running"));
    runtime.close();

    runtime = newRuntime(RuntimeConfig.defaults().withCacheGracePeriod(Duration.ZERO));
    assertThat(phaseOf(handle)).isEqualTo(Phase.RUNNING);
    assertThat(runtime.create(TestTasks.request("exec7", 0))).isEqualTo(handle);
    setState(handle, Map.of("state", "Succeeded"));
    await().until(() -> phaseOf(handle) == Phase.SUCCEEDED);
    assertThat(jobs().inNamespace(NS).list().getItems()).hasSize(1);
  }

  /** A clock the test moves by hand. */
  private static final class TestClock extends java.time.Clock {
    private volatile Instant now = Instant.parse("2026-03-01T12:00:00Z");

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @Test
  void theSweeperDeletesFinishedResourcesOnlyAfterPropellerSawThemPlusTheTtl() throws Exception {
    runtime.close();
    TestClock clock = new TestClock();
    runtime =
        KubernetesTaskRuntime.builder()
            .client(client)
            .registry(PluginRegistry.of(new TestJobPlugin()))
            .config(
                RuntimeConfig.defaults()
                    .withCleanup(Duration.ofMinutes(10), Duration.ofMillis(20))
                    .withUnreportedCleanupLimit(Duration.ofDays(1)))
            .clock(clock)
            .build();
    runtime.start();
    TaskHandle reported = runtime.create(TestTasks.request("reported", 0));
    TaskHandle unreported = runtime.create(TestTasks.request("unreported", 0));
    TaskHandle running = runtime.create(TestTasks.request("running", 0));
    TaskHandle otherInstance = runtime.create(TestTasks.request("otherinstance", 0));
    jobs().inNamespace(NS).resource(foreignJob("foreign-done")).create();
    setState(reported, Map.of("state", "Succeeded"));
    // Ended 11 minutes ago by its own record, but propeller never saw it.
    setState(
        unreported,
        Map.of(
            "state", "Failed",
            "message", "x",
            "finishedAt", clock.instant().minus(Duration.ofMinutes(11)).toString()));
    setState(running, Map.of("state", "Running"));
    setState(otherInstance, Map.of("state", "Succeeded"));
    jobs()
        .inNamespace(NS)
        .withName(otherInstance.name())
        .edit(
            j -> {
              j.getMetadata().getLabels().put(ExecutionLabels.INSTANCE, "another-deployment");
              return j;
            });
    jobs()
        .inNamespace(NS)
        .withName("foreign-done")
        .editStatus(
            j -> {
              j.setAdditionalProperty("status", Map.of("state", "Succeeded"));
              return j;
            });
    await().until(() -> runtime.status(reported).phase() == Phase.SUCCEEDED);
    await().until(() -> runtime.status(otherInstance).phase() == Phase.SUCCEEDED);

    runtime.markReported(reported);
    runtime.markReported(otherInstance);
    await()
        .until(
            () ->
                jobs()
                    .inNamespace(NS)
                    .withName(reported.name())
                    .get()
                    .getMetadata()
                    .getLabels()
                    .containsKey(ExecutionLabels.TERMINAL_REPORTED_AT));
    Thread.sleep(200);
    assertThat(jobs().inNamespace(NS).withName(reported.name()).get()).isNotNull();
    assertThat(jobs().inNamespace(NS).withName(unreported.name()).get()).isNotNull();

    clock.advance(Duration.ofMinutes(10));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> jobs().inNamespace(NS).withName(reported.name()).get() == null);
    Thread.sleep(200);
    // Finished 21 minutes ago but never reported: kept until the unreported limit.
    assertThat(jobs().inNamespace(NS).withName(unreported.name()).get()).isNotNull();

    clock.advance(Duration.ofDays(1));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> jobs().inNamespace(NS).withName(unreported.name()).get() == null);
    Thread.sleep(200);
    assertThat(jobs().inNamespace(NS).withName(running.name()).get()).isNotNull();
    assertThat(jobs().inNamespace(NS).withName("foreign-done").get()).isNotNull();
    assertThat(jobs().inNamespace(NS).withName(otherInstance.name()).get()).isNotNull();
  }

  @Test
  void namespacesOutsideTheAllowListAreRefused() throws Exception {
    runtime.close();
    runtime = newRuntime(RuntimeConfig.defaults().withAllowedNamespaces(java.util.Set.of("other")));

    assertThatThrownBy(() -> runtime.create(TestTasks.request("exec8", 0)))
        .isInstanceOfSatisfying(
            TaskCreationException.class,
            e -> assertThat(e.kind()).isEqualTo(TaskCreationException.Kind.FORBIDDEN))
        .hasMessageContaining("'" + NS + "' is not allowed")
        .hasMessageContaining("[other]");
  }

  @Test
  void withAnAllowListEveryCallOutsideItIsRefusedBeforeAnyApiCall() throws Exception {
    runtime.close();
    runtime = newRuntime(RuntimeConfig.defaults().withAllowedNamespaces(java.util.Set.of(NS)));
    TaskHandle handle = runtime.create(TestTasks.request("exec15", 0));
    setState(handle, Map.of("state", "Running"));

    await().until(() -> phaseOf(handle) == Phase.RUNNING);
    TaskHandle elsewhere = new TaskHandle(handle.category(), "kube-system", handle.name());
    assertThatThrownBy(() -> runtime.status(elsewhere))
        .isInstanceOf(NamespaceNotAllowedException.class)
        .hasMessageContaining("kube-system")
        .hasMessageContaining(NS);
    assertThatThrownBy(() -> runtime.cachedStatus(elsewhere))
        .isInstanceOf(NamespaceNotAllowedException.class);
    assertThatThrownBy(() -> runtime.abort(elsewhere))
        .isInstanceOf(NamespaceNotAllowedException.class);
    assertThatThrownBy(() -> runtime.checkNamespace(elsewhere))
        .isInstanceOf(NamespaceNotAllowedException.class);
    assertThatThrownBy(
            () -> runtime.create(inNamespace(TestTasks.request("exec15b", 0), "kube-system")))
        .isInstanceOfSatisfying(
            TaskCreationException.class,
            e -> assertThat(e.kind()).isEqualTo(TaskCreationException.Kind.FORBIDDEN));
    runtime.markReported(elsewhere); // ignored, no exception
  }

  @Test
  void aBuildErrorIsAPermanentFailureNamingTheProblem() {
    assertThatThrownBy(
            () -> runtime.create(TestTasks.request("exec9", 0, "test_job", TestTasks.broken())))
        .isInstanceOfSatisfying(
            TaskCreationException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(TaskCreationException.Kind.INVALID_TASK);
              assertThat(e.isRetryable()).isFalse();
            })
        .hasMessageContaining("FailedToBuildResource")
        .hasMessageContaining("field 'broken'");
    assertThat(jobs().inNamespace(NS).list().getItems()).isEmpty();
  }

  @Test
  void anUnknownTaskTypeIsACreationErrorAndAnUnknownHandleAStatusError() {
    assertThatThrownBy(
            () ->
                runtime.create(
                    TestTasks.request(
                        "exec10", 0, "nope", com.google.protobuf.Struct.getDefaultInstance())))
        .isInstanceOfSatisfying(
            TaskCreationException.class,
            e -> assertThat(e.kind()).isEqualTo(TaskCreationException.Kind.UNKNOWN_TASK_TYPE))
        .hasMessageContaining("nope@v0");
    assertThatThrownBy(() -> runtime.status(new TaskHandle(new TaskCategory("nope", 0), NS, "x")))
        .isInstanceOf(UnknownTaskTypeException.class);
  }

  @Test
  void statusIsAnsweredFromTheInformerCacheWithoutApiCalls() throws Exception {
    TaskHandle handle = runtime.create(TestTasks.request("exec11", 0));
    setState(handle, Map.of("state", "Running"));
    await().until(() -> phaseOf(handle) == Phase.RUNNING);

    int before = k8s.server().getRequestCount();
    for (int i = 0; i < 200; i++) {
      assertThat(phaseOf(handle)).isEqualTo(Phase.RUNNING);
    }

    assertThat(k8s.server().getRequestCount()).isEqualTo(before);
  }

  @Test
  void aRunningResourceBeingDeletedIsAnUnexpectedObjectDeletion() throws Exception {
    TaskHandle handle = runtime.create(TestTasks.request("exec12", 0));
    jobs()
        .inNamespace(NS)
        .withName(handle.name())
        .edit(
            j -> {
              j.getMetadata().setFinalizers(List.of("example.com/hold"));
              return j;
            });
    setState(handle, Map.of("state", "Running"));
    await().until(() -> phaseOf(handle) == Phase.RUNNING);

    jobs().inNamespace(NS).withName(handle.name()).delete();

    await().until(() -> runtime.status(handle).reason().equals("UnexpectedObjectDeletion"));
    assertThat(phaseOf(handle)).isEqualTo(Phase.RETRYABLE_FAILED);
    assertThat(runtime.status(handle).logLinks()).isNotEmpty();
  }

  @Test
  void anAbortablePluginPatchesInsteadOfDeleting() throws Exception {
    runtime.close();
    class SuspendingPlugin extends TestJobPlugin
        implements dev.flyteplugin.backend.api.AbortablePlugin {
      @Override
      public dev.flyteplugin.backend.api.AbortAction onAbort(GenericKubernetesResource resource) {
        return dev.flyteplugin.backend.api.AbortAction.mergePatch(
            Map.of("spec", Map.of("suspend", true)));
      }
    }
    runtime =
        KubernetesTaskRuntime.builder()
            .client(client)
            .registry(PluginRegistry.of(new SuspendingPlugin()))
            .build();
    runtime.start();
    TaskHandle handle = runtime.create(TestTasks.request("exec13", 0));

    runtime.abort(handle);

    GenericKubernetesResource job = jobs().inNamespace(NS).withName(handle.name()).get();
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) job.getAdditionalProperties().get("spec");
    assertThat(spec).containsEntry("suspend", true).containsEntry("image", "ghcr.io/example/job:1");
  }

  private static GenericKubernetesResource foreignJob(String name) {
    GenericKubernetesResource job = new GenericKubernetesResource();
    job.setApiVersion(TestJobPlugin.IDENTITY.apiVersion());
    job.setKind(TestJobPlugin.IDENTITY.kind());
    job.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(NS)
            .withLabels(new HashMap<>(Map.of("owner", "someone-else")))
            .build());
    job.setAdditionalProperty("spec", Map.of("image", "x"));
    return job;
  }

  private static TaskRequest inNamespace(TaskRequest request, String namespace) {
    return new TaskRequest(
        request.template(),
        request.inputs(),
        request.outputPrefix(),
        request.metadata().toBuilder().setNamespace(namespace).build());
  }
}
