package dev.flyteplugin.backend.agent;

import dev.flyteplugin.backend.api.TaskPolicy;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code flyte-agent}: serves the backend plugins to FlytePropeller over the agent protocol. Every
 * flag can also be set by the environment variable named in its help.
 */
@Command(
    name = "flyte-agent",
    mixinStandardHelpOptions = true,
    version = "flyte-agent 0.1.0",
    sortOptions = false,
    usageHelpWidth = 100,
    description = {
      "Serves flyteidl.service.AsyncAgentService and AgentMetadataService for the backend"
          + " plugins on the class path (found through ServiceLoader; listed at the end).",
      "Every flag can also be set by the environment variable named in its description.",
      ""
    })
public final class AgentMain implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--port",
      defaultValue = "${env:FLYTE_AGENT_PORT:-8000}",
      description = "gRPC port (env FLYTE_AGENT_PORT). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(
      names = "--metrics-port",
      defaultValue = "${env:FLYTE_AGENT_METRICS_PORT:-9090}",
      description =
          "Prometheus /metrics port; -1 disables it (env FLYTE_AGENT_METRICS_PORT)."
              + " Default: ${DEFAULT-VALUE}.")
  int metricsPort;

  @Option(
      names = "--agent-name",
      defaultValue = "${env:FLYTE_AGENT_NAME:-flyte-operator-agent}",
      description =
          "Name reported by ListAgents/GetAgent (env FLYTE_AGENT_NAME). Default: ${DEFAULT-VALUE}.")
  String agentName;

  @Option(
      names = "--embedded",
      defaultValue = "${env:FLYTE_AGENT_EMBEDDED:-false}",
      description =
          "Demo mode: an in-process, SIMULATED Kubernetes API (fabric8 mock server) and every"
              + " plugin's SIMULATED operator, running the task's container args in this JVM"
              + " (needs backend-plugin-testing in lib/, as in this distribution). Not for"
              + " production (env FLYTE_AGENT_EMBEDDED).")
  boolean embedded;

  @Option(
      names = "--kubeconfig",
      defaultValue = "${env:FLYTE_AGENT_KUBECONFIG}",
      description =
          "Kubeconfig file of the cluster; when unset, the in-cluster service account (or"
              + " $KUBECONFIG, ~/.kube/config) is used (env FLYTE_AGENT_KUBECONFIG).")
  Path kubeconfig;

  @Option(
      names = "--namespaces",
      split = ",",
      defaultValue = "${env:FLYTE_AGENT_NAMESPACES}",
      description =
          "Comma-separated namespaces the agent serves: it creates, reads, aborts and reads logs"
              + " of tasks only there, and watches only there (a namespaced Role per namespace"
              + " suffices). Outside --embedded give this or --all-namespaces"
              + " (env FLYTE_AGENT_NAMESPACES).")
  List<String> namespaces = new ArrayList<>();

  @Option(
      names = "--all-namespaces",
      defaultValue = "${env:FLYTE_AGENT_ALL_NAMESPACES:-false}",
      description =
          "Serve tasks of every namespace (needs the ClusterRole); the explicit alternative to"
              + " --namespaces (env FLYTE_AGENT_ALL_NAMESPACES). Default: ${DEFAULT-VALUE}.")
  boolean allNamespaces;

  @Option(
      names = "--allow-service-account-override",
      defaultValue = "${env:FLYTE_AGENT_ALLOW_SERVICE_ACCOUNT_OVERRIDE:-false}",
      description =
          "Let a task's config choose the service account of its pods; otherwise they run as the"
              + " execution's k8s_service_account, as Flyte's Go plugins do, and a task asking for"
              + " another fails permanently (env FLYTE_AGENT_ALLOW_SERVICE_ACCOUNT_OVERRIDE)."
              + " Default: ${DEFAULT-VALUE}.")
  boolean allowServiceAccountOverride;

  @Option(
      names = "--denied-conf-keys",
      defaultValue = "${env:FLYTE_AGENT_DENIED_CONF_KEYS}",
      description =
          "Comma-separated patterns ('*' = any characters) of operator configuration keys (e.g."
              + " Spark's sparkConf) a task may not set, for every plugin; a task that does fails"
              + " permanently naming the key. 'none' denies nothing. Default (unset or blank): each"
              + " plugin's own list of keys that reach the node or the cluster's credentials"
              + " (host-path volumes, secrets, API credentials, pod templates)"
              + " (env FLYTE_AGENT_DENIED_CONF_KEYS).")
  String deniedConfKeys;

  @Option(
      names = "--allowed-tolerations",
      defaultValue = "${env:FLYTE_AGENT_ALLOWED_TOLERATIONS}",
      description =
          "Comma-separated taint keys ('*' = any characters; '*' alone also allows a key-less"
              + " Exists) a task's pods may tolerate with effect NoSchedule or NoExecute; a task"
              + " tolerating another fails permanently naming the toleration. Default: none (a"
              + " task cannot reach nodes the cluster reserved by taints)"
              + " (env FLYTE_AGENT_ALLOWED_TOLERATIONS).")
  String allowedTolerations;

  @Option(
      names = "--allowed-priority-classes",
      defaultValue = "${env:FLYTE_AGENT_ALLOWED_PRIORITY_CLASSES}",
      description =
          "Comma-separated priority class names ('*' = any characters) a task's pods may ask"
              + " for; a task asking for another fails permanently naming the field. Default:"
              + " none (env FLYTE_AGENT_ALLOWED_PRIORITY_CLASSES).")
  String allowedPriorityClasses;

  @Option(
      names = "--ttl",
      defaultValue = "${env:FLYTE_AGENT_TTL:-PT1H}",
      description =
          "How long a finished resource is kept before the agent deletes it (propeller never calls"
              + " DeleteTask after success or failure), ISO-8601 duration (env FLYTE_AGENT_TTL)."
              + " Default: ${DEFAULT-VALUE}.")
  Duration ttl;

  @Option(
      names = "--plugins",
      split = ",",
      defaultValue = "${env:FLYTE_AGENT_PLUGINS}",
      description =
          "Comma-separated names of the plugins to serve (listed at the end of this help);"
              + " default: every plugin on the class path whose custom resource kind the cluster"
              + " has (a CRD read; without the right to read CRDs, every plugin)"
              + " (env FLYTE_AGENT_PLUGINS).")
  List<String> plugins;

  @Option(
      names = "--max-pre-running",
      defaultValue = "${env:FLYTE_AGENT_MAX_PRE_RUNNING:-PT0S}",
      description =
          "The longest a task may stay before running (queued, waiting for resources,"
              + " initializing: e.g. a SparkApplication stuck in SUBMITTED); then it fails as a"
              + " retryable PreRunningTimeout and its resource is deleted with its pods. Counted"
              + " from the resource's creation, so a restart does not reset it. ISO-8601 duration;"
              + " PT0S = no limit (env FLYTE_AGENT_MAX_PRE_RUNNING). Default: ${DEFAULT-VALUE}.")
  Duration maxPreRunning;

  @Option(
      names = "--plugin-config",
      paramLabel = "PLUGIN.KEY=VALUE",
      description =
          "A plugin's setting, e.g. --plugin-config spark.history-server-url=https://history."
              + " Repeatable. Each setting can also be given as the environment variable"
              + " FLYTEPLUGIN_<PLUGIN>_<KEY> (upper case, '-' as '_'); the flag wins. The plugins"
              + " on the class path and their settings are listed at the end of this help.")
  Map<String, String> pluginConfig;

  @Option(
      names = "--hmac-key-file",
      split = ",",
      defaultValue = "${env:FLYTE_AGENT_HMAC_KEY_FILE}",
      description =
          "File(s) holding the base64 HMAC-SHA256 keys (>= 32 bytes each) of resource_meta, one key"
              + " per line; several files comma-separated (env FLYTE_AGENT_HMAC_KEY_FILE). The"
              + " first key signs, every key verifies (rotation: new key first, old key kept until"
              + " its tasks are done). Make one: head -c 32 /dev/urandom | base64.")
  List<Path> hmacKeyFiles = new ArrayList<>();

  @Option(
      names = "--hmac-key",
      defaultValue = "${env:FLYTE_AGENT_HMAC_KEY}",
      description =
          "The HMAC key(s) themselves, base64, comma-separated, the signing key first (env"
              + " FLYTE_AGENT_HMAC_KEY); prefer --hmac-key-file. Required outside --embedded;"
              + " every replica of the agent needs the same keys.")
  String hmacKey;

  @Option(
      names = "--min-flyte-release",
      defaultValue = "${env:FLYTE_AGENT_MIN_FLYTE_RELEASE:-1.15.1}",
      description =
          "The oldest Flyte release whose propeller calls this agent (env"
              + " FLYTE_AGENT_MIN_FLYTE_RELEASE): 1.13.0 and later (agent-service plugin), 1.15.1"
              + " and later (connector-service). Below 1.16.0 propeller does not understand"
              + " RETRYABLE_FAILED, so retryable failures are reported FAILED with 'retryable'"
              + " in the message. Default: ${DEFAULT-VALUE}.")
  String minFlyteRelease;

  @Option(
      names = "--tls-cert",
      defaultValue = "${env:FLYTE_AGENT_TLS_CERT}",
      description = "PEM certificate chain; with --tls-key enables TLS (env FLYTE_AGENT_TLS_CERT).")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      defaultValue = "${env:FLYTE_AGENT_TLS_KEY}",
      description = "PEM private key (PKCS#8) for TLS (env FLYTE_AGENT_TLS_KEY).")
  Path tlsKey;

  @Option(
      names = "--tls-client-ca",
      defaultValue = "${env:FLYTE_AGENT_TLS_CLIENT_CA}",
      description =
          "PEM CA bundle of the callers (propeller): with it every client must present a"
              + " certificate signed by one of these CAs (mutual TLS, the production setting);"
              + " needs --tls-cert and --tls-key (env FLYTE_AGENT_TLS_CLIENT_CA).")
  Path tlsClientCa;

  @Option(
      names = "--health-port",
      defaultValue = "${env:FLYTE_AGENT_HEALTH_PORT:--1}",
      description =
          "A plaintext port serving only grpc.health.v1, for kubelet's gRPC probes when the main"
              + " port speaks TLS (they cannot); -1 = none (env FLYTE_AGENT_HEALTH_PORT)."
              + " Default: ${DEFAULT-VALUE}.")
  int healthPort;

  @Option(
      names = "--reflection",
      defaultValue = "${env:FLYTE_AGENT_REFLECTION:-false}",
      description =
          "Serve gRPC server reflection (grpc.reflection.v1, for grpcurl); off by default"
              + " (env FLYTE_AGENT_REFLECTION). Default: ${DEFAULT-VALUE}.")
  boolean reflection;

  @Option(
      names = "--max-request-bytes",
      defaultValue = "${env:FLYTE_AGENT_MAX_REQUEST_BYTES:-4194304}",
      description =
          "Largest accepted gRPC request, in bytes (env FLYTE_AGENT_MAX_REQUEST_BYTES)."
              + " Default: ${DEFAULT-VALUE} (4 MiB).")
  int maxRequestBytes;

  @Option(
      names = "--max-log-bytes",
      defaultValue = "${env:FLYTE_AGENT_MAX_LOG_BYTES:-1048576}",
      description =
          "Most bytes of a driver log one GetTaskLogs call returns; the last message says when"
              + " the log was cut (env FLYTE_AGENT_MAX_LOG_BYTES). Default: ${DEFAULT-VALUE}"
              + " (1 MiB).")
  long maxLogBytes;

  @Option(
      names = "--workers",
      defaultValue = "${env:FLYTE_AGENT_WORKERS:-0}",
      description =
          "Threads for CreateTask/DeleteTask/GetTaskLogs; as many calls more may wait, beyond"
              + " that a call is answered UNAVAILABLE at once. 0 = 8 per CPU, at least 32"
              + " (env FLYTE_AGENT_WORKERS). Default: ${DEFAULT-VALUE}.")
  int workers;

  @Option(
      names = "--shutdown-grace",
      defaultValue = "${env:FLYTE_AGENT_SHUTDOWN_GRACE:-PT20S}",
      description =
          "How long in-flight calls may run on shutdown, ISO-8601 duration"
              + " (env FLYTE_AGENT_SHUTDOWN_GRACE). Default: ${DEFAULT-VALUE}.")
  Duration shutdownGrace;

  @Option(
      names = "--sync-timeout",
      defaultValue = "${env:FLYTE_AGENT_SYNC_TIMEOUT:-PT60S}",
      description =
          "How long to wait for the informers' first list before warning; health stays"
              + " NOT_SERVING until they sync (env FLYTE_AGENT_SYNC_TIMEOUT)."
              + " Default: ${DEFAULT-VALUE}.")
  Duration syncTimeout;

  @Option(
      names = "--watch-loss-grace",
      defaultValue = "${env:FLYTE_AGENT_WATCH_LOSS_GRACE:-PT1M}",
      description =
          "How long a broken informer watch may last before readiness goes NOT_SERVING; GetTask"
              + " still answers meanwhile by reading the API server (env"
              + " FLYTE_AGENT_WATCH_LOSS_GRACE). Default: ${DEFAULT-VALUE}.")
  Duration watchLossGrace;

  /** What the simulated driver does in embedded mode. */
  enum EmbeddedWorkload {
    /** Runs the task's container args through jflyte's entrypoint: the task really runs. */
    tasks,
    /**
     * Succeeds after a short pause without running anything (no outputs): the agent, API server and
     * operator simulation alone, e.g. to load-test the agent protocol layer.
     */
    none
  }

  @Option(
      names = "--embedded-workload",
      defaultValue = "${env:FLYTE_AGENT_EMBEDDED_WORKLOAD:-tasks}",
      description =
          "--embedded only: what the simulated driver does: tasks (run each task through jflyte,"
              + " its outputs written) or none (succeed after 500 ms without running anything, for"
              + " load tests of the agent itself) (env FLYTE_AGENT_EMBEDDED_WORKLOAD)."
              + " Default: ${DEFAULT-VALUE}.")
  EmbeddedWorkload embeddedWorkload;

  @Option(
      names = "--user-code",
      defaultValue = "${env:FLYTE_AGENT_USER_CODE}",
      description =
          "--embedded only: a directory of jars (or one jar) holding the users' tasks that the"
              + " simulated operator runs; default: the agent's own class path"
              + " (env FLYTE_AGENT_USER_CODE).")
  Path userCode;

  public static void main(String[] args) {
    System.exit(commandLine(new AgentMain()).execute(args));
  }

  /** The command line, its help ending with every plugin's settings. */
  static CommandLine commandLine(AgentMain agent) {
    CommandLine line = new CommandLine(agent);
    line.getCommandSpec().usageMessage().footer(RuntimeFactory.pluginSettingsHelp());
    return line;
  }

  @Override
  public Integer call() throws Exception {
    AgentServer server = start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "agent-shutdown"));
    server.awaitTermination();
    return 0;
  }

  /** Builds the runtime from the flags and starts serving; the caller closes the server. */
  AgentServer start() throws Exception {
    AgentServer.Settings settings = settings();
    ResourceMetaCodec codec = new ResourceMetaCodec(hmacKeys());
    RuntimeFactory factory =
        embedded
            ? EmbeddedMode.factory(embeddedWorkload == EmbeddedWorkload.tasks)
            : RuntimeFactory.cluster();
    if (embedded) {
      System.out.println(EMBEDDED_BANNER);
    }
    RuntimeFactory.OpenedRuntime opened = factory.open(runtimeOptions());
    AgentServer server =
        AgentServer.start(
            settings,
            opened.runtime(),
            codec,
            new PrometheusRegistry(),
            Optional.of(opened.podLogs()));
    return server;
  }

  static final String EMBEDDED_BANNER =
      "*** EMBEDDED MODE: the Kubernetes API and the operators are SIMULATED in this JVM"
          + " (fabric8 mock server + simulated operators). For demos and tests only. ***";

  AgentServer.Settings settings() {
    Optional<AgentServer.Tls> tls = Optional.empty();
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new CommandLine.ParameterException(
          commandLine(), "--tls-cert and --tls-key go together: give both or neither");
    }
    if (tlsClientCa != null && tlsCert == null) {
      throw new CommandLine.ParameterException(
          commandLine(),
          "--tls-client-ca needs --tls-cert and --tls-key: mutual TLS is TLS with client"
              + " certificates");
    }
    if (tlsCert != null) {
      tls = Optional.of(new AgentServer.Tls(tlsCert, tlsKey, Optional.ofNullable(tlsClientCa)));
    }
    if (maxLogBytes < 1 || maxRequestBytes < 1 || workers < 0) {
      throw new CommandLine.ParameterException(
          commandLine(),
          "--max-log-bytes and --max-request-bytes must be >= 1, --workers >= 0 (0 = default)");
    }
    FlyteRelease release;
    try {
      release = FlyteRelease.parse(minFlyteRelease);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          commandLine(), "--min-flyte-release / FLYTE_AGENT_MIN_FLYTE_RELEASE: " + e.getMessage());
    }
    return new AgentServer.Settings(
            port, metricsPort, agentName, maxRequestBytes, tls, shutdownGrace, syncTimeout)
        .withMinFlyteRelease(release)
        .withWatchLossGrace(watchLossGrace)
        .withReflection(reflection)
        .withHealthPort(healthPort)
        .withMaxLogBytes(maxLogBytes)
        .withWorkers(workers > 0 ? workers : AgentServer.Settings.defaultWorkers());
  }

  RuntimeOptions runtimeOptions() {
    List<String> served =
        namespaces == null
            ? List.of()
            : namespaces.stream().map(String::trim).filter(n -> !n.isEmpty()).toList();
    if (!served.isEmpty() && allNamespaces) {
      throw new CommandLine.ParameterException(
          commandLine(),
          "both --namespaces (FLYTE_AGENT_NAMESPACES) and --all-namespaces"
              + " (FLYTE_AGENT_ALL_NAMESPACES) are set: give one of them");
    }
    if (served.isEmpty() && !allNamespaces && !embedded) {
      throw new CommandLine.ParameterException(
          commandLine(),
          "no namespaces to serve: give --namespaces ns1,ns2 (FLYTE_AGENT_NAMESPACES; a"
              + " namespaced Role per namespace suffices) or, to serve every namespace,"
              + " --all-namespaces (FLYTE_AGENT_ALL_NAMESPACES=true; needs the ClusterRole)."
              + " The agent refuses to guess: any caller could otherwise run tasks in any"
              + " namespace");
    }
    if (maxPreRunning != null && maxPreRunning.isNegative()) {
      throw new CommandLine.ParameterException(
          commandLine(),
          "--max-pre-running (FLYTE_AGENT_MAX_PRE_RUNNING) is negative ("
              + maxPreRunning
              + "): give a duration such as PT30M, or PT0S for no limit");
    }
    TaskPolicy policy =
        TaskPolicy.defaults().withAllowServiceAccountOverride(allowServiceAccountOverride);
    if (deniedConfKeys != null && !deniedConfKeys.isBlank()) {
      policy =
          policy.withDeniedConfKeys(
              deniedConfKeys.trim().equalsIgnoreCase("none")
                  ? List.of()
                  : java.util.Arrays.stream(deniedConfKeys.split(","))
                      .map(String::trim)
                      .filter(k -> !k.isEmpty())
                      .toList());
    }
    policy =
        policy
            .withAllowedTolerations(commaList(allowedTolerations))
            .withAllowedPriorityClasses(commaList(allowedPriorityClasses));
    return new RuntimeOptions(
        Optional.ofNullable(kubeconfig),
        served,
        ttl,
        pluginConfig == null ? Map.of() : pluginConfig,
        Optional.ofNullable(userCode),
        policy,
        plugins == null
            ? List.of()
            : plugins.stream().map(String::trim).filter(p -> !p.isEmpty()).toList(),
        maxPreRunning == null ? Duration.ZERO : maxPreRunning);
  }

  private CommandLine commandLine() {
    return spec != null ? spec.commandLine() : new CommandLine(this);
  }

  /** The signing key first, then the keys that only verify (rotation). */
  List<byte[]> hmacKeys() {
    List<Path> files =
        hmacKeyFiles == null
            ? List.of()
            : hmacKeyFiles.stream().filter(f -> !f.toString().isBlank()).toList();
    boolean inline = hmacKey != null && !hmacKey.isBlank();
    if (!files.isEmpty() && inline) {
      throw new CommandLine.ParameterException(
          commandLine(),
          "both --hmac-key-file (FLYTE_AGENT_HMAC_KEY_FILE) and --hmac-key (FLYTE_AGENT_HMAC_KEY)"
              + " are set: give the keys through one of them, so that which key signs is clear");
    }
    if (!files.isEmpty()) {
      return HmacKeys.fromFiles(files);
    }
    if (inline) {
      return HmacKeys.listFromBase64(hmacKey, "--hmac-key / FLYTE_AGENT_HMAC_KEY");
    }
    if (embedded) {
      System.out.println(
          "No HMAC key given: embedded mode generated a random one; resource_meta issued now will"
              + " not verify after a restart.");
      return List.of(HmacKeys.random());
    }
    throw new CommandLine.ParameterException(
        commandLine(),
        "no HMAC key for resource_meta: the agent refuses to start without one outside"
            + " --embedded; "
            + HmacKeys.HOW_TO_MAKE_ONE);
  }

  private static List<String> commaList(String value) {
    return value == null
        ? List.of()
        : java.util.Arrays.stream(value.split(","))
            .map(String::trim)
            .filter(k -> !k.isEmpty())
            .toList();
  }
}
