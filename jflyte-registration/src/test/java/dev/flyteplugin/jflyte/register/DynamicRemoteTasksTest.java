package dev.flyteplugin.jflyte.register;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flyteplugin.jflyte.execute.ExecuteOutcome;
import dev.flyteplugin.jflyte.execute.Storage;
import dev.flyteplugin.jflyte.execute.TaskExecutor;
import dev.flyteplugin.jflyte.fixtures.GatedWorkflows;
import flyteidl.core.DynamicJob;
import flyteidl.core.Errors;
import flyteidl.core.IdentifierOuterClass.ResourceType;
import flyteidl.core.Literals;
import flyteidl.core.Tasks;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dynamic workflow running another project's task: its template comes from FlyteAdmin (GetTask),
 * a versionless reference gets the latest version (ListTasks), as flytekit-java's
 * ExecuteDynamicWorkflow does.
 */
class DynamicRemoteTasksTest {
  @TempDir Path dir;

  final FakeFlyteAdmin admin = new FakeFlyteAdmin();
  Server server;
  Map<String, String> env;

  @BeforeEach
  void start() throws Exception {
    server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(admin)
            .build()
            .start();
    env = new HashMap<>();
    env.put("FLYTE_INTERNAL_TASK_PROJECT", "flytesnacks");
    env.put("FLYTE_INTERNAL_TASK_DOMAIN", "development");
    env.put("FLYTE_INTERNAL_TASK_VERSION", "v5");
    env.put("FLYTE_INTERNAL_IMAGE", "ghcr.io/example/app:5");
    env.put(GatedWorkflows.SWITCH, "remote-dynamic");
  }

  @AfterEach
  void stop() throws Exception {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private static Tasks.TaskTemplate upper(String version) {
    return Tasks.TaskTemplate.newBuilder()
        .setId(FakeFlyteAdmin.id(ResourceType.TASK, "other", "com.other.Upper", version))
        .setType("python-task")
        .setContainer(Tasks.Container.newBuilder().setImage("other/image:" + version))
        .build();
  }

  private ExecuteOutcome run() throws Exception {
    Path inputs = dir.resolve("inputs.pb");
    Files.write(
        inputs,
        Literals.LiteralMap.newBuilder()
            .putLiterals(
                "x",
                Literals.Literal.newBuilder()
                    .setScalar(
                        Literals.Scalar.newBuilder()
                            .setPrimitive(Literals.Primitive.newBuilder().setInteger(4)))
                    .build())
            .build()
            .toByteArray());
    return new TaskExecutor(getClass().getClassLoader(), env, Storage.localOnly())
        .execute(
            List.of(
                "jflyte",
                "execute-dynamic-workflow",
                "--task",
                "RemoteDynamic",
                "--inputs",
                inputs.toUri().toString(),
                "--outputPrefix",
                dir.resolve("out").toUri().toString(),
                "--taskTemplatePath",
                dir.resolve("tt.pb").toUri().toString()));
  }

  @Test
  void remoteTaskTemplatesComeFromFlyteAdmin() throws Exception {
    admin.seedTask(upper("v1").getId(), upper("v1"));
    admin.seedTask(upper("v2").getId(), upper("v2"));
    env.put("FLYTE_PLATFORM_URL", "localhost:" + server.getPort());
    env.put("FLYTE_PLATFORM_INSECURE", "true");

    ExecuteOutcome outcome = run();

    assertThat(outcome.succeeded()).as(String.valueOf(outcome.errorMessage())).isTrue();
    DynamicJob.DynamicJobSpec spec =
        DynamicJob.DynamicJobSpec.parseFrom(Files.readAllBytes(dir.resolve("out/futures.pb")));
    assertThat(spec.getNodes(0).getTaskNode().getReferenceId().getVersion()).isEqualTo("v1");
    assertThat(spec.getNodes(1).getTaskNode().getReferenceId().getVersion()).isEqualTo("v2");
    assertThat(spec.getTasksList())
        .extracting(t -> t.getContainer().getImage())
        .containsExactly("other/image:v1", "other/image:v2");
    assertThat(admin.calls)
        .contains(
            "ListTasks other/development/com.other.Upper",
            "GetTask com.other.Upper@v1",
            "GetTask com.other.Upper@v2");
  }

  @Test
  void withoutFlyteAdminTheErrorSaysWhatToSet() throws Exception {
    ExecuteOutcome outcome = run();

    assertThat(outcome.succeeded()).isFalse();
    Errors.ContainerError error =
        Errors.ErrorDocument.parseFrom(Files.readAllBytes(dir.resolve("out/error.pb"))).getError();
    assertThat(error.getCode()).isEqualTo("SYSTEM:BadDynamicWorkflow");
    assertThat(error.getMessage()).contains("com.other.Upper");
  }

  @Test
  void aRemoteTaskFlyteAdminDoesNotKnowIsNamed() throws Exception {
    admin.seedTask(upper("v2").getId(), upper("v2"));
    env.put("FLYTE_PLATFORM_URL", "localhost:" + server.getPort());
    env.put("FLYTE_PLATFORM_INSECURE", "true");

    ExecuteOutcome outcome = run();

    assertThat(outcome.succeeded()).isFalse();
    assertThat(outcome.errorMessage())
        .hasValueSatisfying(
            message ->
                assertThat(message)
                    .contains("runs task 'com.other.Upper'")
                    .contains("version 'v1'"));
  }
}
