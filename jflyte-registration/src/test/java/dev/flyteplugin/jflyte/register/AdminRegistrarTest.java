package dev.flyteplugin.jflyte.register;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flyteplugin.jflyte.JflyteTestRun;
import dev.flyteplugin.jflyte.fixtures.ChildWorkflow;
import dev.flyteplugin.jflyte.fixtures.DoubleTask;
import dev.flyteplugin.jflyte.fixtures.ParentWorkflow;
import dev.flyteplugin.jflyte.serialize.IdentifierDefaults;
import dev.flyteplugin.jflyte.serialize.RegistrationClosure;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registration against a real gRPC FlyteAdmin fake (in-process, and loopback for the CLI). */
class AdminRegistrarTest {
  static final RetryPolicy FAST =
      new RetryPolicy(3, Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofSeconds(5));

  final FakeFlyteAdmin admin = new FakeFlyteAdmin();
  final List<Duration> sleeps = new ArrayList<>();
  final ByteArrayOutputStream progressBytes = new ByteArrayOutputStream();
  Server server;
  ManagedChannel channel;
  RegistrationClosure closure;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name).directExecutor().addService(admin).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    closure =
        RegistrationClosure.load(
            getClass().getClassLoader(),
            Map.of(),
            new IdentifierDefaults("flytesnacks", "development", "v1"),
            "ghcr.io/example/app:1");
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private AdminRegistrar registrar() {
    return new AdminRegistrar(
        channel, FAST, new PrintStream(progressBytes, true, StandardCharsets.UTF_8), sleeps::add);
  }

  private String progress() {
    return progressBytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void createsAllTasksThenWorkflowsThenLaunchPlans() {
    RegistrationSummary summary = registrar().register(closure);

    assertThat(summary.succeeded()).isTrue();
    // 5 tasks, 3 workflows, 2 declared + 3 default launch plans.
    assertThat(summary.created()).isEqualTo(13);
    assertThat(admin.calls)
        .extracting(call -> call.substring(0, call.indexOf(' ')))
        .containsExactly(
            "CreateTask",
            "CreateTask",
            "CreateTask",
            "CreateTask",
            "CreateTask",
            "CreateWorkflow",
            "CreateWorkflow",
            "CreateWorkflow",
            "CreateLaunchPlan",
            "CreateLaunchPlan",
            "CreateLaunchPlan",
            "CreateLaunchPlan",
            "CreateLaunchPlan");
    assertThat(admin.calls).contains("CreateWorkflow " + ParentWorkflow.class.getName());
    assertThat(progress())
        .contains("task        " + DoubleTask.class.getName() + ": created")
        .contains("summary: 13 created, 0 already existed, 0 failed, 0 skipped");
  }

  @Test
  void alreadyExistingEntitiesCountAsSuccess() {
    registrar().register(closure);
    progressBytes.reset();

    RegistrationSummary second = registrar().register(closure);

    assertThat(second.succeeded()).isTrue();
    assertThat(second.alreadyExisted()).isEqualTo(13);
    assertThat(second.created()).isZero();
    assertThat(progress()).contains(ChildWorkflow.class.getName() + ": already exists");
  }

  @Test
  void unavailableIsRetriedWithGrowingBackoff() {
    admin.failNext(DoubleTask.class.getName(), Status.UNAVAILABLE, Status.INTERNAL);

    RegistrationSummary summary = registrar().register(closure);

    assertThat(summary.succeeded()).isTrue();
    assertThat(sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    assertThat(
            admin.calls.stream().filter(c -> c.equals("CreateTask " + DoubleTask.class.getName())))
        .hasSize(3);
    assertThat(progress()).contains("UNAVAILABLE, retrying in 100 ms (attempt 2 of 3)");
  }

  @Test
  void retriesStopAtMaxAttemptsAndTheFailureIsSurfaced() {
    admin.failNext(
        DoubleTask.class.getName(), Status.UNAVAILABLE, Status.UNAVAILABLE, Status.UNAVAILABLE);

    RegistrationSummary summary = registrar().register(closure);

    assertThat(summary.succeeded()).isFalse();
    assertThat(summary.failures()).singleElement().asString().contains("gave up after 3 attempts");
    assertThat(summary.skipped()).isEqualTo(8);
  }

  @Test
  void aHardFailureIsNotRetriedAndLaterPhasesAreSkipped() {
    admin.failNext(
        DoubleTask.class.getName(), Status.INVALID_ARGUMENT.withDescription("bad container image"));

    RegistrationSummary summary = registrar().register(closure);

    assertThat(summary.failures())
        .containsExactly(
            "task " + DoubleTask.class.getName() + ": INVALID_ARGUMENT (bad container image)");
    assertThat(sleeps).isEmpty();
    assertThat(admin.calls).noneMatch(call -> call.startsWith("CreateWorkflow"));
    assertThat(summary.created()).isEqualTo(4);
    assertThat(summary.skipped()).isEqualTo(8);
    assertThat(progress()).contains("FAILED INVALID_ARGUMENT (bad container image)");
  }

  @Test
  void theRegisterCommandTalksPlaintextGrpcWithTheBearerToken(@TempDir Path dir) throws Exception {
    Server loopback =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(ServerInterceptors.intercept(admin, admin.authorizationRecorder()))
            .build()
            .start();
    try {
      Path token = dir.resolve("token");
      Files.writeString(token, "s3cr3t\n");
      JflyteTestRun run =
          JflyteTestRun.run(
              Map.of(
                  "FLYTE_PLATFORM_URL", "localhost:" + loopback.getPort(),
                  "FLYTE_PLATFORM_INSECURE", "true",
                  "FLYTE_INTERNAL_IMAGE", "ghcr.io/example/app:1"),
              "register",
              "workflows",
              "-p",
              "flytesnacks",
              "-d",
              "development",
              "-v",
              "v2",
              "--token-file",
              token.toString());

      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(run.out()).contains("summary: 13 created");
      assertThat(admin.authorizations).hasSize(13).containsOnly("Bearer s3cr3t");
      assertThat(admin.stored).allMatch(id -> id.getVersion().equals("v2"));
    } finally {
      loopback.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void theRegisterCommandStagesTheJarsAndListsThemInTheRegisteredTemplates(@TempDir Path dir)
      throws Exception {
    Path jars = dev.flyteplugin.jflyte.UserJars.build(dir.resolve("lib"));
    Path staging = dir.resolve("staging");
    Server loopback =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(admin)
            .build()
            .start();
    try {
      JflyteTestRun run =
          JflyteTestRun.run(
              Map.of(
                  "FLYTE_PLATFORM_URL",
                  "localhost:" + loopback.getPort(),
                  "FLYTE_PLATFORM_INSECURE",
                  "true",
                  "FLYTE_INTERNAL_IMAGE",
                  "ghcr.io/example/jflyte:1",
                  "FLYTE_STAGING_LOCATION",
                  staging.toUri().toString()),
              "register",
              "workflows",
              "-p",
              "flytesnacks",
              "-d",
              "development",
              "-v",
              "v3",
              "-cp",
              jars.toString());

      assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
      var custom = admin.taskSpec(DoubleTask.class.getName()).getTemplate().getCustom();
      var artifacts = dev.flyteplugin.jflyte.stage.JflyteCustom.fromCustom(custom).orElseThrow();
      assertThat(artifacts)
          .extracting(dev.flyteplugin.jflyte.stage.Artifact::name)
          .containsExactly("fixtures.jar", "flytekit-java.jar");
      for (var artifact : artifacts) {
        assertThat(java.net.URI.create(artifact.location()).getPath())
            .startsWith(staging.toString())
            .satisfies(path -> assertThat(Path.of(path)).isRegularFile());
      }
      // A container task runs its own image: nothing to stage into it.
      assertThat(
              admin
                  .taskSpec(dev.flyteplugin.jflyte.fixtures.EchoContainerTask.class.getName())
                  .getTemplate()
                  .getCustom()
                  .getFieldsMap())
          .doesNotContainKey("jflyte");
    } finally {
      loopback.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void theRegisterCommandExitsNonZeroWithoutAProjectAndSaysWhichOption() {
    JflyteTestRun run =
        JflyteTestRun.run(
            Map.of("FLYTE_PLATFORM_URL", "localhost:1"),
            "register",
            "workflows",
            "-d",
            "development",
            "-v",
            "v1");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("project is empty").contains("-p/--project");
  }
}
