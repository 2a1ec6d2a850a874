package dev.flyteplugin.runner;

import static java.util.Objects.requireNonNull;

import dev.flyteplugin.backend.runtime.TaskCategory;
import dev.flyteplugin.backend.runtime.TaskHandle;
import dev.flyteplugin.backend.runtime.TaskRuntime;
import dev.flyteplugin.jflyte.execute.Storage;
import dev.flyteplugin.jflyte.load.LoadedProject;
import dev.flyteplugin.jflyte.load.ProjectLoader;
import dev.flyteplugin.jflyte.serialize.IdentifierDefaults;
import dev.flyteplugin.jflyte.serialize.ProtoConverter;
import dev.flyteplugin.jflyte.serialize.TaskTemplates;
import flyteidl.core.Tasks;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.flyte.api.v1.LaunchPlan;
import org.flyte.api.v1.LaunchPlanIdentifier;
import org.flyte.api.v1.Literal;
import org.flyte.api.v1.RunnableTask;
import org.flyte.api.v1.TaskIdentifier;
import org.flyte.api.v1.WorkflowTemplate;
import org.flyte.localengine.ExecutionContext;
import org.flyte.localengine.ExecutionListener;
import org.flyte.localengine.ExecutionNode;
import org.flyte.localengine.LocalEngine;

/**
 * Runs a flytekit-java workflow the way Flyte would, with its plugin tasks going through the
 * backend: plain tasks run in this JVM (flytekit-java's LocalEngine), and every task whose type a
 * backend plugin serves is turned into a TaskTemplate, created as a custom resource by the {@link
 * TaskRuntime}, followed through its phases and read back from its output prefix as protobuf files.
 *
 * <p>It works the same on the embedded default ({@link EmbeddedBackend}: in-process Kubernetes API
 * and the simulated operator) and on a real cluster (a runtime on a real client; then the storage
 * must be reachable from the cluster, e.g. {@code s3://}). Use it in tests of your own workflows:
 * flytekit-java's own testing tools cannot run plugin tasks.
 */
public final class WorkflowRunner {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Supplier<TaskRuntime> runtime;
  private final ClassLoader userCode;
  private final Storage storage;
  private final String storageRoot;
  private final String namespace;
  private final String image;
  private final String project;
  private final String domain;
  private final String version;
  private final Duration pollInterval;
  private final RunListener listener;
  private final Clock clock;
  private final LoadedProject loaded;
  private final ProtoConverter converter;
  private final Set<TaskHandle> active = ConcurrentHashMap.newKeySet();
  private volatile boolean aborted;

