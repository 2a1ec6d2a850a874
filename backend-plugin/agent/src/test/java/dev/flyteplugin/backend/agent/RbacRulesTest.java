package dev.flyteplugin.backend.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flyteplugin.backend.runtime.KubernetesTaskRuntime;
import dev.flyteplugin.backend.runtime.PluginRegistry;
import dev.flyteplugin.backend.runtime.RuntimeConfig;
import dev.flyteplugin.backend.runtime.TaskHandle;
import dev.flyteplugin.backend.runtime.TaskRequest;
import dev.flyteplugin.backend.spark.SparkApplications;
import dev.flyteplugin.backend.spark.SparkOperatorPlugin;
import dev.flyteplugin.backend.spark.SparkPluginConfig;
import dev.flyteplugin.backend.testing.EmbeddedKubernetes;
import flyteidl.admin.AgentOuterClass.CreateTaskRequest;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The base ClusterRole against the code: the runtime and the agent's pod log reader run a task's
 * whole life against the fabric8 mock API server (CRUD mode): informer list + watch, create, a
 * status read on a cache miss, the reported-terminal mark, cleanup, abort, a creation waiting for
 * quota (its ConfigMap), and a driver log read. Every request they make is recorded as (resource,
 * verb); the rules must grant each of them and nothing else. The run is Spark's; every other plugin
 * on the class path needs the same verbs on its own kind (the runtime's calls do not depend on the
 * plugin), and the CRD read that decides which plugins are served.
 */
class RbacRulesTest {
  private static final String NS = "flytesnacks-development";
  private static final String SETUP_AGENT = "rbac-test-setup";
  private static final Pattern PATH =
      Pattern.compile(
          "^/(?:api/v1|apis/([^/]+)/[^/]+)(?:/namespaces/[^/]+)?/([a-z]+)(?:/([^/?]+))?(?:/([a-z]+))?(?:\\?(.*))?$");

  @TempDir Path work;

  @Test
  void theClusterRoleGrantsExactlyTheCallsTheAgentMakes() throws Exception {
    Set<String> used = new TreeSet<>();
    try (EmbeddedKubernetes k8s = EmbeddedKubernetes.start(SparkApplications.IDENTITY)) {
      KubernetesClient setup =
          k8s.newClient(b -> b.editOrNewConfig().withUserAgent(SETUP_AGENT).endConfig());
      try (KubernetesTaskRuntime runtime =
          KubernetesTaskRuntime.builder()
              .client(k8s.client())
              .registry(PluginRegistry.of(new SparkOperatorPlugin(SparkPluginConfig.defaults())))
              .config(
                  RuntimeConfig.defaults()
                      .withMinCleanupTtl(Duration.ZERO)
                      .withCleanup(Duration.ZERO, Duration.ofMillis(100)))
              .build()) {
        runtime.start();
        assertThat(runtime.awaitSynced(Duration.ofSeconds(20))).isTrue();

        // Create, then a status read the cache cannot answer yet.
        TaskHandle done = runtime.create(request("rbac-a"));
        runtime.status(new TaskHandle(done.category(), NS, "not-created-yet"));
        // The operator finishes it; propeller sees the result; the sweeper cleans it up.
        GenericKubernetesResource app =
            setup
                .genericKubernetesResources(
                    KubernetesTaskRuntime.context(SparkApplications.IDENTITY))
                .inNamespace(NS)
                .withName(done.name())
                .get();
        app.setAdditionalProperty(
            "status", Map.of("applicationState", Map.of("state", "COMPLETED")));
        setup
            .genericKubernetesResources(KubernetesTaskRuntime.context(SparkApplications.IDENTITY))
            .inNamespace(NS)
            .resource(app)
            .updateStatus();
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    runtime.cachedStatus(done).map(s -> s.phase().getNumber()).orElse(0) > 0
                        && runtime.status(done).phase()
                            == flyteidl.core.Execution.TaskExecution.Phase.SUCCEEDED);
        runtime.markReported(done);
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    setup
                            .genericKubernetesResources(
                                KubernetesTaskRuntime.context(SparkApplications.IDENTITY))
                            .inNamespace(NS)
                            .withName(done.name())
                            .get()
                        == null);

        // Abort.
        TaskHandle aborted = runtime.create(request("rbac-b"));
        runtime.abort(aborted);

        // A creation over quota waits in a ConfigMap of its own, and is retried.
        k8s.server()
            .expect()
            .post()
            .withPath("/apis/sparkoperator.k8s.io/v1beta2/namespaces/" + NS + "/sparkapplications")
            .andReturn(
                403,
                "{\"kind\":\"Status\",\"code\":403,\"message\":\"sparkapplications is forbidden:"
                    + " exceeded quota: compute\"}")
            .once();
        TaskHandle waiting = runtime.create(request("rbac-c"));
        runtime.status(waiting);
        runtime.abort(waiting);

        // GetTaskLogs.
        try (InputStream log =
            PodLogs.of(k8s.client())
                .open(
                    dev.flyteplugin.backend.api.LogSource.pod(
                        done.name() + "-driver",
                        dev.flyteplugin.backend.spark.SparkOperatorPlugin.DRIVER_CONTAINER),
                    NS,
                    0,
                    100)) {
          log.readAllBytes();
        } catch (Exception notThere) {
          // the request was made; the pod does not exist in the mock
        }
        // At start: which plugins the cluster has the CRD of.
        for (dev.flyteplugin.backend.api.OperatorPlugin plugin :
            java.util.ServiceLoader.load(dev.flyteplugin.backend.api.OperatorPlugin.class)) {
          assertThat(RuntimeFactory.kindInstalled(k8s.client(), plugin))
              .as("CRD of %s", plugin.name())
              .isEqualTo(plugin.identity().equals(SparkApplications.IDENTITY));
        }
        Thread.sleep(300); // a sweep or two more
      }
      RecordedRequest r;
      while ((r = k8s.server().takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
        if (!SETUP_AGENT.equals(r.getHeader("User-Agent"))
            && !EmbeddedKubernetes.INSTALLER.equals(r.getHeader("User-Agent"))) {
          used.add(permission(r));
        }
      }
    }

