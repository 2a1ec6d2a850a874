package dev.flyteplugin.backend.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flyteplugin.backend.testing.EmbeddedKubernetes;
import flyteidl.core.Execution.TaskExecution.Phase;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What propeller relies on that a node id cannot give: identity by lineage, a new attempt aborting
 * the old one, GetTask answers that never strand a task, and cleanup only after propeller saw the
 * result. Against the mock API server in CRUD mode (and a loopback proxy for slow or cut links).
 */
class PropellerSemanticsTest {
  private static final String NS = "flytesnacks-development";
  private static final String PATH = "/apis/test.flyteplugin.dev/v1/namespaces/" + NS + "/testjobs";

  private EmbeddedKubernetes k8s;
  private KubernetesClient client;
  private final List<KubernetesTaskRuntime> runtimes = new ArrayList<>();
  private final List<DelayingProxy> proxies = new ArrayList<>();
  private KubernetesTaskRuntime runtime;

  @BeforeEach
  void start() throws Exception {
    k8s = EmbeddedKubernetes.start(TestJobPlugin.IDENTITY);
    client = k8s.client();
    runtime = newRuntime(client, RuntimeConfig.defaults());
  }

  @AfterEach
  void stop() {
    runtimes.forEach(KubernetesTaskRuntime::close);
    proxies.forEach(DelayingProxy::close);
    k8s.close();
  }

  private KubernetesTaskRuntime newRuntime(KubernetesClient with, RuntimeConfig config)
      throws InterruptedException {
    KubernetesTaskRuntime created =
        KubernetesTaskRuntime.builder()
            .client(with)
            .registry(PluginRegistry.of(new TestJobPlugin()))
            .config(config)
            .build();
    runtimes.add(created);
    created.start();
    assertThat(created.awaitSynced(Duration.ofSeconds(30))).isTrue();
    return created;
  }

  private KubernetesClient viaProxy(DelayingProxy proxy) {
    return k8s.newClient(
        b ->
            b.editOrNewConfig()
                .withMasterUrl(proxy.url())
                .withRequestRetryBackoffLimit(0)
                .endConfig());
  }

  private DelayingProxy proxy() throws Exception {
    DelayingProxy proxy = new DelayingProxy(k8s.server().getPort());
    proxies.add(proxy);
    return proxy;
  }

  private MixedOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
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

  private int count() {
    return jobs().inNamespace(NS).list().getItems().size();
  }

  // -- 1. identity by lineage --------------------------------------------------------------------

  @Test
  void mapTaskSubnodesWithTheSameNodeIdGetTheirOwnResources() throws Exception {
    // Two array nodes n1 and n2 of one execution: each has a subnode "n0", attempt 0; propeller
    // puts them at <array output dir>/<index>/<attempt>.
    String base = "s3://bucket/metadata/propeller/x/";
    TaskHandle first = runtime.create(TestTasks.request("x", "n0", 0, base + "n1/data/0/0/0"));
    TaskHandle second = runtime.create(TestTasks.request("x", "n0", 0, base + "n2/data/0/0/0"));

    assertThat(second.name()).isNotEqualTo(first.name());
    assertThat(count()).isEqualTo(2);
    setState(first, Map.of("state", "Running"));
    await().until(() -> runtime.status(first).phase() == Phase.RUNNING);
    assertThat(runtime.status(second).phase()).isEqualTo(Phase.QUEUED);
  }

  @Test
  void idsWhoseConcatenationsCollideGetTheirOwnResources() throws Exception {
    // "x-n1" + "n2" and "x" + "n1-n2" read the same when joined with '-'.
    TaskHandle a = runtime.create(TestTasks.request("x-n1", "n2", 0, "s3://b/m/x-n1/n2/data/0"));
    TaskHandle b = runtime.create(TestTasks.request("x", "n1-n2", 0, "s3://b/m/x/n1-n2/data/0"));

    assertThat(a.name()).isNotEqualTo(b.name());
    assertThat(count()).isEqualTo(2);
  }