  private WorkflowRunner(Builder b) {
    this.runtime = memoized(requireNonNull(b.runtime, "runtime"));
    this.userCode = b.userCode;
    this.storage = Storage.load(userCode, b.env);
    this.storageRoot = stripSlash(requireNonNull(b.storageRoot, "storageRoot"));
    this.namespace = b.namespace;
    this.image = b.image;
    this.project = b.project;
    this.domain = b.domain;
    this.version = b.version;
    this.pollInterval = b.pollInterval;
    this.listener = b.listener;
    this.clock = b.clock;
    // The registrars name entities with the project, domain and version they find here.
    Map<String, String> env = new HashMap<>(b.env);
    env.putIfAbsent("FLYTE_INTERNAL_PROJECT", project);
    env.putIfAbsent("FLYTE_INTERNAL_DOMAIN", domain);
    env.putIfAbsent("FLYTE_INTERNAL_VERSION", version);
    this.loaded = ProjectLoader.load(userCode, env);
    this.converter = new ProtoConverter(new IdentifierDefaults(project, domain, version));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The names of the workflows the user code declares. */
  public Set<String> workflowNames() {
    Set<String> names = new TreeSet<>();
    loaded.workflows().keySet().forEach(id -> names.add(id.name()));
    return names;
  }

  /** The launch plan's fixed and default inputs, to run a workflow the way it would be launched. */
  public Map<String, Literal> launchPlanInputs(String launchPlanName) {
    LaunchPlan plan =
        loaded.launchPlans().entrySet().stream()
            .filter(e -> e.getKey().name().equals(launchPlanName))
            .map(Map.Entry::getValue)
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "no launch plan named '"
                            + launchPlanName
                            + "'; known: "
                            + new TreeSet<>(
                                loaded.launchPlans().keySet().stream()
                                    .map(LaunchPlanIdentifier::name)
                                    .toList())));
    Map<String, Literal> inputs = new LinkedHashMap<>();
    plan.defaultInputs()
        .forEach(
            (name, parameter) -> {
              if (parameter.defaultValue() != null) {
                inputs.put(name, parameter.defaultValue());
              }
            });
    inputs.putAll(plan.fixedInputs());
    return inputs;
  }

  /** The workflow's template, e.g. to read its interface. */
  public WorkflowTemplate workflow(String workflowName) {
    return loaded.workflows().entrySet().stream()
        .filter(e -> e.getKey().name().equals(workflowName))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no workflow named '" + workflowName + "'; known: " + workflowNames()));
  }

  /** The launch plan of that name's workflow name. */
  public String workflowOfLaunchPlan(String launchPlanName) {
    return loaded.launchPlans().entrySet().stream()
        .filter(e -> e.getKey().name().equals(launchPlanName))
        .map(e -> e.getValue().workflowId().name())
        .findFirst()
        .orElseThrow(
            () -> new IllegalArgumentException("no launch plan named '" + launchPlanName + "'"));
  }

  /**
   * Runs the workflow to the end.
   *
   * @return the workflow's outputs
   * @throws RuntimeException the failing node's error (a flytekit-api {@code ContainerError} for a
   *     task failure), after LocalEngine's retries
   */
  public Map<String, Literal> run(String workflowName, Map<String, Literal> inputs) {
    WorkflowTemplate template = workflow(workflowName);
    Run run = new Run("wr-" + HexFormat.of().formatHex(RANDOM.generateSeed(5)));
    Map<String, RunnableTask> tasks = new HashMap<>();
    loaded.runnableTasks().forEach((id, task) -> tasks.put(task.getName(), routed(id, task, run)));
    Map<String, WorkflowTemplate> workflows = new HashMap<>();
    loaded.workflows().forEach((id, wf) -> workflows.put(id.name(), wf));
    ExecutionContext context =
        ExecutionContext.builder()
            .runnableTasks(tasks)
            .workflowTemplates(workflows)
            .executionListener(run.engineListener())
            .build();
    return ProjectLoader.withContextClassLoader(
        userCode, () -> new LocalEngine(context).compileAndExecute(template, inputs));
  }

  /**
   * Aborts the plugin tasks running now (for Ctrl-C): deletes their resources.
   *
   * @return how many were aborted
   */
  public int abortRunning() {
    aborted = true; // no new task starts, and LocalEngine does not retry the aborted ones
    int count = 0;
    for (TaskHandle handle : Set.copyOf(active)) {
      runtime.get().abort(handle);
      listener.aborted(handle);
      active.remove(handle);
      count++;
    }
    return count;
  }

  /** Starts the backend now (it otherwise starts when the first task is routed). */
  public void startBackend() {
    runtime.get();
  }

  /** A backend-served task goes through the backend; any other runs in this JVM. */
  private RunnableTask routed(TaskIdentifier id, RunnableTask task, Run run) {
    Tasks.TaskTemplate template = converter.taskTemplate(id, TaskTemplates.runnable(task, image));
    TaskCategory category = new TaskCategory(template.getType(), template.getTaskTypeVersion());
    return runtime.get().taskCategories().contains(category)
        ? new BackendTask(task, template, run)
        : task;
  }

  /** Calls {@code supplier} once, on first use, from any thread. */
  private static Supplier<TaskRuntime> memoized(Supplier<? extends TaskRuntime> supplier) {
    return new Supplier<>() {
      private TaskRuntime value;

      @Override
      public synchronized TaskRuntime get() {
        if (value == null) {
          value = requireNonNull(supplier.get(), "the runtime supplier returned null");
        }
        return value;
      }
    };
  }

  private static String stripSlash(String uri) {
    return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
  }

  /** The state of one workflow execution. */
  final class Run {
    private final String executionName;
    private final Map<String, Integer> attempts = new ConcurrentHashMap<>();
    private final Map<String, Instant> started = new ConcurrentHashMap<>();
    private volatile String currentNode;

    Run(String executionName) {
      this.executionName = executionName;
    }

    String executionName() {
      return executionName;
    }

    String storagePrefix() {
      return storageRoot + "/" + executionName;
    }

    /** LocalEngine runs nodes one at a time and announces each before running it. */
    String currentNode(String fallback) {
      return currentNode == null ? fallback : currentNode;
    }

    int nextAttempt(String nodeId) {
      return attempts.merge(nodeId, 1, Integer::sum) - 1;
    }

    TaskRuntime runtime() {
      return runtime.get();
    }

    Storage storage() {
      return storage;
    }

    RunListener listener() {
      return listener;
    }

    Clock clock() {
      return clock;
    }

    Duration pollInterval() {
      return pollInterval;
    }

    String namespace() {
      return namespace;
    }

    String project() {
      return project;
    }

    String domain() {
      return domain;
    }

    boolean aborted() {
      return aborted;
    }

    void track(TaskHandle handle) {
      active.add(handle);
    }

    void untrack(TaskHandle handle) {
      active.remove(handle);
    }

    void abort(TaskHandle handle) {
      if (active.remove(handle)) {
        runtime.get().abort(handle);
        listener.aborted(handle);
      }
    }

    /** The file's bytes, or null when there is no such file. */
    byte[] readIfPresent(String uri) {
      try {
        return storage.read(uri);
      } catch (NoSuchFileException e) {
        return null;
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("cannot read " + uri, e);
      }
    }

    ExecutionListener engineListener() {
      return new ExecutionListener() {
        @Override
        public void pending(ExecutionNode node) {}

        @Override
        public void starting(ExecutionNode node, Map<String, Literal> inputs) {
          currentNode = node.nodeId();
          started.put(node.nodeId(), clock.instant());
          if (node.runnableNode() != null && !(node.runnableNode() instanceof BackendTask)) {
            listener.localTaskStarted(node.nodeId(), node.runnableNode().getName());
          }
        }

        @Override
        public void retrying(
            ExecutionNode node, Map<String, Literal> inputs, Throwable e, int attempt) {
          listener.nodeFailed(node.nodeId(), e, elapsed(node));
        }

        @Override
        public void error(ExecutionNode node, Map<String, Literal> inputs, Throwable e) {
          listener.nodeFailed(node.nodeId(), e, elapsed(node));
        }

        @Override
        public void completed(
            ExecutionNode node, Map<String, Literal> inputs, Map<String, Literal> outputs) {
          listener.nodeSucceeded(node.nodeId(), outputs, elapsed(node));
        }

        private Duration elapsed(ExecutionNode node) {
          Instant start = started.getOrDefault(node.nodeId(), clock.instant());
          return Duration.between(start, clock.instant());
        }
      };
    }
  }

  /** Settings of a runner; only the runtime and the storage root are required. */
  public static final class Builder {
    private Supplier<? extends TaskRuntime> runtime;
    private ClassLoader userCode = Thread.currentThread().getContextClassLoader();
    private Map<String, String> env = System.getenv();
    private String storageRoot;
    private String namespace = "flytesnacks-development";
    private String image = "flyteplugin/example-task:embedded";
    private String project = "flytesnacks";
    private String domain = "development";
    private String version = "local";
    private Duration pollInterval = Duration.ofMillis(100);
    private RunListener listener = new RunListener() {};
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The backend that runs plugin tasks. */
    public Builder runtime(TaskRuntime value) {
      requireNonNull(value, "runtime");
      this.runtime = () -> value;
      return this;
    }

    /**
     * A runtime started on first use: the user code is loaded and workflows and inputs can be
     * checked before a cluster (or the embedded one) is reached.
     */
    public Builder runtime(Supplier<? extends TaskRuntime> value) {
      this.runtime = value;
      return this;
    }

    /** Where the user's tasks, workflows and launch plans are loaded from. */
    public Builder userCode(ClassLoader value) {
      this.userCode = requireNonNull(value);
      return this;
    }

    /** Environment for the registrars and the storage plugins (s3://, gs://). */
    public Builder env(Map<String, String> value) {
      this.env = Map.copyOf(value);
      return this;
    }

    /**
     * Where inputs, task templates and outputs go: {@code file:///...} on the embedded default, a
     * bucket the cluster can write ({@code s3://bucket/prefix}) on a real cluster.
     */
    public Builder storageRoot(String value) {
      this.storageRoot = value;
      return this;
    }

    /** Kubernetes namespace of the tasks' resources. */
    public Builder namespace(String value) {
      this.namespace = requireNonNull(value);
      return this;
    }

    /** The task image (user jars + jflyte) that the plugin tasks' pods run. */
    public Builder image(String value) {
      this.image = requireNonNull(value);
      return this;
    }

    public Builder project(String value) {
      this.project = requireNonNull(value);
      return this;
    }

    public Builder domain(String value) {
      this.domain = requireNonNull(value);
      return this;
    }

    public Builder version(String value) {
      this.version = requireNonNull(value);
      return this;
    }

    /** How often a plugin task's status is read (from the runtime's cache, not the API). */
    public Builder pollInterval(Duration value) {
      this.pollInterval = requireNonNull(value);
      return this;
    }

    public Builder listener(RunListener value) {
      this.listener = requireNonNull(value);
      return this;
    }

    public Builder clock(Clock value) {
      this.clock = requireNonNull(value);
      return this;
    }

    public WorkflowRunner build() {
      return new WorkflowRunner(this);
    }
  }
}
