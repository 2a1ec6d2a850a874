package dev.flyteplugin.backend.agent;

import dev.flyteplugin.backend.runtime.RuntimeHealth;
import dev.flyteplugin.backend.runtime.TaskRuntime;
import flyteidl.service.AgentMetadataServiceGrpc;
import flyteidl.service.AsyncAgentServiceGrpc;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's gRPC server and its lifecycle: the two agent services, {@code grpc.health.v1}
 * (SERVING only while the runtime's informers are synced and watching; {@value #LIVENESS_SERVICE}
 * always SERVING), server reflection, and the Prometheus endpoint on its own port. {@link #close()}
 * finishes in-flight calls within the grace period.
 */
public final class AgentServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AgentServer.class);

  /**
   * What the server needs besides the runtime.
   *
   * @param minFlyteRelease the oldest Flyte release whose propeller calls this agent (decides the
   *     phases GetTask may answer)
   * @param healthInterval how often readiness is recomputed from the runtime's {@link
   *     TaskRuntime#health()}
   * @param watchLossGrace how long a broken watch may last before readiness goes NOT_SERVING:
   *     GetTask still answers right meanwhile (a cache miss reads the API server), while an agent
   *     that is not ready makes propeller's GetTask fail, and propeller gives a task up after 5
   *     failures
   */
  public record Settings(
      int port,
      int metricsPort,
      String agentName,
      int maxRequestBytes,
      Optional<Tls> tls,
      Duration shutdownGrace,
      Duration syncTimeout,
      FlyteRelease minFlyteRelease,
      Duration healthInterval,
      Duration watchLossGrace,
      boolean reflection,
      long maxLogBytes,
      int workers,
      int healthPort) {
    /** Default of {@code maxLogBytes}: 1 MiB. */
    public static final long DEFAULT_MAX_LOG_BYTES = 1L << 20;

    /** Default of {@code maxRequestBytes}: 4 MiB (propeller's requests are a few KB). */
    public static final int DEFAULT_MAX_REQUEST_BYTES = 4 << 20;

    public Settings {
      if (maxLogBytes < 1) {
        throw new IllegalArgumentException("maxLogBytes must be >= 1, got " + maxLogBytes);
      }
      if (workers < 1) {
        throw new IllegalArgumentException("workers must be >= 1, got " + workers);
      }
    }

    /** The defaults of the settings added later: Flyte 1.15.1 (connector-service), 1 s, 1 min. */
    public Settings(
        int port,
        int metricsPort,
        String agentName,
        int maxRequestBytes,
        Optional<Tls> tls,
        Duration shutdownGrace,
        Duration syncTimeout) {
      this(
          port,
          metricsPort,
          agentName,
          maxRequestBytes,
          tls,
          shutdownGrace,
          syncTimeout,
          FlyteRelease.CONNECTOR_SERVICE,
          Duration.ofSeconds(1),
          Duration.ofMinutes(1),
          false,
          DEFAULT_MAX_LOG_BYTES,
          defaultWorkers(),
          -1);
    }

    /**
     * 8 threads per CPU, at least 32: the calls block on the API server, not on CPU, and propeller
     * sends CreateTask from each of its workers (20 by default, per shard) at once; a call answered
     * UNAVAILABLE is a failed attempt to propeller, which spends a user's retry.
     */
    public static int defaultWorkers() {
      return Math.max(32, Runtime.getRuntime().availableProcessors() * 8);
    }

    public Settings withMinFlyteRelease(FlyteRelease release) {
      return with(c -> c.minFlyteRelease = release);
    }

    public Settings withHealthInterval(Duration interval) {
      return with(c -> c.healthInterval = interval);
    }

    public Settings withWatchLossGrace(Duration grace) {
      return with(c -> c.watchLossGrace = grace);
    }

    /**
     * A plaintext port serving only {@code grpc.health.v1} (for kubelet's gRPC probes, which cannot
     * speak TLS); -1 = none. Health answers reveal nothing but SERVING/NOT_SERVING.
     */
    public Settings withHealthPort(int port) {
      return with(c -> c.healthPort = port);
    }

    /** Server reflection ({@code grpc.reflection.v1}) on or off; off by default. */
    public Settings withReflection(boolean on) {
      return with(c -> c.reflection = on);
    }

    /** The most bytes of a pod log one GetTaskLogs call returns. */
    public Settings withMaxLogBytes(long bytes) {
      return with(c -> c.maxLogBytes = bytes);
    }

    /**
     * Threads for CreateTask/DeleteTask/GetTaskLogs (calls that block on the API server); as many
     * more may wait, beyond that a call is answered UNAVAILABLE at once.
     */
    public Settings withWorkers(int count) {
      return with(c -> c.workers = count);
    }

    /** This record with one setting changed. */
    private Settings with(java.util.function.Consumer<Copy> change) {
      Copy copy = new Copy(this);
      change.accept(copy);
      return copy.settings();
    }

    /** The settings as mutable fields, for {@link #with}. */
    private static final class Copy {
      int port;
      int metricsPort;
      String agentName;
      int maxRequestBytes;
      Optional<Tls> tls;
      Duration shutdownGrace;
      Duration syncTimeout;
      FlyteRelease minFlyteRelease;
      Duration healthInterval;
      Duration watchLossGrace;
      boolean reflection;
      long maxLogBytes;
      int workers;
      int healthPort;

      Copy(Settings s) {
        port = s.port;
        metricsPort = s.metricsPort;
        agentName = s.agentName;
        maxRequestBytes = s.maxRequestBytes;
        tls = s.tls;
        shutdownGrace = s.shutdownGrace;
        syncTimeout = s.syncTimeout;
        minFlyteRelease = s.minFlyteRelease;
        healthInterval = s.healthInterval;
        watchLossGrace = s.watchLossGrace;
        reflection = s.reflection;
        maxLogBytes = s.maxLogBytes;
        workers = s.workers;
        healthPort = s.healthPort;
      }

      Settings settings() {
        return new Settings(
            port,
            metricsPort,
            agentName,
            maxRequestBytes,
            tls,
            shutdownGrace,
            syncTimeout,
            minFlyteRelease,
            healthInterval,
            watchLossGrace,
            reflection,
            maxLogBytes,
            workers,
            healthPort);
      }
    }
  }

  /**
   * The health service name that stays SERVING while the process runs (for a liveness probe):
   * readiness ({@code ""} and the agent services) follows the informers, and a broken watch must
   * take the pod out of the Service, not restart it at once.
   */
  public static final String LIVENESS_SERVICE = "liveness";

  /**
   * TLS of the agent's port.
   *
   * @param certChain PEM certificate chain of the agent
   * @param privateKey PEM private key (PKCS#8)
   * @param clientCa PEM CA bundle; when present every client must present a certificate signed by
   *     one of these CAs (mutual TLS), otherwise the handshake fails
   */
  public record Tls(
      java.nio.file.Path certChain,
      java.nio.file.Path privateKey,
      Optional<java.nio.file.Path> clientCa) {
    /** Server-side TLS only: any client that trusts the agent's certificate may call. */
    public Tls(java.nio.file.Path certChain, java.nio.file.Path privateKey) {
      this(certChain, privateKey, Optional.empty());
    }
  }

  private final Settings settings;
  private final TaskRuntime runtime;
  private final HealthStatusManager health = new HealthStatusManager();
  private final ExecutorService executor;
  private final Server server;
  private final Thread healthWatcher;
  private volatile ServingStatus readiness = ServingStatus.NOT_SERVING;

  /** How often readiness is looked at until it is SERVING the first time. */
  static final long STARTUP_HEALTH_INTERVAL_MILLIS = 20;

  private HTTPServer metricsServer;
  private Server healthServer;

  private AgentServer(
      Settings settings,
      TaskRuntime runtime,
      ResourceMetaCodec codec,
      PrometheusRegistry registry,
      Optional<PodLogs> podLogs)
      throws IOException {
    this.settings = settings;
    this.runtime = runtime;
    AgentMetrics metrics = new AgentMetrics(registry);
    metrics.watchRuntime(runtime);
    AtomicInteger threads = new AtomicInteger();
    int poolSize = settings.workers();
    // Bounded: create and delete block on the API server. The queue holds about one more round
    // of the pool (a request waits at most one call's time); beyond it the call is answered
    // UNAVAILABLE at once instead of holding its (up to maxRequestBytes) request in memory.
    this.executor =
        new ThreadPoolExecutor(
            poolSize,
            poolSize,
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(poolSize),
            r -> {
              Thread t = new Thread(r, "agent-grpc-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress(settings.port()))
            .maxInboundMessageSize(settings.maxRequestBytes());
    if (settings.tls().isPresent()) {
      Tls tls = settings.tls().get();
      SslContextBuilder ssl =
          GrpcSslContexts.forServer(tls.certChain().toFile(), tls.privateKey().toFile());
      if (tls.clientCa().isPresent()) {
        ssl.trustManager(tls.clientCa().get().toFile()).clientAuth(ClientAuth.REQUIRE);
      }
      builder.sslContext(ssl.build());
      LOG.info(
          "TLS on port {}{}",
          settings.port(),
          tls.clientCa().isPresent()
              ? ": mutual TLS, clients need a certificate signed by " + tls.clientCa().get()
              : " WITHOUT client certificates: any pod that reaches the port may create tasks;"
                  + " give --tls-client-ca for mutual TLS");
    } else {
      LOG.warn(
          "PLAINTEXT gRPC on port {}: callers are not authenticated and requests are not"
              + " encrypted. Fine for --embedded and tests; in a cluster use --tls-cert,"
              + " --tls-key and --tls-client-ca (mutual TLS), see docs/deploying.md#security",
          settings.port());
    }
    // GetTask, ListAgents and health answer from memory on the transport thread (no hop);
    // CreateTask and DeleteTask go to the bounded executor because they call the API server.
    this.server =
        addServices(
                builder,
                settings.agentName(),
                runtime,
                codec,
                metrics,
                executor,
                podLogs,
                settings.minFlyteRelease(),
                settings.maxLogBytes(),
                settings.reflection())
            .addService(health.getHealthService())
            .directExecutor()
            .build();
    health.setStatus("", ServingStatus.NOT_SERVING);
    health.setStatus(AsyncAgentServiceGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
    health.setStatus(AgentMetadataServiceGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
    health.setStatus(LIVENESS_SERVICE, ServingStatus.SERVING);
    this.healthWatcher = new Thread(this::watchHealth, "agent-health-watcher");
    healthWatcher.setDaemon(true);
  }

  /**
   * Starts the runtime's informers, the gRPC server and the metrics endpoint. Health turns SERVING
   * once the runtime has synced.
   */
  public static AgentServer start(
      Settings settings, TaskRuntime runtime, ResourceMetaCodec codec, PrometheusRegistry registry)
      throws IOException {
    return start(settings, runtime, codec, registry, Optional.empty());
  }

  /** {@link #start} with a reader of pod logs, which turns GetTaskLogs on. */
  public static AgentServer start(
      Settings settings,
      TaskRuntime runtime,
      ResourceMetaCodec codec,
      PrometheusRegistry registry,
      Optional<PodLogs> podLogs)
      throws IOException {
    AgentServer agent = new AgentServer(settings, runtime, codec, registry, podLogs);
    runtime.start();
    agent.server.start();
    if (settings.healthPort() >= 0) {
      agent.healthServer =
          NettyServerBuilder.forAddress(new InetSocketAddress(settings.healthPort()))
              .addService(agent.health.getHealthService())
              .directExecutor()
              .build()
              .start();
      LOG.info("plaintext health-only port {}", agent.healthServer.getPort());
    }
    if (settings.reflection()) {
      // Lists every service and message type to whoever reaches the port: a debugging aid.
      LOG.info("server reflection (grpc.reflection.v1) is ON (--reflection)");
    }
    if (settings.metricsPort() >= 0) {
      agent.metricsServer =
          HTTPServer.builder().port(settings.metricsPort()).registry(registry).buildAndStart();
    }
    agent.healthWatcher.start();
    LOG.info(
        "Flyte agent '{}' listening on port {} (metrics on {}), serving {}",
        settings.agentName(),
        agent.port(),
        agent.metricsPort(),
        runtime.taskCategories());
    return agent;
  }

  /** Registers the agent services (and reflection when asked for) on any server builder. */
  static <T extends ServerBuilder<T>> T addServices(
      T builder,
      String agentName,
      TaskRuntime runtime,
      ResourceMetaCodec codec,
      AgentMetrics metrics,
      java.util.concurrent.Executor blocking,
      Optional<PodLogs> podLogs,
      FlyteRelease minFlyteRelease,
      long maxLogBytes,
      boolean reflection) {
    builder
        .addService(
            new AsyncAgentService(
                runtime, codec, metrics, blocking, podLogs, minFlyteRelease, maxLogBytes))
        .addService(new AgentMetadataService(agentName, runtime));
    if (reflection) {
      builder.addService(ProtoReflectionServiceV1.newInstance());
    }
    return builder;
  }

  /**
   * Readiness follows the runtime: SERVING once every informer has synced, NOT_SERVING when a watch
   * has been broken for longer than {@code watchLossGrace}. During a short outage GetTask still
   * answers right (a cache miss reads the API server), and an unready agent would make propeller's
   * GetTask fail, which propeller tolerates only 5 times per task; a long outage means a cache that
   * no longer moves, and a load balancer should prefer another replica. Checked every {@code
   * healthInterval}; warns while unsynced after {@code syncTimeout}.
   */
  private void watchHealth() {
    boolean everServed = false;
    long startedAt = System.nanoTime();
    long lastWarning = startedAt;
    long notWatchingSince = -1;
    try {
      while (!Thread.currentThread().isInterrupted()) {
        RuntimeHealth now;
        try {
          now = runtime.health();
        } catch (RuntimeException e) {
          LOG.warn("runtime health check failed: {}", e.toString());
          now = new RuntimeHealth(false, false, 0);
        }
        if (now.watching()) {
          notWatchingSince = -1;
        } else if (notWatchingSince < 0) {
          notWatchingSince = System.nanoTime();
        }
        boolean watchLost =
            notWatchingSince >= 0
                && System.nanoTime() - notWatchingSince >= settings.watchLossGrace().toNanos();
        ServingStatus wanted =
            now.synced() && !watchLost ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
        if (wanted != readiness) {
          readiness = wanted;
          health.setStatus("", wanted);
          health.setStatus(AsyncAgentServiceGrpc.SERVICE_NAME, wanted);
          health.setStatus(AgentMetadataServiceGrpc.SERVICE_NAME, wanted);
          LOG.info(
              "readiness {}: informers synced={}, watching={}, watch restarts={}",
              wanted,
              now.synced(),
              now.watching(),
              now.watchRestarts());
        }
        long nowNanos = System.nanoTime();
        if (!now.synced()
            && nowNanos - startedAt > settings.syncTimeout().toNanos()
            && nowNanos - lastWarning > settings.syncTimeout().toNanos()) {
          lastWarning = nowNanos;
          LOG.warn(
              "the runtime's informers have not synced after {}; health stays NOT_SERVING",
              Duration.ofNanos(nowNanos - startedAt));
        }
        if (wanted == ServingStatus.SERVING) {
          everServed = true;
        }
        // Until the first SERVING, look often: the start of an agent waits for nothing else.
        Thread.sleep(
            everServed
                ? settings.healthInterval().toMillis()
                : Math.min(settings.healthInterval().toMillis(), STARTUP_HEALTH_INTERVAL_MILLIS));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public int port() {
    return server.getPort();
  }

  /** The plaintext health-only port, -1 when there is none. */
  public int healthPort() {
    return healthServer == null ? -1 : healthServer.getPort();
  }

  public int metricsPort() {
    return metricsServer == null ? -1 : metricsServer.getPort();
  }

  /** Blocks until the server has terminated. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /**
   * Graceful shutdown: health goes NOT_SERVING (so load balancers stop sending), new calls are
   * refused, in-flight calls finish within the grace period, then the runtime stops.
   */
  @Override
  public void close() {
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(settings.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn(
            "in-flight calls did not finish within {}; cancelling them", settings.shutdownGrace());
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      healthWatcher.interrupt();
      executor.shutdown();
      if (healthServer != null) {
        healthServer.shutdownNow();
      }
      if (metricsServer != null) {
        metricsServer.close();
      }
      runtime.close();
    }
  }

  HealthStatusManager health() {
    return health;
  }
}
