package dev.flyteplugin.backend.agent;

import dev.flyteplugin.backend.runtime.RuntimeHealth;
import dev.flyteplugin.backend.runtime.TaskRuntime;
import io.grpc.Status;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The request metrics of the Python connector ({@code
 * flytekit/extend/backend/connector_service.py}), with the same names and labels so that existing
 * dashboards work:
 *
 * <ul>
 *   <li>{@code flyte_connector_requests_success_total{task_type,operation}}
 *   <li>{@code flyte_connector_requests_failure_total{task_type,operation,error_code}}
 *   <li>{@code flyte_connector_request_latency_seconds{task_type,operation}}
 * </ul>
 *
 * {@code operation} is {@code create}, {@code get} or {@code delete}; {@code error_code} is the
 * gRPC status code name of the answer.
 *
 * <p>And the runtime's watch health ({@link #watchRuntime}), read at each scrape: {@code
 * flyte_agent_informer_synced}, {@code flyte_agent_informer_watching} (1 or 0) and {@code
 * flyte_agent_informer_watch_restarts_total}.
 */
public final class AgentMetrics {
  private final PrometheusRegistry registry;
  private final Counter success;
  private final Counter failure;
  private final Histogram latency;

  public AgentMetrics(PrometheusRegistry registry) {
    this.registry = registry;
    this.success =
        Counter.builder()
            .name("flyte_connector_requests_success_total")
            .help("Total number of successful requests")
            .labelNames("task_type", "operation")
            .register(registry);
    this.failure =
        Counter.builder()
            .name("flyte_connector_requests_failure_total")
            .help("Total number of failed requests")
            .labelNames("task_type", "operation", "error_code")
            .register(registry);
    this.latency =
        Histogram.builder()
            .name("flyte_connector_request_latency_seconds")
            .help("Time spent processing connector request")
            .labelNames("task_type", "operation")
            .classicUpperBounds(
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
            .register(registry);
  }

  /** Registers the gauges and the counter of the runtime's {@link TaskRuntime#health()}. */
  void watchRuntime(TaskRuntime runtime) {
    GaugeWithCallback.builder()
        .name("flyte_agent_informer_synced")
        .help("1 when every informer of the runtime has completed its first list, else 0")
        .callback(cb -> cb.call(health(runtime).synced() ? 1 : 0))
        .register(registry);
    GaugeWithCallback.builder()
        .name("flyte_agent_informer_watching")
        .help("1 when every informer's watch is open, else 0 (statuses may be stale)")
        .callback(cb -> cb.call(health(runtime).watching() ? 1 : 0))
        .register(registry);
    CounterWithCallback.builder()
        .name("flyte_agent_informer_watch_restarts_total")
        .help("Watches lost and re-established (410 Gone, connection breaks) since start")
        .callback(cb -> cb.call(health(runtime).watchRestarts()))
        .register(registry);
  }

  private static RuntimeHealth health(TaskRuntime runtime) {
    try {
      return runtime.health();
    } catch (RuntimeException e) {
      return new RuntimeHealth(false, false, 0);
    }
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  void succeeded(String taskType, String operation, long startNanos) {
    success.labelValues(taskType, operation).inc();
    observe(taskType, operation, startNanos);
  }

  void failed(String taskType, String operation, Status.Code code, long startNanos) {
    failure.labelValues(taskType, operation, code.name()).inc();
    observe(taskType, operation, startNanos);
  }

  private void observe(String taskType, String operation, long startNanos) {
    latency.labelValues(taskType, operation).observe((System.nanoTime() - startNanos) / 1e9);
  }
}
