package dev.flyteplugin.backend.spark.simulation;

import static dev.flyteplugin.backend.spark.SparkApplications.APP_NAME_LABEL;
import static dev.flyteplugin.backend.spark.SparkApplications.ROLE_LABEL;

import dev.flyteplugin.backend.spark.SparkApplications;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A SIMULATION of the Kubernetes Spark operator (kubeflow/spark-operator), for tests, the agent's
 * embedded mode and the examples. It watches {@code SparkApplication}s through a {@link
 * KubernetesClient} and moves them through the operator's real states via the status subresource:
 * {@code "" -> SUBMITTED -> RUNNING -> SUCCEEDING -> COMPLETED}, or {@code FAILING -> FAILED} with
 * an {@code errorMessage}, or {@code SUBMISSION_FAILED} when the spec cannot be submitted (no
 * image, no mainApplicationFile, no driver). It fills {@code driverInfo}, {@code
 * sparkApplicationId}, attempts and {@code terminationTime}, and creates the driver pod {@code
 * <app>-driver} with the operator's labels. No spark-submit and no pods run: while RUNNING it calls
 * a {@link SimulatedWorkload} (in embedded mode the task itself through jflyte's entrypoint, which
 * starts a local Spark), interrupted when the application is deleted.
 *
 * <p>Two modes: {@link #automatic} drives every application by itself (and, like the real operator
 * after a restart, picks up applications it finds SUBMITTED or RUNNING when it starts); {@link
 * #scripted} does nothing on its own and a test moves applications with {@link #moveTo}.
 *
 * <p>PLUGIN AUTHOR SEAM: write a Simulated... operator of your own with your operator's states, for
 * embedded mode and tests.
 */
public final class SimulatedSparkOperator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SimulatedSparkOperator.class);
  private static final ResourceDefinitionContext CONTEXT =
      new ResourceDefinitionContext.Builder()
          .withGroup(SparkApplications.IDENTITY.group())
          .withVersion(SparkApplications.IDENTITY.version())
          .withKind(SparkApplications.IDENTITY.kind())
          .withPlural(SparkApplications.IDENTITY.plural())
          .withNamespaced(true)
          .build();

  private final KubernetesClient client;
  private final SimulatedWorkload workload;
  private final Duration stepDelay;
  private final boolean automatic;
  private final Clock clock = Clock.systemUTC();
  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "simulated-spark-operator");
            t.setDaemon(true);
            return t;
          });
  private final Map<String, Future<?>> runs = new ConcurrentHashMap<>();
  private SharedIndexInformer<GenericKubernetesResource> informer;

  private SimulatedSparkOperator(
      KubernetesClient client, SimulatedWorkload workload, Duration stepDelay, boolean automatic) {
    this.client = client;
    this.workload = workload;
    this.stepDelay = stepDelay;
    this.automatic = automatic;
  }

  /**
   * An operator that drives every application by itself, waiting {@code stepDelay} between states
   * and running {@code workload} while RUNNING.
   */
  public static SimulatedSparkOperator automatic(
      KubernetesClient client, SimulatedWorkload workload, Duration stepDelay) {
    return new SimulatedSparkOperator(client, workload, stepDelay, true);
  }

  /** {@link #automatic} with a workload that succeeds after 200 ms and 50 ms between states. */
  public static SimulatedSparkOperator automatic(KubernetesClient client) {
    return automatic(
        client, SimulatedWorkload.succeedAfter(Duration.ofMillis(200)), Duration.ofMillis(50));
  }

  /** An operator that only acts when a test calls {@link #moveTo}. */
  public static SimulatedSparkOperator scripted(KubernetesClient client) {
    return new SimulatedSparkOperator(
        client, app -> SimulatedWorkload.Outcome.success(), Duration.ZERO, false);
  }

  /** Starts watching SparkApplications in every namespace. */
  public synchronized SimulatedSparkOperator start() {
    if (informer != null) {
      return this;
    }
    log.warn(
        "SIMULATED Spark operator started ({} mode): the operator and the pods are simulated; the"
            + " driver's work (the task, with a local Spark in embedded mode) runs in this JVM",
        automatic ? "automatic" : "scripted");
    informer = apps().inAnyNamespace().inform(new Handler(), 0);
    return this;
  }

  private MixedOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      apps() {
    return client.genericKubernetesResources(CONTEXT);
  }

  private final class Handler implements ResourceEventHandler<GenericKubernetesResource> {
    @Override
    public void onAdd(GenericKubernetesResource app) {
      if (!automatic || app.getMetadata().getDeletionTimestamp() != null) {
        return;
      }
      String state = state(app);
      if (state.isEmpty()) {
        runs.computeIfAbsent(key(app), k -> executor.submit(() -> drive(app, false)));
      } else if (!SparkApplications.isTerminal(state)) {
        // Seen in the first list of a restarted simulation: pick the run up again, as the real
        // operator does after a restart. (Only here, never on updates, which may be stale.)
        runs.computeIfAbsent(key(app), k -> executor.submit(() -> drive(app, true)));
      }
    }

    @Override
    public void onUpdate(GenericKubernetesResource oldApp, GenericKubernetesResource newApp) {
      if (automatic
          && state(newApp).isEmpty()
          && newApp.getMetadata().getDeletionTimestamp() == null) {
        runs.computeIfAbsent(key(newApp), k -> executor.submit(() -> drive(newApp, false)));
      }
    }

    @Override
    public void onDelete(GenericKubernetesResource app, boolean finalStateUnknown) {
      Future<?> run = runs.remove(key(app));
      if (run != null) {
        run.cancel(true);
      }
      // The real cluster's garbage collector removes the driver pod via its owner reference.
      deleteDriverPod(app.getMetadata().getNamespace(), app.getMetadata().getName());
    }
  }

  /** API attempts per reconcile step before the simulated operator gives an application up. */
  private static final int RECONCILE_ATTEMPTS = 8;

  /** The automatic life of one application; {@code resume} skips the submission. */
  private void drive(GenericKubernetesResource app, boolean resume) {
    String ns = app.getMetadata().getNamespace();
    String name = app.getMetadata().getName();
    try {
      if (!resume) {
        String problem = submissionProblem(app);
        if (problem != null) {
          step(ns, name, SparkApplications.SUBMISSION_FAILED, problem);
          return;
        }
        step(ns, name, SparkApplications.SUBMITTED, "");
        Thread.sleep(stepDelay.toMillis());
      }
      step(ns, name, SparkApplications.RUNNING, "");
      GenericKubernetesResource current =
          reconcile(ns, name, () -> apps().inNamespace(ns).withName(name).get());
      if (current == null) {
        return;
      }
      SimulatedWorkload.Outcome outcome;
      try {
        outcome = workload.run(current);
      } catch (RuntimeException e) {
        outcome = SimulatedWorkload.Outcome.failure("driver failed: " + e);
      }
      if (outcome.succeeded()) {
        step(ns, name, SparkApplications.SUCCEEDING, "");
        Thread.sleep(stepDelay.toMillis());
        step(ns, name, SparkApplications.COMPLETED, "");
      } else {
        step(ns, name, SparkApplications.FAILING, outcome.message());
        Thread.sleep(stepDelay.toMillis());
        step(ns, name, SparkApplications.FAILED, outcome.message());
      }
    } catch (InterruptedException e) {
      log.info("simulated run of {}/{} aborted", ns, name);
      Thread.currentThread().interrupt();
    } catch (KubernetesClientException e) {
      // Deleted while we were driving it (or the API server kept failing): the run is over.
      log.info("simulated run of {}/{} ended: {}", ns, name, e.getMessage());
    } finally {
      runs.remove(ns + "/" + name);
    }
  }

  /** {@link #moveTo} as the operator's reconcile loop does it: retried on API trouble. */
  private void step(String ns, String name, String state, String errorMessage)
      throws InterruptedException {
    reconcile(
        ns,
        name,
        () -> {
          moveTo(ns, name, state, errorMessage);
          return null;
        });
  }

  /**
   * Runs one API step, retrying (bounded, with backoff) when the API server fails or times out: a
   * real operator requeues the application rather than abandoning it, so a slow API server must not
   * leave an application QUEUED or RUNNING forever. A 404 (the application is gone) ends the run at
   * once.
   */
  private <T> T reconcile(String ns, String name, java.util.function.Supplier<T> call)
      throws InterruptedException {
    long backoff = 100;
    for (int attempt = 1; ; attempt++) {
      try {
        return call.get();
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404 || attempt >= RECONCILE_ATTEMPTS) {
          throw e;
        }
        log.info(
            "simulated operator: API call for {}/{} failed (attempt {}/{}), requeued: {}",
            ns,
            name,
            attempt,
            RECONCILE_ATTEMPTS,
            e.getMessage());
        Thread.sleep(backoff);
        backoff = Math.min(backoff * 2, 2_000);
      }
    }
  }

  private static String applicationIdDigest(String key) {
    try {
      byte[] digest =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }

  /** What spark-submit would reject, or null. */
  @SuppressWarnings("unchecked")
  private static String submissionProblem(GenericKubernetesResource app) {
    Map<String, Object> spec =
        (Map<String, Object>) app.getAdditionalProperties().getOrDefault("spec", Map.of());
    if (isBlank(spec.get("image"))) {
      return "failed to run spark-submit for SparkApplication "
          + app.getMetadata().getName()
          + ": spec.image is not set";
    }
    if (isBlank(spec.get("mainApplicationFile"))) {
      return "failed to run spark-submit: spec.mainApplicationFile is not set";
    }
    if (!(spec.get("driver") instanceof Map)) {
      return "failed to run spark-submit: spec.driver is not set";
    }
    return null;
  }

  /**
   * Writes the status the real operator would write for {@code state} (through the status
   * subresource), with driver info, application id, attempts and termination time, and creates the
   * driver pod once submitted. In scripted mode this is how a test moves an application.
   *
   * @throws KubernetesClientException when the application does not exist
   */
  public void moveTo(String namespace, String name, String state, String errorMessage) {
    // Like Spark's own ids: unique per application (here: stable for one namespace/name).
    String appId = "spark-" + applicationIdDigest(namespace + "/" + name);
    String podName = SparkApplications.driverPodName(name);
    GenericKubernetesResource app = apps().inNamespace(namespace).withName(name).get();
    if (app == null) {
      throw new KubernetesClientException(
          "SparkApplication " + namespace + "/" + name + " does not exist", 404, null);
    }
    if (!state.isEmpty() && !SparkApplications.SUBMISSION_FAILED.equals(state)) {
      ensureDriverPod(app, podName, appId);
    }
    Map<String, Object> status = new LinkedHashMap<>();
    Map<String, Object> appState = new LinkedHashMap<>();
    appState.put("state", state);
    if (!errorMessage.isEmpty()) {
      appState.put("errorMessage", errorMessage);
    }
    status.put("applicationState", appState);
    if (!state.isEmpty()) {
      status.put("submissionAttempts", 1);
      status.put("lastSubmissionAttemptTime", clock.instant().toString());
    }
    if (!state.isEmpty() && !SparkApplications.SUBMISSION_FAILED.equals(state)) {
      status.put("sparkApplicationId", appId);
      Map<String, Object> driverInfo = new LinkedHashMap<>();
      driverInfo.put("podName", podName);
      driverInfo.put("webUIServiceName", name + "-ui-svc");
      driverInfo.put("webUIPort", 4040);
      driverInfo.put("webUIAddress", "10.96.0.10:4040");
      status.put("driverInfo", driverInfo);
    }
    if (!List.of("", SparkApplications.SUBMITTED, SparkApplications.SUBMISSION_FAILED)
        .contains(state)) {
      status.put("executionAttempts", 1);
      status.put("executorState", Map.of(name + "-exec-1", executorState(state)));
    }
    if (SparkApplications.isTerminal(state)) {
      status.put("terminationTime", clock.instant().toString());
    }
    updateDriverPodPhase(namespace, podName, state);
    apps()
        .inNamespace(namespace)
        .withName(name)
        .editStatus(
            current -> {
              current.setAdditionalProperty("status", status);
              return current;
            });
    log.info("simulated operator: {}/{} -> {}", namespace, name, state.isEmpty() ? "\"\"" : state);
  }

  private static String executorState(String appState) {
    return switch (appState) {
      case SparkApplications.COMPLETED, SparkApplications.SUCCEEDING -> "COMPLETED";
      case SparkApplications.FAILED, SparkApplications.FAILING -> "FAILED";
      case SparkApplications.UNKNOWN -> "UNKNOWN";
      default -> "RUNNING";
    };
  }

  @SuppressWarnings("unchecked")
  private void ensureDriverPod(GenericKubernetesResource app, String podName, String appId) {
    String ns = app.getMetadata().getNamespace();
    if (client.pods().inNamespace(ns).withName(podName).get() != null) {
      return;
    }
    Map<String, Object> spec =
        (Map<String, Object>) app.getAdditionalProperties().getOrDefault("spec", Map.of());
    Map<String, Object> driver = (Map<String, Object>) spec.getOrDefault("driver", Map.of());
    Map<String, String> labels = new LinkedHashMap<>();
    ((Map<String, Object>) driver.getOrDefault("labels", Map.of()))
        .forEach((k, v) -> labels.put(k, String.valueOf(v)));
    labels.put(ROLE_LABEL, "driver");
    labels.put(APP_NAME_LABEL, app.getMetadata().getName());
    labels.put("sparkoperator.k8s.io/launched-by-spark-operator", "true");
    labels.put("spark-app-selector", appId);
    List<EnvVar> env = new ArrayList<>();
    for (Object e : (List<Object>) driver.getOrDefault("env", List.of())) {
      Map<String, Object> var = (Map<String, Object>) e;
      env.add(new EnvVar(String.valueOf(var.get("name")), String.valueOf(var.get("value")), null));
    }
    List<String> args = new ArrayList<>(List.of("driver", "--class", str(spec.get("mainClass"))));
    args.add(str(spec.get("mainApplicationFile")));
    ((List<Object>) spec.getOrDefault("arguments", List.of())).forEach(a -> args.add(str(a)));
    String image = driver.get("image") != null ? str(driver.get("image")) : str(spec.get("image"));
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(podName)
            .withNamespace(ns)
            .withLabels(labels)
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion(SparkApplications.IDENTITY.apiVersion())
                    .withKind(SparkApplications.IDENTITY.kind())
                    .withName(app.getMetadata().getName())
                    .withUid(app.getMetadata().getUid())
                    .withController(true)
                    .build())
            .endMetadata()
            .withNewSpec()
            .withServiceAccountName(
                driver.get("serviceAccount") == null ? null : str(driver.get("serviceAccount")))
            .withContainers(
                new ContainerBuilder()
                    .withName("spark-kubernetes-driver")
                    .withImage(image)
                    .withArgs(args)
                    .withEnv(env)
                    .build())
            .endSpec()
            .build();
    try {
      client.pods().inNamespace(ns).resource(pod).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  /** The driver pod's phase as the kubelet would report it for this application state. */
  private void updateDriverPodPhase(String namespace, String podName, String appState) {
    String phase =
        switch (appState) {
          case SparkApplications.RUNNING, SparkApplications.SUCCEEDING, SparkApplications.FAILING ->
              "Running";
          case SparkApplications.COMPLETED -> "Succeeded";
          case SparkApplications.FAILED -> "Failed";
          default -> null;
        };
    if (phase == null) {
      return;
    }
    try {
      client
          .pods()
          .inNamespace(namespace)
          .withName(podName)
          .editStatus(
              pod -> {
                pod.setStatus(
                    new io.fabric8.kubernetes.api.model.PodStatusBuilder()
                        .withPhase(phase)
                        .build());
                return pod;
              });
    } catch (KubernetesClientException e) {
      log.debug(
          "could not update the simulated driver pod {}/{}: {}",
          namespace,
          podName,
          e.getMessage());
    }
  }

  private void deleteDriverPod(String namespace, String appName) {
    try {
      client
          .pods()
          .inNamespace(namespace)
          .withName(SparkApplications.driverPodName(appName))
          .delete();
    } catch (KubernetesClientException | IllegalStateException e) {
      // IllegalStateException: the client was closed while the deletion event was delivered
      // (the embedded cluster shutting down); the pod goes with the API server.
      log.debug(
          "could not delete the simulated driver pod of {}/{}: {}",
          namespace,
          appName,
          e.getMessage());
    }
  }

  private static String state(GenericKubernetesResource app) {
    Object status = app.getAdditionalProperties().get("status");
    if (status instanceof Map<?, ?> s && s.get("applicationState") instanceof Map<?, ?> a) {
      Object state = a.get("state");
      return state == null ? "" : state.toString();
    }
    return "";
  }

  private static String key(GenericKubernetesResource app) {
    return app.getMetadata().getNamespace() + "/" + app.getMetadata().getName();
  }

  private static boolean isBlank(Object value) {
    return value == null || value.toString().isBlank();
  }

  private static String str(Object value) {
    return value == null ? "" : value.toString();
  }

  /** Whether a simulated run is in progress for this application (tests). */
  public boolean isRunning(String namespace, String name) {
    Future<?> run = runs.get(namespace + "/" + name);
    return run != null && !run.isDone();
  }

  @Override
  public synchronized void close() {
    if (informer != null) {
      informer.close();
      informer = null;
    }
    runs.values().forEach(f -> f.cancel(true));
    runs.clear();
    executor.shutdownNow();
  }
}