  @Test
  void aParentRetryRestartsTheChildAtAttemptZeroWithANewResource() throws Exception {
    // A sub-workflow node n5 retried: its child n0 starts again at attempt 0, under the parent's
    // new output dir.
    TaskHandle before =
        runtime.create(TestTasks.request("x", "n0", 0, "s3://b/m/x/n5/data/0/n0/data/0"));
    setState(before, Map.of("state", "Failed", "message", "boom"));
    TaskHandle after =
        runtime.create(TestTasks.request("x", "n0", 0, "s3://b/m/x/n5/data/1/n0/data/0"));

    assertThat(after.name()).isNotEqualTo(before.name());
    assertThat(count()).isEqualTo(2);
    await().until(() -> runtime.status(after).phase() == Phase.QUEUED);
    assertThat(runtime.status(before).phase()).isEqualTo(Phase.RETRYABLE_FAILED);
  }

  @Test
  void theSameRequestTwiceAdoptsTheResource() throws Exception {
    TaskRequest request = TestTasks.request("x", "n0", 0, "s3://b/m/x/n1/data/0/3/0");
    TaskHandle first = runtime.create(request);
    // Another instance, as after an agent restart: no memory, only the API server.
    KubernetesTaskRuntime other = newRuntime(client, RuntimeConfig.defaults());

    assertThat(other.create(request)).isEqualTo(first);
    assertThat(count()).isEqualTo(1);
  }

  // -- 2. attempt N+1 aborts attempt N -----------------------------------------------------------

