package dev.flyteplugin.jflyte.register;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flyteplugin.jflyte.JflyteTestRun;
import dev.flyteplugin.jflyte.fixtures.ChildWorkflow;
import dev.flyteplugin.jflyte.fixtures.GatedWorkflows;
import dev.flyteplugin.jflyte.serialize.IdentifierDefaults;
import dev.flyteplugin.jflyte.serialize.RegistrationClosure;
import flyteidl.admin.LaunchPlanOuterClass;
import flyteidl.admin.WorkflowOuterClass;
import flyteidl.core.IdentifierOuterClass.Identifier;
import flyteidl.core.IdentifierOuterClass.ResourceType;
import flyteidl.core.Workflow;
import flyteidl.service.AdminServiceGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Dependency order, default launch plans, schedule activation and latest-version lookups, against
 * the FlyteAdmin fake that checks references as flyteadmin does.
 */
class RegistrationOrderTest {
  static final RetryPolicy FAST =
      new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofSeconds(5));
  static final IdentifierDefaults V1 = new IdentifierDefaults("flytesnacks", "development", "v1");

  final FakeFlyteAdmin admin = new FakeFlyteAdmin();
  final ByteArrayOutputStream progress = new ByteArrayOutputStream();
  Server server;
  ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name).directExecutor().addService(admin).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private RegistrationClosure closure(String gate) {
    return RegistrationClosure.load(
        getClass().getClassLoader(),
        Map.of(GatedWorkflows.SWITCH, gate),
        V1,
        "ghcr.io/example/app:1",
        new AdminLatestVersions(channel, FAST));
  }

  private AdminRegistrar registrar() {
    return new AdminRegistrar(
        channel, FAST, new PrintStream(progress, true, StandardCharsets.UTF_8), d -> {});
  }

  @Test
  void theFakeRejectsAWorkflowWhoseLaunchPlanIsNotRegisteredYetAsFlyteAdminDoes() {
    RegistrationClosure closure = closure("launch-plan-caller");
    WorkflowOuterClass.WorkflowSpec caller = closure.workflows().get("LaunchPlanCaller");

    assertThatThrownBy(
            () ->
                AdminServiceGrpc.newBlockingStub(channel)
                    .createWorkflow(
                        WorkflowOuterClass.WorkflowCreateRequest.newBuilder()
                            .setId(caller.getTemplate().getId())
                            .setSpec(caller)
                            .build()))
        .isInstanceOf(StatusRuntimeException.class)
        .hasMessageContaining("INVALID_ARGUMENT")
        .hasMessageContaining("failed to compile workflow");
  }

  @Test
  void aWorkflowCallingALaunchPlanOfTheBatchIsRegisteredAfterItAndItsWorkflow() {
    RegistrationClosure closure = closure("launch-plan-caller");

    RegistrationSummary summary = registrar().register(closure);

    assertThat(summary.succeeded()).as(progress.toString(StandardCharsets.UTF_8)).isTrue();
    String child = ChildWorkflow.class.getName();
    assertThat(admin.calls)
        .containsSubsequence(
            "CreateWorkflow " + child,
            "CreateLaunchPlan " + child,
            "CreateWorkflow LaunchPlanCaller")
        .containsSubsequence(
            "CreateWorkflow LaunchPlanCaller", "CreateLaunchPlan LaunchPlanCaller");
    // Tasks come first.
    assertThat(admin.calls.subList(0, 5)).allMatch(call -> call.startsWith("CreateTask "));
  }

  @Test
  void everyWorkflowGetsADefaultLaunchPlanUnlessOneOfItsNameIsDeclared() {
    RegistrationClosure closure = closure("");

    LaunchPlanOuterClass.LaunchPlan plan = closure.launchPlans().get(ChildWorkflow.class.getName());
    assertThat(plan.getId().getResourceType()).isEqualTo(ResourceType.LAUNCH_PLAN);
    assertThat(plan.getId().getVersion()).isEqualTo("v1");
    assertThat(plan.getSpec().getWorkflowId())
        .isEqualTo(closure.workflows().get(ChildWorkflow.class.getName()).getTemplate().getId());
    assertThat(plan.getSpec().getDefaultInputs().getParametersMap()).containsOnlyKeys("x");
    assertThat(plan.getSpec().getEntityMetadata().hasSchedule()).isFalse();
    // Declared plans stay as declared.
    assertThat(
            closure
                .launchPlans()
                .get("ParentWorkflowNightly")
                .getSpec()
                .getEntityMetadata()
                .hasSchedule())
        .isTrue();
  }

  @Test
  void activateSchedulesSetsOnlyScheduledLaunchPlansActive() {
    RegistrationSummary summary = registrar().register(closure(""), true);

    assertThat(summary.succeeded()).isTrue();
    assertThat(admin.calls).contains("UpdateLaunchPlan ParentWorkflowNightly ACTIVE");
    assertThat(admin.launchPlanStates)
        .hasSize(1)
        .containsValue(LaunchPlanOuterClass.LaunchPlanState.ACTIVE);
    assertThat(progress.toString(StandardCharsets.UTF_8))
        .contains("ParentWorkflowNightly: activated");
  }

  @Test
  void withoutTheOptionNoScheduleIsActivated() {
    registrar().register(closure(""));

    assertThat(admin.calls).noneMatch(call -> call.startsWith("UpdateLaunchPlan"));
  }

  @Test
  void versionlessRemoteReferencesGetTheNewestRegisteredVersion() {
    admin.seedTask(FakeFlyteAdmin.id(ResourceType.TASK, "other", "com.other.Upper", "v1"));
    admin.seedTask(FakeFlyteAdmin.id(ResourceType.TASK, "other", "com.other.Upper", "v3"));
    admin.seedTask(FakeFlyteAdmin.id(ResourceType.TASK, "other", "com.other.Upper", "v2"));
    admin.seedLaunchPlan(FakeFlyteAdmin.id(ResourceType.LAUNCH_PLAN, "other", "OtherPlan", "a"));
    admin.seedLaunchPlan(FakeFlyteAdmin.id(ResourceType.LAUNCH_PLAN, "other", "OtherPlan", "b"));

    RegistrationClosure closure = closure("remote-refs");
    Workflow.WorkflowTemplate caller = closure.workflows().get("RemoteCaller").getTemplate();

    Identifier task = caller.getNodes(0).getTaskNode().getReferenceId();
    assertThat(task.getProject()).isEqualTo("other");
    assertThat(task.getVersion()).as("created last, not the highest name").isEqualTo("v2");
    Identifier plan = caller.getNodes(1).getWorkflowNode().getLaunchplanRef();
    assertThat(plan.getVersion()).isEqualTo("b");
    assertThat(admin.calls)
        .contains("ListTasks other/development/com.other.Upper")
        .contains("ListLaunchPlans other/development/OtherPlan");

    assertThat(registrar().register(closure).succeeded()).isTrue();
  }

  @Test
  void aVersionlessRemoteReferenceWithNothingRegisteredIsAClearError() {
    assertThatThrownBy(() -> closure("remote-refs"))
        .hasMessageContaining("'com.other.Upper' has no version")
        .hasMessageContaining("project 'other'")
        .hasMessageContaining("register it first");
  }

  @Test
  void serializeCannotLookUpVersionsAndSaysSo() {
    JflyteTestRun run =
        JflyteTestRun.run(
            Map.of(
                "FLYTE_INTERNAL_IMAGE",
                "ghcr.io/example/app:1",
                GatedWorkflows.SWITCH,
                "remote-refs"),
            "serialize",
            "workflows",
            "-f",
            System.getProperty("java.io.tmpdir") + "/jflyte-serialize-remote-refs");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("com.other.Upper").contains("explicit version");
  }

  @Test
  void theRegisterCommandActivatesSchedulesAndResolvesVersionsOverGrpc() throws Exception {
    admin.seedTask(FakeFlyteAdmin.id(ResourceType.TASK, "other", "com.other.Upper", "v9"));
    admin.seedLaunchPlan(FakeFlyteAdmin.id(ResourceType.LAUNCH_PLAN, "other", "OtherPlan", "p4"));
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
                  "ghcr.io/example/app:1",
                  GatedWorkflows.SWITCH,
                  "remote-refs,launch-plan-caller"),
              "register",
              "workflows",
              "-p",
              "flytesnacks",
              "-d",
              "development",
              "-v",
              "v7",
              "--activate-schedules");

      assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
      assertThat(run.out())
          .contains("ParentWorkflowNightly: activated")
          .contains("summary: 17 created");
      assertThat(admin.stored)
          .filteredOn(
              id ->
                  id.getName().equals("RemoteCaller")
                      && id.getResourceType() == ResourceType.WORKFLOW)
          .singleElement()
          .extracting(Identifier::getVersion)
          .isEqualTo("v7");
    } finally {
      loopback.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
