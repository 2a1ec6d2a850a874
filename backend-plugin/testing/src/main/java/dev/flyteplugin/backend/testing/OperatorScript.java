package dev.flyteplugin.backend.testing;

import static java.util.Objects.requireNonNull;

import dev.flyteplugin.backend.api.ResourceIdentity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A declarative description of an operator, played by {@link SimulatedOperator}: which status it
 * writes for each state (through the status subresource), which states it walks through, where the
 * task's args and env live in the spec, which fields it requires, and which pods it makes.
 *
 * <p>Templates: strings may hold {@code {name}}, {@code {namespace}}, {@code {uid}}, {@code
 * {error}}, {@code {now}} (an RFC 3339 instant), {@code {id}} (16 hex digits, stable per resource)
 * and {@code {spec.some.path}} (a value of the resource). A list element that is exactly {@code
 * {args...}} is replaced by the task's args. A map entry whose value renders to "" is left out.
 *
 * @param identity the custom resource kind
 * @param statePath where the state lives in the resource, e.g. {@code
 *     status.applicationState.state}
 * @param argsPath where the task's container args live in the resource, e.g. {@code spec.arguments}
 * @param envPath where the main container's env ({@code [{name, value}]}) lives
 * @param required spec paths the operator refuses to run without, each with the message it writes
 *     (a template; {@code {field}} is the path)
 * @param rejectedState written with the message as {@code {error}} when a required field is missing
 * @param startStates walked before the workload runs, {@code stepDelay} apart
 * @param runningState held while the workload runs
 * @param successStates walked when the workload succeeded
 * @param failureStates walked with its message as {@code {error}} when the workload failed
 * @param terminalStates states the operator is done in (not resumed after a restart)
 * @param statuses the status written for each state; under {@link #ANY_OTHER_STATE}, the status for
 *     a state the script does not list ({@code {state}} is the state), e.g. to check that a plugin
 *     survives an operator release that adds a state
 * @param pods the pods the operator makes; the first is the main one (Spark's driver, Flink's
 *     JobManager)
 * @param podLoss what the operator writes when the main pod vanishes (node loss, eviction, a manual
 *     delete) while the resource is not terminal
 */
public record OperatorScript(
    ResourceIdentity identity,
    String statePath,
    String argsPath,
    String envPath,
    Map<String, String> required,
    String rejectedState,
    List<String> startStates,
    String runningState,
    List<String> successStates,
    List<String> failureStates,
    Set<String> terminalStates,
    Map<String, Map<String, Object>> statuses,
    List<PodTemplate> pods,
    PodLoss podLoss) {

  /** The key of {@link #statuses} for states the script does not list. */
  public static final String ANY_OTHER_STATE = "*";

  public OperatorScript {
    requireNonNull(identity, "identity");
    requireNonNull(statePath, "statePath");
    requireNonNull(argsPath, "argsPath");
    requireNonNull(envPath, "envPath");
    required = Map.copyOf(required);
    requireNonNull(rejectedState, "rejectedState");
    startStates = List.copyOf(startStates);
    requireNonNull(runningState, "runningState");
    successStates = List.copyOf(successStates);
    failureStates = List.copyOf(failureStates);
    terminalStates = Set.copyOf(terminalStates);
    statuses = Map.copyOf(statuses);
    pods = List.copyOf(pods);
    requireNonNull(podLoss, "podLoss");
    List<String> walked = new ArrayList<>(startStates);
    walked.addAll(podLoss.states());
    walked.add(runningState);
    walked.addAll(successStates);
    walked.addAll(failureStates);
    walked.add(rejectedState);
    for (String state : walked) {
      if (!statuses.containsKey(state)) {
        throw new IllegalArgumentException(
            identity.kind() + " simulation walks state '" + state + "' but has no status for it");
      }
    }
  }

  /**
   * What the operator does when the main pod of a non-terminal resource is missing, e.g.
   * kubeflow/spark-operator v2.5.2 {@code internal/controller/sparkapplication/controller.go},
   * {@code updateDriverState}: outside the driver-pod-creation grace period (only in SUBMITTED,
   * counted from the submission) it writes FAILING with "driver pod not found", then FAILED ({@code
   * reconcileFailingSparkApplication}, no retries left); inside it, it requeues and writes nothing
   * (spark-operator#2302).
   *
   * @param states the states walked, with {@code message} as {@code {error}}; empty: the operator
   *     does not notice (the resource stays as it is)
   * @param message the error message it writes
   * @param graceStates states in which a missing main pod is waited for first
   * @param grace how long, from when the resource entered such a state
   */
  public record PodLoss(
      List<String> states, String message, Set<String> graceStates, java.time.Duration grace) {
    public PodLoss {
      states = List.copyOf(states);
      requireNonNull(message, "message");
      graceStates = Set.copyOf(graceStates);
      requireNonNull(grace, "grace");
    }

    /** The operator does not notice a vanished pod. */
    public static PodLoss none() {
      return new PodLoss(List.of(), "", Set.of(), java.time.Duration.ZERO);
    }
  }

  /**
   * A pod the operator makes for each resource.
   *
   * @param name template of the pod's name, e.g. {@code {name}-driver}
   * @param container its main container's name
   * @param labels its labels (templates)
   * @param labelsPath a map of further labels in the resource, e.g. {@code spec.driver.labels}
   * @param image template of its image, e.g. {@code {spec.image}}
   * @param args templates of its container args, e.g. {@code [driver, {spec.mainClass}, {args...}]}
   * @param serviceAccountPath where its service account lives in the resource
   * @param phases the pod's phase in each state; states not listed leave it as it is
   * @param absentIn states in which the pod does not exist yet (or any more)
   */
  public record PodTemplate(
      String name,
      String container,
      Map<String, String> labels,
      String labelsPath,
      String image,
      List<String> args,
      String serviceAccountPath,
      Map<String, String> phases,
      Set<String> absentIn) {
    public PodTemplate {
      requireNonNull(name, "name");
      requireNonNull(container, "container");
      labels = Map.copyOf(labels);
      requireNonNull(labelsPath, "labelsPath");
      requireNonNull(image, "image");
      args = List.copyOf(args);
      requireNonNull(serviceAccountPath, "serviceAccountPath");
      phases = Map.copyOf(phases);
      absentIn = Set.copyOf(absentIn);
    }
  }

  /** This script with another reaction to a vanished main pod (e.g. a shorter grace period). */
  public OperatorScript withPodLoss(PodLoss loss) {
    return new OperatorScript(
        identity,
        statePath,
        argsPath,
        envPath,
        required,
        rejectedState,
        startStates,
        runningState,
        successStates,
        failureStates,
        terminalStates,
        statuses,
        pods,
        loss);
  }

  public static Builder builder(ResourceIdentity identity) {
    return new Builder(identity);
  }

  /** Builds a script step by step, in the order an operator works. */
  public static final class Builder {
    private final ResourceIdentity identity;
    private String statePath = "status.state";
    private String argsPath = "spec.args";
    private String envPath = "spec.env";
    private final Map<String, String> required = new LinkedHashMap<>();
    private String rejectedState = "";
    private final List<String> startStates = new ArrayList<>();
    private String runningState = "";
    private final List<String> successStates = new ArrayList<>();
    private final List<String> failureStates = new ArrayList<>();
    private final Set<String> terminalStates = new LinkedHashSet<>();
    private final Map<String, Map<String, Object>> statuses = new LinkedHashMap<>();
    private final List<PodTemplate> pods = new ArrayList<>();
    private PodLoss podLoss = PodLoss.none();

    private Builder(ResourceIdentity identity) {
      this.identity = requireNonNull(identity, "identity");
    }

    public Builder statePath(String path) {
      this.statePath = path;
      return this;
    }

    /** Where the task's container args and the main container's env live in the resource. */
    public Builder task(String argsPath, String envPath) {
      this.argsPath = argsPath;
      this.envPath = envPath;
      return this;
    }

    /** A field the operator refuses to run without, with the message it then writes. */
    public Builder requires(String path, String message) {
      required.put(path, message);
      return this;
    }

    public Builder rejectedIn(String state) {
      this.rejectedState = state;
      return this;
    }

    /** The states walked: before the workload, while it runs, after success, after failure. */
    public Builder walks(
        List<String> start, String running, List<String> success, List<String> failure) {
      startStates.addAll(start);
      runningState = running;
      successStates.addAll(success);
      failureStates.addAll(failure);
      return this;
    }

    public Builder terminal(String... states) {
      terminalStates.addAll(List.of(states));
      return this;
    }

    /** The status written for any state not listed ({@code {state}} is the state). */
    public Builder statusOfAnyOtherState(Map<String, Object> status) {
      statuses.put(ANY_OTHER_STATE, status);
      return this;
    }

    /** The status written for {@code state}. */
    public Builder status(String state, Map<String, Object> status) {
      statuses.put(state, status);
      return this;
    }

    public Builder pod(PodTemplate pod) {
      pods.add(pod);
      return this;
    }

    /** What the operator writes when the main pod vanishes (see {@link PodLoss}). */
    public Builder onMainPodLost(PodLoss loss) {
      this.podLoss = loss;
      return this;
    }

    public OperatorScript build() {
      return new OperatorScript(
          identity,
          statePath,
          argsPath,
          envPath,
          required,
          rejectedState,
          startStates,
          runningState,
          successStates,
          failureStates,
          terminalStates,
          statuses,
          pods,
          podLoss);
    }
  }
}