  @Test
  void aNewAttemptAbortsTheEarlierAttemptStillRunningButKeepsFinishedOnes() throws Exception {
    TaskHandle finished = runtime.create(TestTasks.request("r", 0));
    setState(finished, Map.of("state", "Failed", "message", "first try failed"));
    TaskHandle stillRunning = runtime.create(TestTasks.request("r", 1));
    setState(stillRunning, Map.of("state", "Running"));
    TaskHandle otherLineage =
        runtime.create(TestTasks.request("r", "n7", 0, "s3://b/m/r/n7/data/0"));
    setState(otherLineage, Map.of("state", "Running"));

    TaskHandle latest = runtime.create(TestTasks.request("r", 2));

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> jobs().inNamespace(NS).withName(stillRunning.name()).get() == null);
    assertThat(jobs().inNamespace(NS).withName(finished.name()).get()).isNotNull();
    assertThat(jobs().inNamespace(NS).withName(otherLineage.name()).get()).isNotNull();
    assertThat(jobs().inNamespace(NS).withName(latest.name()).get()).isNotNull();
  }

  @Test
  void theSweeperAbortsAnEarlierAttemptStillRunningWhenTheAbortAtCreateFailed() throws Exception {
    KubernetesTaskRuntime sweeping =
        newRuntime(
            client, RuntimeConfig.defaults().withCleanup(Duration.ofHours(1), Duration.ofHours(1)));
    TaskHandle first = sweeping.create(TestTasks.request("sup", 0));
    setState(first, Map.of("state", "Running"));
    k8s.server()
        .expect()
        .delete()
        .withPath(PATH + "/" + first.name())
        .andReturn(500, new StatusBuilder().withCode(500).withMessage("boom").build())
        .once();
    while (k8s.server().takeRequest(1, java.util.concurrent.TimeUnit.MILLISECONDS) != null) {
      // drop what was recorded so far
    }

    TaskHandle second = sweeping.create(TestTasks.request("sup", 1));
    // The abort at create met the 500.
    boolean deleteSeen = false;
    for (int i = 0; i < 100 && !deleteSeen; i++) {
      var request = k8s.server().takeRequest(100, java.util.concurrent.TimeUnit.MILLISECONDS);
      deleteSeen =
          request != null
              && request.getMethod().equals("DELETE")
              && request.getPath().endsWith(first.name());
    }
    assertThat(deleteSeen).isTrue();
    assertThat(jobs().inNamespace(NS).withName(first.name()).get()).isNotNull();
    await().until(() -> sweeping.cachedStatus(second).isPresent());
    await().until(() -> sweeping.status(first).phase() == Phase.RUNNING);

    CleanupSweeper.Result result = sweeping.sweeper().sweep();

    assertThat(result.superseded()).isEqualTo(1);
    assertThat(jobs().inNamespace(NS).withName(first.name()).get()).isNull();
    assertThat(jobs().inNamespace(NS).withName(second.name()).get()).isNotNull();
  }

  // -- 4. GetTask never strands a task -----------------------------------------------------------

  @Test
  void aSecondInstanceWhoseCacheLagsAnswersFromTheApiServer() throws Exception {
    DelayingProxy proxy = proxy();
    KubernetesTaskRuntime lagging = newRuntime(viaProxy(proxy), RuntimeConfig.defaults());
    proxy.delayWatches(3000); // its watch hears of new objects 3 s late

    TaskHandle handle = runtime.create(TestTasks.request("lag", 0));
    setState(handle, Map.of("state", "Running"));

    // Nothing in its cache, nothing in its recently-created map: the API server answers.
    assertThat(lagging.cachedStatus(handle)).isEmpty();
    TaskStatus status = lagging.status(handle);
    assertThat(status.phase()).isEqualTo(Phase.RUNNING);
  }

  @Test
  void aCacheMissPastTheGracePeriodWhileTheObjectExistsAnswersItsPhase() throws Exception {
    DelayingProxy proxy = proxy();
    KubernetesTaskRuntime slow =
        newRuntime(viaProxy(proxy), RuntimeConfig.defaults().withCacheGracePeriod(Duration.ZERO));
    proxy.delayWatches(3000); // the create is answered at once, the watch event comes 3 s late

    TaskHandle handle = slow.create(TestTasks.request("grace", 0));

    assertThat(slow.cachedStatus(handle)).isEmpty();
    TaskStatus status = slow.status(handle);
    assertThat(status.phase()).isEqualTo(Phase.QUEUED);
    assertThat(status.reason()).isEqualTo("New");
  }

  @Test
  void anApiErrorAnswersTheLastReportedStatusOrAnUnknownNonTerminalOne() throws Exception {
    TaskHandle handle = runtime.create(TestTasks.request("apierr", 0));
    setState(handle, Map.of("state", "Running"));
    await().until(() -> runtime.status(handle).phase() == Phase.RUNNING);
    k8s.server()
        .expect()
        .get()
        .withPath(PATH + "/" + handle.name())
        .andReturn(500, new StatusBuilder().withCode(500).withMessage("etcd down").build())
        .times(20);
    // Gone from the cache (deleted), but the API server cannot confirm it.
    jobs().inNamespace(NS).withName(handle.name()).delete();
    await().until(() -> runtime.cachedStatus(handle).isEmpty());

    assertThat(runtime.status(handle).phase()).isEqualTo(Phase.RUNNING);

    KubernetesTaskRuntime fresh = newRuntime(client, RuntimeConfig.defaults());
    TaskStatus unknown = fresh.status(handle);
    assertThat(unknown.isTerminal()).isFalse();
    assertThat(unknown.reason()).isEqualTo("StatusUnknown");
    assertThat(unknown.message()).contains("unknown").contains("etcd down");
  }

  @Test
  void onlyTheApiServers404MeansDeletedExternally() throws Exception {
    KubernetesTaskRuntime fresh = newRuntime(client, RuntimeConfig.defaults());
    TaskHandle handle = new TaskHandle(new TaskCategory("test_job", 0), NS, "never-created");

    TaskStatus status = fresh.status(handle);

    assertThat(status.phase()).isEqualTo(Phase.RETRYABLE_FAILED);
    assertThat(status.reason()).isEqualTo("ResourceDeletedExternally");
    assertThat(status.message()).contains("404");
  }

  @Test
  void aCutWatchIsCountedAndStatusesStayRightAfterTheInformerRecovers() throws Exception {
    DelayingProxy proxy = proxy();
    KubernetesTaskRuntime watched = newRuntime(viaProxy(proxy), RuntimeConfig.defaults());
    TaskHandle handle = watched.create(TestTasks.request("cut", 0));
    await().until(() -> watched.cachedStatus(handle).isPresent());
    await().until(() -> watched.health().watching());
    assertThat(watched.health().synced()).isTrue();
    long restartsBefore = watched.health().watchRestarts();

    proxy.refuse(true);
    proxy.cutAll();
    setState(handle, Map.of("state", "Running")); // happens while the watch is down
    await().atMost(Duration.ofSeconds(10)).until(() -> !watched.health().watching());
    // The cache still answers (stale); status() never throws.
    assertThat(watched.status(handle).phase()).isIn(Phase.QUEUED, Phase.RUNNING);
    proxy.refuse(false);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> watched.status(handle).phase() == Phase.RUNNING);
    await().atMost(Duration.ofSeconds(30)).until(() -> watched.health().watching());
    assertThat(watched.health().watchRestarts()).isGreaterThan(restartsBefore);
  }

  // -- 5. safe cleanup ---------------------------------------------------------------------------

  @Test
  void oneFailingDeleteDoesNotStopASweep() throws Exception {
    KubernetesTaskRuntime sweeping =
        newRuntime(
            client,
            RuntimeConfig.defaults()
                .withMinCleanupTtl(Duration.ZERO)
                .withCleanup(Duration.ZERO, Duration.ofHours(1)));
    TaskHandle a = sweeping.create(TestTasks.request("sweep-a", 0));
    TaskHandle b = sweeping.create(TestTasks.request("sweep-b", 0));
    for (TaskHandle h : List.of(a, b)) {
      setState(h, Map.of("state", "Succeeded"));
      await().until(() -> sweeping.status(h).phase() == Phase.SUCCEEDED);
      sweeping.markReported(h);
    }
    await()
        .until(
            () ->
                sweeping.informers().values().stream()
                        .flatMap(i -> i.getStore().list().stream())
                        .filter(
                            r ->
                                r.getMetadata()
                                    .getLabels()
                                    .containsKey(ExecutionLabels.TERMINAL_REPORTED_AT))
                        .count()
                    == 2);
    k8s.server()
        .expect()
        .delete()
        .withPath(PATH + "/" + a.name())
        .andReturn(500, new StatusBuilder().withCode(500).withMessage("boom").build())
        .once();

    CleanupSweeper.Result first = sweeping.sweeper().sweep();

    assertThat(first).isEqualTo(new CleanupSweeper.Result(1, 1));
    assertThat(jobs().inNamespace(NS).withName(b.name()).get()).isNull();
    assertThat(jobs().inNamespace(NS).withName(a.name()).get()).isNotNull();
    assertThat(sweeping.sweeper().sweep().deleted()).isEqualTo(1);
    assertThat(jobs().inNamespace(NS).withName(a.name()).get()).isNull();
  }

  @Test
  void aTtlBelowTheMinimumIsRefusedNamingTheSetting() {
    assertThatThrownBy(
            () ->
                RuntimeConfig.defaults().withCleanup(Duration.ofMinutes(1), Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT1M")
        .hasMessageContaining("minCleanupTtl")
        .hasMessageContaining("--ttl")
        .hasMessageContaining(RuntimeConfig.DEFAULT_MIN_CLEANUP_TTL.toString());
  }

  @Test
  void pluginsAreGivenTheMinimumRetention() throws Exception {
    List<Duration> seen = new ArrayList<>();
    TestJobPlugin recording =
        new TestJobPlugin() {
          @Override
          public GenericKubernetesResource build(dev.flyteplugin.backend.api.TaskContext context)
              throws dev.flyteplugin.backend.api.ResourceBuildException {
            seen.add(context.minRetention());
            return super.build(context);
          }
        };
    KubernetesTaskRuntime withMinimum =
        KubernetesTaskRuntime.builder()
            .client(client)
            .registry(PluginRegistry.of(recording))
            .config(RuntimeConfig.defaults().withMinCleanupTtl(Duration.ofMinutes(20)))
            .build();
    runtimes.add(withMinimum);
    withMinimum.create(TestTasks.request("min", 0));

    assertThat(seen).containsExactly(Duration.ofMinutes(20));
  }

  // -- 6. quota ----------------------------------------------------------------------------------

  private void exceedQuota(int times) {
    k8s.server()
        .expect()
        .post()
        .withPath(PATH)
        .andReturn(
            403,
            new StatusBuilder()
                .withStatus("Failure")
                .withCode(403)
                .withReason("Forbidden")
                .withMessage(
                    "testjobs is forbidden: exceeded quota: compute, requested: cpu=4, used:"
                        + " cpu=8, limited: cpu=8")
                .build())
        .times(times);
  }

  private io.fabric8.kubernetes.api.model.ConfigMap pendingOf(TaskHandle handle) {
    return client
        .configMaps()
        .inNamespace(NS)
        .withName(PendingCreations.configMapName(handle))
        .get();
  }

  @Test
  void anExceededQuotaWaitsForResourcesWithoutSpendingARetryAndSurvivesARestart() throws Exception {
    exceedQuota(3); // the create, then two polls
    TaskHandle handle = runtime.create(TestTasks.request("quota", 0));

    assertThat(count()).isZero();
    assertThat(pendingOf(handle).getMetadata().getLabels())
        .containsEntry(ExecutionLabels.MANAGED_BY, RuntimeConfig.DEFAULT_MANAGED_BY)
        .containsEntry(PendingCreations.PENDING_FOR, handle.name());
    TaskStatus waiting = runtime.status(handle);
    assertThat(waiting.phase()).isEqualTo(Phase.WAITING_FOR_RESOURCES);
    assertThat(waiting.message()).contains("exceeded quota");

    // The runtime restarts: the pending task is in the API server, not in its memory.
    KubernetesTaskRuntime restarted = newRuntime(client, RuntimeConfig.defaults());
    assertThat(restarted.status(handle).phase()).isEqualTo(Phase.WAITING_FOR_RESOURCES);

    // Capacity: the next poll creates it.
    TaskStatus created = restarted.status(handle);
    assertThat(created.phase()).isEqualTo(Phase.QUEUED);
    assertThat(count()).isEqualTo(1);
    assertThat(pendingOf(handle)).isNull();
    setState(handle, Map.of("state", "Running"));
    await().until(() -> restarted.status(handle).phase() == Phase.RUNNING);
  }

  @Test
  void anAbortedTaskWaitingForQuotaIsNeverCreated() throws Exception {
    exceedQuota(1);
    TaskHandle handle = runtime.create(TestTasks.request("quota-abort", 0));
    assertThat(pendingOf(handle)).isNotNull();

    runtime.abort(handle);

    assertThat(pendingOf(handle)).isNull();
    TaskStatus status = runtime.status(handle);
    assertThat(status.reason()).isEqualTo("ResourceDeletedExternally");
    assertThat(count()).isZero();
    dev.flyteplugin.backend.testing.LeakCheck.assertNothingLeft(k8s);
  }

  @Test
  void aPendingCreationNobodyPollsIsDeletedAfterTheUnreportedLimit() throws Exception {
    exceedQuota(1);
    TaskHandle handle = runtime.create(TestTasks.request("quota-left", 0));
    assertThat(pendingOf(handle)).isNotNull();
    assertThat(runtime.sweeper().sweepPending()).isZero(); // young, nothing created: kept

    KubernetesTaskRuntime later =
        KubernetesTaskRuntime.builder()
            .client(client)
            .registry(PluginRegistry.of(new TestJobPlugin()))
            .config(RuntimeConfig.defaults())
            .clock(java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofDays(8)))
            .build();
    runtimes.add(later);

    assertThat(later.sweeper().sweepPending()).isEqualTo(1);
    assertThat(pendingOf(handle)).isNull();
    assertThat(count()).isZero();
  }

  @Test
  void markReportedLabelsTheResourceOnceAndNeverThrows() throws Exception {
    TaskHandle handle = runtime.create(TestTasks.request("mark", 0));
    setState(handle, Map.of("state", "Succeeded"));
    await().until(() -> runtime.status(handle).phase() == Phase.SUCCEEDED);

    runtime.markReported(handle);
    await()
        .until(
            () ->
                runtime.cachedStatus(handle).isPresent()
                    && runtime.informers().values().stream()
                        .map(i -> i.getStore().getByKey(NS + "/" + handle.name()))
                        .anyMatch(
                            r ->
                                r != null
                                    && r.getMetadata()
                                        .getLabels()
                                        .containsKey(ExecutionLabels.TERMINAL_REPORTED_AT)));
    String first =
        jobs()
            .inNamespace(NS)
            .withName(handle.name())
            .get()
            .getMetadata()
            .getLabels()
            .get(ExecutionLabels.TERMINAL_REPORTED_AT);
    while (k8s.server().takeRequest(1, java.util.concurrent.TimeUnit.MILLISECONDS) != null) {
      // drop what was recorded so far
    }

    for (int i = 0; i < 5; i++) {
      runtime.markReported(handle);
    }
    runtime.markReported(new TaskHandle(new TaskCategory("no_such_type", 0), NS, "x"));
    Thread.sleep(300);

    List<String> calls = new ArrayList<>();
    for (var r = k8s.server().takeRequest(1, java.util.concurrent.TimeUnit.MILLISECONDS);
        r != null;
        r = k8s.server().takeRequest(1, java.util.concurrent.TimeUnit.MILLISECONDS)) {
      if (r.getPath().contains(handle.name())) {
        calls.add(r.getMethod() + " " + r.getPath());
      }
    }
    assertThat(calls).isEmpty();
    assertThat(
            jobs()
                .inNamespace(NS)
                .withName(handle.name())
                .get()
                .getMetadata()
                .getLabels()
                .get(ExecutionLabels.TERMINAL_REPORTED_AT))
        .isEqualTo(first);
  }
}
