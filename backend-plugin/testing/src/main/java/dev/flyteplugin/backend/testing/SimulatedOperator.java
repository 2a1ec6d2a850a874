package dev.flyteplugin.backend.testing;

import dev.flyteplugin.backend.api.ResourceIdentity;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A SIMULATION of a Kubernetes operator, played from its {@link OperatorScript}: it watches the
 * script's custom resources and writes the operator's statuses through the status subresource,
 * makes its pods (with owner references, removed with the resource as the garbage collector would)
 * and, while running, calls a {@link SimulatedWorkload} with the task's args and env. No container
 * runs; in embedded mode the workload runs the task itself in this JVM.
 *
 * <p>Two modes: {@link #automatic} drives every resource by itself (and, like a real operator after
 * a restart, picks up resources it finds in a non-terminal state when it starts); {@link #scripted}
 * does nothing on its own and a test moves resources with {@link #moveTo} and {@link #deletePods},
 * e.g. to replay an operator's known edge cases.
 */
public final class SimulatedOperator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SimulatedOperator.class);

  /** API attempts per reconcile step before the simulated operator gives a resource up. */
  private static final int RECONCILE_ATTEMPTS = 8;

  private final KubernetesClient client;
  private final OperatorScript script;
  private final SimulatedWorkload workload;
  private final Duration stepDelay;
  private final boolean automatic;
  private final ResourceDefinitionContext context;
  private final Clock clock = Clock.systemUTC();
  private final ExecutorService executor;
  private final Map<String, Future<?>> runs = new ConcurrentHashMap<>();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();
  private final Map<String, String> stateOf = new ConcurrentHashMap<>();
  private final Map<String, java.time.Instant> enteredAt = new ConcurrentHashMap<>();
  private final java.util.Set<String> lost = ConcurrentHashMap.newKeySet();
  private SharedIndexInformer<GenericKubernetesResource> informer;
  private SharedIndexInformer<Pod> podInformer;

  private SimulatedOperator(
      KubernetesClient client,
      OperatorScript script,
      SimulatedWorkload workload,
      Duration stepDelay,
      boolean automatic) {
    this.client = client;
    this.script = script;
    this.workload = workload;
    this.stepDelay = stepDelay;
    this.automatic = automatic;
    ResourceIdentity id = script.identity();
    this.context =
        new ResourceDefinitionContext.Builder()
            .withGroup(id.group())
            .withVersion(id.version())
            .withKind(id.kind())
            .withPlural(id.plural())
            .withNamespaced(true)
            .build();
    String thread = "simulated-" + id.kind().toLowerCase(java.util.Locale.ROOT) + "-operator";
    this.executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, thread);
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * An operator that drives every resource by itself, waiting {@code stepDelay} between states and
   * running {@code workload} in the running state.
   */
  public static SimulatedOperator automatic(
      KubernetesClient client,
      OperatorScript script,
      SimulatedWorkload workload,
      Duration stepDelay) {
    return new SimulatedOperator(client, script, workload, stepDelay, true);
  }

  /** An operator that only acts when a test calls {@link #moveTo} or {@link #deletePods}. */
  public static SimulatedOperator scripted(KubernetesClient client, OperatorScript script) {
    return new SimulatedOperator(
        client, script, task -> SimulatedWorkload.Outcome.success(), Duration.ZERO, false);
  }

  public OperatorScript script() {
    return script;
  }

  /** Starts watching the script's resources in every namespace. */
  public synchronized SimulatedOperator start() {
    if (informer == null) {
      log.warn(
          "SIMULATED {} operator started ({} mode): the operator and its pods are simulated",
          script.identity().kind(),
          automatic ? "automatic" : "scripted");
      informer = resources().inAnyNamespace().inform(new Handler(), 0);
      podInformer = client.pods().inAnyNamespace().inform(new PodHandler(), 0);
    }
    return this;
  }

  private MixedOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      resources() {
    return client.genericKubernetesResources(context);
  }

  private final class Handler implements ResourceEventHandler<GenericKubernetesResource> {
    @Override
    public void onAdd(GenericKubernetesResource resource) {
      if (!automatic || resource.getMetadata().getDeletionTimestamp() != null) {
        return;
      }
      String state = state(resource);
      if (state.isEmpty()) {
        runs.computeIfAbsent(key(resource), k -> executor.submit(() -> drive(resource, false)));
      } else if (!script.terminalStates().contains(state)) {
        // Seen in the first list of a restarted simulation: pick the run up again, as a real
        // operator does after a restart. (Only here, never on updates, which may be stale.)
        runs.computeIfAbsent(key(resource), k -> executor.submit(() -> drive(resource, true)));
      }
    }

    @Override
    public void onUpdate(GenericKubernetesResource old, GenericKubernetesResource resource) {
      if (automatic
          && state(resource).isEmpty()
          && resource.getMetadata().getDeletionTimestamp() == null) {
        runs.computeIfAbsent(key(resource), k -> executor.submit(() -> drive(resource, false)));
      }
    }

    @Override
    public void onDelete(GenericKubernetesResource resource, boolean finalStateUnknown) {
      lost.remove(key(resource));
      locks.remove(key(resource));
      stateOf.remove(key(resource));
      enteredAt.remove(key(resource));
      Future<?> run = runs.remove(key(resource));
      if (run != null) {
        run.cancel(true);
      }
      // The real cluster's garbage collector removes the pods via their owner references.
      deletePodsQuietly(resource);
    }
  }

  /**
   * Pods of the script's kind: the simulated garbage collector removes a pod whose owner is gone
   * (Kubernetes' garbage collector deletes dependents whose owners are all absent, also a pod
   * created after its owner was deleted: spark-operator#1558), and in automatic mode a vanished
   * main pod is reconciled as the operator does ({@link #reconcileMainPod}).
   */
  private final class PodHandler implements ResourceEventHandler<Pod> {
    @Override
    public void onAdd(Pod pod) {
      owner(pod)
          .ifPresent(
              owner ->
                  runQuietly(
                      () -> {
                        try {
                          String ns = pod.getMetadata().getNamespace();
                          GenericKubernetesResource current =
                              resources().inNamespace(ns).withName(owner.getName()).get();
                          if (current == null
                              || !owner.getUid().equals(current.getMetadata().getUid())) {
                            log.info(
                                "simulated garbage collector: deleting pod {}/{}, its owner {} {}"
                                    + " is gone",
                                ns,
                                pod.getMetadata().getName(),
                                owner.getKind(),
                                owner.getName());
                            client
                                .pods()
                                .inNamespace(ns)
                                .withName(pod.getMetadata().getName())
                                .delete();
                          }
                        } catch (KubernetesClientException | IllegalStateException e) {
                          log.debug("simulated garbage collector: {}", e.toString());
                        }
                      }));
    }

    @Override
    public void onUpdate(Pod old, Pod pod) {}

    @Override
    public void onDelete(Pod pod, boolean finalStateUnknown) {
      if (!automatic || script.podLoss().states().isEmpty()) {
        return;
      }
      owner(pod)
          .ifPresent(
              owner ->
                  runQuietly(
                      () -> {
                        String ns = pod.getMetadata().getNamespace();
                        try {
                          // Requeued while inside the grace period, as the operator does.
                          while (check(ns, owner.getName()) == PodCheck.IN_GRACE) {
                            Thread.sleep(50);
                          }
                          reconcileMainPod(ns, owner.getName());
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt();
                        } catch (KubernetesClientException | IllegalStateException e) {
                          log.debug("simulated operator: pod loss check: {}", e.toString());
                        }
                      }));
    }

    private java.util.Optional<io.fabric8.kubernetes.api.model.OwnerReference> owner(Pod pod) {
      List<io.fabric8.kubernetes.api.model.OwnerReference> refs =
          pod.getMetadata().getOwnerReferences();
      return refs == null
          ? java.util.Optional.empty()
          : refs.stream()
              .filter(r -> script.identity().kind().equals(r.getKind()))
              .filter(r -> script.identity().apiVersion().equals(r.getApiVersion()))
              .findFirst();
    }
  }

  private void runQuietly(Runnable task) {
    try {
      executor.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("simulated operator closed: {}", e.toString());
    }
  }

  private enum PodCheck {
    NO_LOSS,
    IN_GRACE,
    LOST
  }

  private Object lock(String key) {
    return locks.computeIfAbsent(key, k -> new Object());
  }

  /** Whether the main pod of a non-terminal resource is missing, and if so whether in grace. */
  private PodCheck check(String namespace, String name) {
    OperatorScript.PodLoss loss = script.podLoss();
    if (loss.states().isEmpty() || script.pods().isEmpty()) {
      return PodCheck.NO_LOSS;
    }
    GenericKubernetesResource resource = resources().inNamespace(namespace).withName(name).get();
    if (resource == null || resource.getMetadata().getDeletionTimestamp() != null) {
      return PodCheck.NO_LOSS;
    }
    String state = state(resource);
    OperatorScript.PodTemplate main = script.pods().get(0);
    if (state.isEmpty()
        || script.terminalStates().contains(state)
        || main.absentIn().contains(state)
        || lost.contains(namespace + "/" + name)) {
      return PodCheck.NO_LOSS; // no main pod expected (yet, or any more)
    }
    String podName = Templates.render(main.name(), resource, variables(resource, "", ""));
    if (client.pods().inNamespace(namespace).withName(podName).get() != null) {
      return PodCheck.NO_LOSS;
    }
    if (loss.graceStates().contains(state)) {
      java.time.Instant since = enteredAt.getOrDefault(namespace + "/" + name, clock.instant());
      if (clock.instant().isBefore(since.plus(loss.grace()))) {
        return PodCheck.IN_GRACE;
      }
    }
    return PodCheck.LOST;
  }

  /**
   * The operator's next reconcile of the resource, as far as its main pod goes: when the main pod
   * of a non-terminal resource is missing (outside the script's grace period), stops the run and
   * writes the script's {@link OperatorScript.PodLoss} states. In scripted mode a test calls it
   * after {@link #deletePods}; in automatic mode a pod deletion triggers it.
   *
   * @return whether the pod was lost and the loss states were written; false when the pod is there,
   *     no pod is expected, or the operator still waits inside its grace period
   */
  public boolean reconcileMainPod(String namespace, String name) {
    String key = namespace + "/" + name;
    synchronized (lock(key)) {
      PodCheck check = check(namespace, name);
      if (check != PodCheck.LOST) {
        if (check == PodCheck.IN_GRACE) {
          log.info(
              "simulated operator: main pod of {} not found, inside the grace period: requeued",
              key);
        }
        return false;
      }
      lost.add(key);
      Future<?> run = runs.remove(key);
      if (run != null) {
        run.cancel(true);
      }
      for (String state : script.podLoss().states()) {
        write(namespace, name, state, script.podLoss().message(), false);
      }
      log.info("simulated operator: main pod of {} vanished -> {}", key, script.podLoss().states());
      return true;
    }
  }

  /**
   * What a submission that read the resource before it was deleted does afterwards: it creates the
   * pods of {@code state} for {@code snapshot} (spark-operator#1558: pods created after the
   * SparkApplication was deleted). They carry the deleted resource's owner reference; the simulated
   * garbage collector removes them as Kubernetes' does.
   */
  public void submitLate(GenericKubernetesResource snapshot, String state) {
    Map<String, String> vars = variables(snapshot, "", "");
    List<String> args = Templates.readStrings(snapshot, script.argsPath());
    for (OperatorScript.PodTemplate pod : script.pods()) {
      if (!pod.absentIn().contains(state)) {
        ensurePod(snapshot, pod, vars, args);
      }
    }
  }

  /** The automatic life of one resource; {@code resume} skips the start states. */
  private void drive(GenericKubernetesResource resource, boolean resume) {
    String ns = resource.getMetadata().getNamespace();
    String name = resource.getMetadata().getName();
    try {
      if (!resume) {
        String problem = rejection(resource);
        if (problem != null) {
          step(ns, name, script.rejectedState(), problem);
          return;
        }
        for (String state : script.startStates()) {
          step(ns, name, state, "");
          Thread.sleep(stepDelay.toMillis());
        }
      }
      step(ns, name, script.runningState(), "");
      GenericKubernetesResource current =
          reconcile(ns, name, () -> resources().inNamespace(ns).withName(name).get());
      if (current == null) {
        return;
      }
      SimulatedWorkload.Outcome outcome;
      try {
        outcome =
            workload.run(
                new SimulatedWorkload.Task(
                    current,
                    Templates.readStrings(current, script.argsPath()),
                    Templates.readEnv(current, script.envPath())));
      } catch (RuntimeException e) {
        outcome = SimulatedWorkload.Outcome.failure("the workload failed: " + e);
      }
      List<String> states = outcome.succeeded() ? script.successStates() : script.failureStates();
      for (int i = 0; i < states.size(); i++) {
        if (i > 0) {
          Thread.sleep(stepDelay.toMillis());
        }
        step(ns, name, states.get(i), outcome.message());
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

  private void step(String ns, String name, String state, String error)
      throws InterruptedException {
    String key = ns + "/" + name;
    reconcile(
        ns,
        name,
        () -> {
          synchronized (lock(key)) {
            if (!lost.contains(key)) {
              moveTo(ns, name, state, error);
            }
          }
          return null;
        });
    if (lost.contains(key)) {
      throw new InterruptedException("the main pod of " + key + " vanished");
    }
  }

  /**
   * Runs one API step, retrying (bounded, with backoff) when the API server fails or times out: a
   * real operator requeues the resource rather than abandoning it, so a slow API server must not
   * leave a resource half-way forever. A 404 (the resource is gone) ends the run at once.
   */
  private <T> T reconcile(String ns, String name, Supplier<T> call) throws InterruptedException {
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

  /** The message of the first required field that is missing, or null. */
  private String rejection(GenericKubernetesResource resource) {
    for (Map.Entry<String, String> required : script.required().entrySet()) {
      Object value = Templates.read(resource, required.getKey());
      if (value == null || value.toString().isBlank()) {
        return Templates.render(
            required.getValue(), resource, variables(resource, "", required.getKey()));
      }
    }
    return null;
  }

  /**
   * Writes the status the operator writes in {@code state} (through the status subresource), and
   * makes, updates or removes its pods as the script says. In scripted mode this is how a test
   * moves a resource.
   *
   * @param error the message for {@code {error}} (failure states); "" otherwise
   * @throws KubernetesClientException (404) when the resource does not exist
   * @throws IllegalArgumentException when the script has no status for {@code state}
   */
  public void moveTo(String namespace, String name, String state, String error) {
    write(namespace, name, state, error, true);
  }

  private void write(String namespace, String name, String state, String error, boolean makePods) {
    Map<String, Object> template =
        script
            .statuses()
            .getOrDefault(state, script.statuses().get(OperatorScript.ANY_OTHER_STATE));
    if (template == null) {
      throw new IllegalArgumentException(
          script.identity().kind()
              + " simulation has no status for state '"
              + state
              + "'; it knows "
              + script.statuses().keySet().stream().sorted().toList());
    }
    GenericKubernetesResource resource = resources().inNamespace(namespace).withName(name).get();
    if (resource == null) {
      throw new KubernetesClientException(
          script.identity().kind() + " " + namespace + "/" + name + " does not exist", 404, null);
    }
    Map<String, String> vars = variables(resource, error, "");
    vars.put("state", state);
    List<String> args = Templates.readStrings(resource, script.argsPath());
    for (OperatorScript.PodTemplate pod : script.pods()) {
      if (makePods && !pod.absentIn().contains(state)) {
        ensurePod(resource, pod, vars, args);
        String phase = pod.phases().get(state);
        if (phase != null) {
          setPodPhase(namespace, Templates.render(pod.name(), resource, vars), phase);
        }
      }
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> status =
        (Map<String, Object>) Templates.renderValue(template, resource, vars, args);
    // An operator retries a status write that lost the optimistic lock (409: the runtime labelled
    // the resource meanwhile, e.g. markReported); editStatus re-reads the object on each try.
    for (int attempt = 1; ; attempt++) {
      try {
        resources()
            .inNamespace(namespace)
            .withName(name)
            .editStatus(
                current -> {
                  current.setAdditionalProperty("status", status);
                  return current;
                });
        break;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 5) {
          throw e;
        }
      }
    }
    String key = namespace + "/" + name;
    if (!state.equals(stateOf.put(key, state))) {
      enteredAt.put(key, clock.instant());
    }
    log.info("simulated operator: {}/{} -> {}", namespace, name, state.isEmpty() ? "\"\"" : state);
  }

  /**
   * Deletes the resource's pods as a node failure or an eviction would, leaving the resource and
   * its status as they are (edge cases: a vanished driver or JobManager).
   */
  public void deletePods(String namespace, String name) {
    GenericKubernetesResource resource = resources().inNamespace(namespace).withName(name).get();
    if (resource == null) {
      throw new KubernetesClientException(
          script.identity().kind() + " " + namespace + "/" + name + " does not exist", 404, null);
    }
    for (OperatorScript.PodTemplate pod : script.pods()) {
      client
          .pods()
          .inNamespace(namespace)
          .withName(Templates.render(pod.name(), resource, variables(resource, "", "")))
          .delete();
    }
  }

  private Map<String, String> variables(
      GenericKubernetesResource resource, String error, String field) {
    String ns = resource.getMetadata().getNamespace();
    String name = resource.getMetadata().getName();
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("name", name);
    vars.put("namespace", ns);
    vars.put("uid", String.valueOf(resource.getMetadata().getUid()));
    vars.put("error", error);
    vars.put("field", field);
    vars.put("now", clock.instant().toString());
    // Like an operator's ids: unique per resource (here: stable for one namespace/name).
    vars.put("id", digest(ns + "/" + name));
    return vars;
  }

  private void ensurePod(
      GenericKubernetesResource resource,
      OperatorScript.PodTemplate template,
      Map<String, String> vars,
      List<String> args) {
    String ns = resource.getMetadata().getNamespace();
    String podName = Templates.render(template.name(), resource, vars);
    if (client.pods().inNamespace(ns).withName(podName).get() != null) {
      return;
    }
    Map<String, String> labels = new LinkedHashMap<>();
    if (Templates.read(resource, template.labelsPath()) instanceof Map<?, ?> extra) {
      extra.forEach((k, v) -> labels.put(String.valueOf(k), String.valueOf(v)));
    }
    template.labels().forEach((k, v) -> labels.put(k, Templates.render(v, resource, vars)));
    List<EnvVar> env = new ArrayList<>();
    Templates.readEnv(resource, script.envPath())
        .forEach((k, v) -> env.add(new EnvVar(k, v, null)));
    @SuppressWarnings("unchecked")
    List<String> podArgs =
        ((List<Object>) Templates.renderValue(template.args(), resource, vars, args))
            .stream().map(String::valueOf).toList();
    String account = Templates.readString(resource, template.serviceAccountPath());
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(podName)
            .withNamespace(ns)
            .withLabels(labels)
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion(script.identity().apiVersion())
                    .withKind(script.identity().kind())
                    .withName(resource.getMetadata().getName())
                    .withUid(resource.getMetadata().getUid())
                    .withController(true)
                    .build())
            .endMetadata()
            .withNewSpec()
            .withServiceAccountName(account.isEmpty() ? null : account)
            .withContainers(
                new ContainerBuilder()
                    .withName(template.container())
                    .withImage(Templates.render(template.image(), resource, vars))
                    .withArgs(podArgs)
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

  /** The pod's phase as the kubelet would report it. */
  private void setPodPhase(String namespace, String podName, String phase) {
    try {
      client
          .pods()
          .inNamespace(namespace)
          .withName(podName)
          .editStatus(
              pod -> {
                pod.setStatus(new PodStatusBuilder().withPhase(phase).build());
                return pod;
              });
    } catch (KubernetesClientException e) {
      log.debug("could not update the simulated pod {}/{}: {}", namespace, podName, e.getMessage());
    }
  }

  private void deletePodsQuietly(GenericKubernetesResource resource) {
    try {
      for (OperatorScript.PodTemplate pod : script.pods()) {
        client
            .pods()
            .inNamespace(resource.getMetadata().getNamespace())
            .withName(Templates.render(pod.name(), resource, variables(resource, "", "")))
            .delete();
      }
    } catch (KubernetesClientException | IllegalStateException e) {
      // IllegalStateException: the client was closed while the deletion event was delivered
      // (the embedded cluster shutting down); the pods go with the API server.
      log.debug(
          "could not delete the simulated pods of {}: {}",
          resource.getMetadata().getName(),
          e.getMessage());
    }
  }

  private String state(GenericKubernetesResource resource) {
    return Templates.readString(resource, script.statePath());
  }

  private static String key(GenericKubernetesResource resource) {
    return resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
  }

  private static String digest(String key) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }

  /** Whether a simulated run is in progress for this resource (tests). */
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
    if (podInformer != null) {
      podInformer.close();
      podInformer = null;
    }
    runs.values().forEach(f -> f.cancel(true));
    runs.clear();
    executor.shutdownNow();
  }
}