    // The runtime makes the same calls for every plugin's kind: what Spark's run used, per kind.
    String spark = SparkApplications.IDENTITY.group() + "/" + SparkApplications.IDENTITY.plural();
    for (dev.flyteplugin.backend.api.OperatorPlugin plugin :
        java.util.ServiceLoader.load(dev.flyteplugin.backend.api.OperatorPlugin.class)) {
      String kind = plugin.identity().group() + "/" + plugin.identity().plural();
      new TreeSet<>(used)
          .stream()
              .filter(p -> p.startsWith(spark + " "))
              .forEach(p -> used.add(kind + p.substring(spark.length())));
    }
    ClusterRole role;
    try (InputStream yaml =
        Files.newInputStream(Path.of("..", "deploy", "base", "clusterrole.yaml"))) {
      role =
          new io.fabric8.kubernetes.client.utils.KubernetesSerialization()
              .unmarshal(yaml, ClusterRole.class);
    }
    Set<String> granted = new TreeSet<>();
    role.getRules()
        .forEach(
            rule ->
                rule.getApiGroups()
                    .forEach(
                        g ->
                            rule.getResources()
                                .forEach(
                                    res ->
                                        rule.getVerbs()
                                            .forEach(v -> granted.add(g + "/" + res + " " + v)))));
    System.out.println("RBAC used by the code: " + used);
    assertThat(used).as("every call the code makes is granted").isSubsetOf(granted);
    assertThat(granted).as("every rule is used by the code").isSubsetOf(used);
  }

  /** (group/resource[/subresource], verb) of a request, as the API server authorizes it. */
  static String permission(RecordedRequest r) {
    Matcher m = PATH.matcher(r.getPath());
    assertThat(m.matches()).as("API path %s", r.getPath()).isTrue();
    String group = m.group(1) == null ? "" : m.group(1);
    String resource = m.group(2) + (m.group(4) == null ? "" : "/" + m.group(4));
    boolean named = m.group(3) != null;
    String query = m.group(5) == null ? "" : m.group(5);
    String verb =
        switch (r.getMethod()) {
          case "GET" -> query.contains("watch=true") ? "watch" : named ? "get" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> named ? "delete" : "deletecollection";
          default -> r.getMethod();
        };
    return group + "/" + resource + " " + verb;
  }

  private TaskRequest request(String execution) throws Exception {
    CreateTaskRequest r =
        FakePropeller.createRequest(
            AgentHarness.SUCCEEDING_TASK, AgentHarness.inputs(1), work.resolve(execution), 0);
    CreateTaskRequest.Builder b = r.toBuilder();
    b.getTaskExecutionMetadataBuilder()
        .getTaskExecutionIdBuilder()
        .getNodeExecutionIdBuilder()
        .getExecutionIdBuilder()
        .setName(execution);
    r = b.build();
    return new TaskRequest(
        r.getTemplate(), r.getInputs(), r.getOutputPrefix(), r.getTaskExecutionMetadata());
  }
}
