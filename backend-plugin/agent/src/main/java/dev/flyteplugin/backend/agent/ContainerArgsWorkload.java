package dev.flyteplugin.backend.agent;

import dev.flyteplugin.backend.spark.simulation.SimulatedWorkload;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the SIMULATED Spark driver runs in embedded mode: the SparkApplication's {@code arguments}
 * (the task's container args as propeller rendered them, {@code jflyte execute --task ...}) with
 * the driver's environment, in this JVM. A real driver runs the same args in its pod.
 */
public final class ContainerArgsWorkload implements SimulatedWorkload {

  /**
   * The simulated driver running each application's args through jflyte's entrypoint in this JVM,
   * with the tasks of {@code userCode}: what embedded mode and the example runner use.
   */
  public static SimulatedWorkload jflyte(ClassLoader userCode) {
    return new ContainerArgsWorkload(JflyteDriver.runner(userCode));
  }

  /** Runs one task's container args; returns the outcome of the run. */
  @FunctionalInterface
  interface ArgsRunner {
    Outcome run(List<String> args, Map<String, String> env) throws Exception;
  }

  private final ArgsRunner runner;

  ContainerArgsWorkload(ArgsRunner runner) {
    this.runner = runner;
  }

  @Override
  public Outcome run(GenericKubernetesResource application) throws InterruptedException {
    Map<String, Object> spec = map(application.getAdditionalProperties().get("spec"));
    List<String> args = strings(spec.get("arguments"));
    if (args.isEmpty()) {
      return Outcome.failure("the SparkApplication has no arguments: nothing to run in the driver");
    }
    Map<String, String> env = new LinkedHashMap<>();
    Object driverEnv = map(spec.get("driver")).get("env");
    if (driverEnv instanceof List<?> vars) {
      for (Object var : vars) {
        Map<String, Object> v = map(var);
        if (v.get("name") != null && v.get("value") != null) {
          env.put(v.get("name").toString(), v.get("value").toString());
        }
      }
    }
    try {
      return runner.run(args, env);
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      return Outcome.failure("the driver failed: " + e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  private static List<String> strings(Object value) {
    return value instanceof List<?> list ? list.stream().map(String::valueOf).toList() : List.of();
  }
}
