package dev.flyteplugin.backend.spark.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flyteplugin.backend.runtime.KubernetesTaskRuntime;
import dev.flyteplugin.backend.spark.SparkApplications;
import dev.flyteplugin.backend.testing.EmbeddedKubernetes;
import dev.flyteplugin.backend.testing.SimulatedOperator;
import dev.flyteplugin.backend.testing.SimulatedWorkload;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulated operator on its own: the states and status fields it writes. */
class SparkSimulationTest {
  private static final String NS = "spark-jobs";

  private EmbeddedKubernetes k8s;
  private SimulatedOperator operator;

  @BeforeEach
  void start() {
    k8s = EmbeddedKubernetes.start(SparkApplications.IDENTITY);
  }

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.close();
    }
    k8s.close();
  }

  private io.fabric8.kubernetes.client.dsl.MixedOperation<
          GenericKubernetesResource,
          io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
          io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>>
      apps() {
    return k8s.client()
        .genericKubernetesResources(KubernetesTaskRuntime.context(SparkApplications.IDENTITY));
  }

  private static GenericKubernetesResource app(String name, Map<String, Object> spec) {
    GenericKubernetesResource app = new GenericKubernetesResource();
    app.setApiVersion(SparkApplications.IDENTITY.apiVersion());
    app.setKind(SparkApplications.IDENTITY.kind());
    app.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    app.setAdditionalProperty("spec", spec);
    return app;
  }

  private static Map<String, Object> validSpec() {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("type", "Java");
    spec.put("mode", "cluster");
    spec.put("image", "ghcr.io/example/app:1");
    spec.put("mainClass", "org.example.Main");
    spec.put("mainApplicationFile", "local:///app/app.jar");
    spec.put("arguments", List.of("a", "b"));
    spec.put("driver", Map.of("cores", 1, "labels", Map.of("team", "data")));
    spec.put("executor", Map.of("instances", 1));
    return spec;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> status(GenericKubernetesResource app) {
    return (Map<String, Object>) app.getAdditionalProperties().getOrDefault("status", Map.of());
  }

  @SuppressWarnings("unchecked")
  private static String state(GenericKubernetesResource app) {
    Object appState = status(app).get("applicationState");
    return appState == null ? "" : String.valueOf(((Map<String, Object>) appState).get("state"));
  }

  private List<String> watchStates(String name) {
    List<String> states = new CopyOnWriteArrayList<>();
    Watch unused =
        apps()
            .inNamespace(NS)
            .withName(name)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, GenericKubernetesResource resource) {
                    String s = state(resource);
                    if (states.isEmpty() || !states.get(states.size() - 1).equals(s)) {
                      states.add(s);
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
    return states;
  }

  @Test
  void anApplicationGoesThroughTheOperatorsStatesToCompletedWithItsStatusFields() {
    List<String> states = watchStates("ok");
    operator =
        SimulatedOperator.automatic(
                k8s.client(),
                new SparkSimulation().script(),
                SimulatedWorkload.succeedAfter(Duration.ofMillis(100)),
                Duration.ofMillis(20))
            .start();

    apps().inNamespace(NS).resource(app("ok", validSpec())).create();

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> state(apps().inNamespace(NS).withName("ok").get()).equals("COMPLETED"));
    await().until(() -> states.contains("COMPLETED"));
    assertThat(states).containsSubsequence("SUBMITTED", "RUNNING", "SUCCEEDING", "COMPLETED");
    Map<String, Object> status = status(apps().inNamespace(NS).withName("ok").get());
    assertThat(status).containsKeys("sparkApplicationId", "terminationTime", "driverInfo");
    assertThat((Map<String, Object>) status.get("driverInfo"))
        .containsEntry("podName", "ok-driver");
    var pod = k8s.client().pods().inNamespace(NS).withName("ok-driver").get();
    assertThat(pod.getMetadata().getLabels())
        .containsEntry("spark-role", "driver")
        .containsEntry("sparkoperator.k8s.io/app-name", "ok")
        .containsEntry("team", "data");
    assertThat(pod.getStatus().getPhase()).isEqualTo("Succeeded");
    assertThat(pod.getSpec().getContainers().get(0).getArgs())
        .containsExactly("driver", "--class", "org.example.Main", "local:///app/app.jar", "a", "b");
  }

  @Test
  void aFailingApiServerIsRetriedLikeTheOperatorsRequeueNotTakenForADeletion() {
    // compat/python saw applications stuck QUEUED/RUNNING forever when one API call timed out:
    // the simulation took any API error for "deleted". Its client here does not retry at all.
    List<String> states = watchStates("flaky");
    operator =
        SimulatedOperator.automatic(
                k8s.newClientWithoutRetries(5_000),
                new SparkSimulation().script(),
                SimulatedWorkload.succeedAfter(Duration.ofMillis(50)),
                Duration.ofMillis(20))
            .start();
    k8s.server()
        .expect()
        .get()
        .withPath(
            "/apis/sparkoperator.k8s.io/v1beta2/namespaces/" + NS + "/sparkapplications/flaky")
        .andReturn(500, "{\"kind\":\"Status\",\"code\":500,\"message\":\"etcd timeout\"}")
        .times(3);

    apps().inNamespace(NS).resource(app("flaky", validSpec())).create();

    // Followed through the watch: a GET by the test would take the operator's failures.
    await().atMost(Duration.ofSeconds(30)).until(() -> states.contains("COMPLETED"));
    assertThat(states).containsSubsequence("SUBMITTED", "RUNNING", "COMPLETED");
  }

  @Test
  void aFailingWorkloadEndsFailedWithItsMessage() {
    List<String> states = watchStates("bad");
    operator =
        SimulatedOperator.automatic(
                k8s.client(),
                new SparkSimulation().script(),
                SimulatedWorkload.failAfter(
                    Duration.ofMillis(50), "Job aborted due to stage failure"),
                Duration.ofMillis(20))
            .start();

    apps().inNamespace(NS).resource(app("bad", validSpec())).create();

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> state(apps().inNamespace(NS).withName("bad").get()).equals("FAILED"));
    await().until(() -> states.contains("FAILED"));
    assertThat(states).containsSubsequence("SUBMITTED", "RUNNING", "FAILING", "FAILED");
    @SuppressWarnings("unchecked")
    Map<String, Object> appState =
        (Map<String, Object>)
            status(apps().inNamespace(NS).withName("bad").get()).get("applicationState");
    assertThat(appState).containsEntry("errorMessage", "Job aborted due to stage failure");
  }

  @Test
  void aSpecWithoutImageFailsSubmissionWithoutADriverPod() {
    operator =
        SimulatedOperator.automatic(
                k8s.client(),
                new SparkSimulation().script(),
                SimulatedWorkload.succeedAfter(Duration.ofMillis(200)),
                Duration.ofMillis(50))
            .start();
    Map<String, Object> spec = validSpec();
    spec.remove("image");

    apps().inNamespace(NS).resource(app("noimage", spec)).create();

    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                state(apps().inNamespace(NS).withName("noimage").get())
                    .equals("SUBMISSION_FAILED"));
    assertThat(String.valueOf(status(apps().inNamespace(NS).withName("noimage").get())))
        .contains("spec.image is not set");
    assertThat(k8s.client().pods().inNamespace(NS).withName("noimage-driver").get()).isNull();
  }

  @Test
  void aRestartedOperatorPicksUpARunningApplication() {
    operator =
        SimulatedOperator.automatic(
                k8s.client(),
                new SparkSimulation().script(),
                SimulatedWorkload.succeedAfter(Duration.ofMinutes(5)),
                Duration.ofMillis(20))
            .start();
    apps().inNamespace(NS).resource(app("longrun", validSpec())).create();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> state(apps().inNamespace(NS).withName("longrun").get()).equals("RUNNING"));

    operator.close();
    operator =
        SimulatedOperator.automatic(
                k8s.client(),
                new SparkSimulation().script(),
                SimulatedWorkload.succeedAfter(Duration.ofMillis(50)),
                Duration.ofMillis(20))
            .start();

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> state(apps().inNamespace(NS).withName("longrun").get()).equals("COMPLETED"));
  }

  @Test
  void aScriptedOperatorOnlyMovesWhatTheTestSays() throws InterruptedException {
    operator = SimulatedOperator.scripted(k8s.client(), new SparkSimulation().script()).start();
    apps().inNamespace(NS).resource(app("manual", validSpec())).create();

    Thread.sleep(200);
    assertThat(state(apps().inNamespace(NS).withName("manual").get())).isEmpty();

    operator.moveTo(NS, "manual", SparkApplications.SUSPENDED, "");
    assertThat(state(apps().inNamespace(NS).withName("manual").get())).isEqualTo("SUSPENDED");
    assertThat(k8s.client().pods().inNamespace(NS).withName("manual-driver").get()).isNotNull();
  }

  @Test
  void everyApplicationGetsItsOwnSparkApplicationId() {
    operator = SimulatedOperator.scripted(k8s.client(), new SparkSimulation().script()).start();
    apps().inNamespace(NS).resource(app("first", validSpec())).create();
    apps().inNamespace(NS).resource(app("second", validSpec())).create();

    operator.moveTo(NS, "first", SparkApplications.RUNNING, "");
    operator.moveTo(NS, "second", SparkApplications.RUNNING, "");

    Object first = status(apps().inNamespace(NS).withName("first").get()).get("sparkApplicationId");
    Object second =
        status(apps().inNamespace(NS).withName("second").get()).get("sparkApplicationId");
    assertThat(first).asString().matches("spark-[0-9a-f]{16}");
    assertThat(second).asString().matches("spark-[0-9a-f]{16}").isNotEqualTo(first);
  }
}
