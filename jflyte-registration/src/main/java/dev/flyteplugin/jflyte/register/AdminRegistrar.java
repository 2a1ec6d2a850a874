package dev.flyteplugin.jflyte.register;

import dev.flyteplugin.jflyte.serialize.RegistrationClosure;
import flyteidl.admin.LaunchPlanOuterClass;
import flyteidl.admin.TaskOuterClass;
import flyteidl.admin.WorkflowOuterClass;
import flyteidl.core.Tasks;
import flyteidl.service.AdminServiceGrpc;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Registers a {@link RegistrationClosure} with FlyteAdmin: CreateTask for every task, then
 * CreateWorkflow and CreateLaunchPlan in dependency order. ALREADY_EXISTS counts as success
 * (FlyteAdmin returns it only for an identical payload); transient errors are retried per {@link
 * RetryPolicy}. One progress line per entity goes to {@code progress}.
 */
public final class AdminRegistrar {

  /** Sleeps between retries; replaced in tests. */
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  private enum Result {
    CREATED,
    ALREADY_EXISTED,
    FAILED
  }

  private final AdminServiceGrpc.AdminServiceBlockingStub admin;
  private final RetryPolicy retryPolicy;
  private final PrintStream progress;
  private final Sleeper sleeper;

  private int created;
  private int alreadyExisted;
  private final List<String> failures = new ArrayList<>();

  public AdminRegistrar(Channel channel, RetryPolicy retryPolicy, PrintStream progress) {
    this(channel, retryPolicy, progress, duration -> Thread.sleep(duration.toMillis()));
  }

  public AdminRegistrar(
      Channel channel, RetryPolicy retryPolicy, PrintStream progress, Sleeper sleeper) {
    this.admin = AdminServiceGrpc.newBlockingStub(channel);
    this.retryPolicy = retryPolicy;
    this.progress = progress;
    this.sleeper = sleeper;
  }

  /**
   * Registers everything in {@link RegistrationClosure#registrationOrder()}. A failed task skips
   * every workflow and launch plan (they need the tasks); a failed workflow or launch plan skips
   * the rest (later ones may depend on it). With {@code activateSchedules}, every launch plan with
   * a schedule is then set ACTIVE (UpdateLaunchPlan), which starts its schedule.
   */
  public synchronized RegistrationSummary register(
      RegistrationClosure closure, boolean activateSchedules) {
    created = 0;
    alreadyExisted = 0;
    failures.clear();
    List<RegistrationClosure.Entity> order = closure.registrationOrder();
    for (int i = 0; i < order.size(); i++) {
      RegistrationClosure.Entity entity = order.get(i);
      // Tasks come first: once anything failed, no workflow or launch plan can rely on the rest.
      boolean somethingFailed = !failures.isEmpty();
      if (somethingFailed && entity.kind() != RegistrationClosure.Kind.TASK) {
        return finish(order.size() - i);
      }
      String name = entity.name();
      switch (entity.kind()) {
        case TASK -> {
          Tasks.TaskTemplate template = closure.tasks().get(name);
          call(
              entity.kind().label(),
              name,
              stub ->
                  stub.createTask(
                      TaskOuterClass.TaskCreateRequest.newBuilder()
                          .setId(template.getId())
                          .setSpec(TaskOuterClass.TaskSpec.newBuilder().setTemplate(template))
                          .build()));
        }
        case WORKFLOW -> {
          WorkflowOuterClass.WorkflowSpec spec = closure.workflows().get(name);
          call(
              entity.kind().label(),
              name,
              stub ->
                  stub.createWorkflow(
                      WorkflowOuterClass.WorkflowCreateRequest.newBuilder()
                          .setId(spec.getTemplate().getId())
                          .setSpec(spec)
                          .build()));
        }
        case LAUNCH_PLAN -> {
          LaunchPlanOuterClass.LaunchPlan plan = closure.launchPlans().get(name);
          call(
              entity.kind().label(),
              name,
              stub ->
                  stub.createLaunchPlan(
                      LaunchPlanOuterClass.LaunchPlanCreateRequest.newBuilder()
                          .setId(plan.getId())
                          .setSpec(plan.getSpec())
                          .build()));
        }
      }
    }
    if (failures.isEmpty() && activateSchedules) {
      closure
          .launchPlans()
          .forEach(
              (name, plan) -> {
                if (plan.getSpec().getEntityMetadata().hasSchedule()) {
                  activate(name, plan);
                }
              });
    }
    return finish(0);
  }

  /** Registers without activating schedules. */
  public RegistrationSummary register(RegistrationClosure closure) {
    return register(closure, false);
  }

  private void activate(String name, LaunchPlanOuterClass.LaunchPlan plan) {
    for (int attempt = 1; ; attempt++) {
      try {
        admin
            .withDeadlineAfter(retryPolicy.callTimeout().toMillis(), TimeUnit.MILLISECONDS)
            .updateLaunchPlan(
                LaunchPlanOuterClass.LaunchPlanUpdateRequest.newBuilder()
                    .setId(plan.getId())
                    .setState(LaunchPlanOuterClass.LaunchPlanState.ACTIVE)
                    .build());
        progress.printf("%-11s %s: activated (schedule on)%n", "launch plan", name);
        return;
      } catch (StatusRuntimeException e) {
        Status status = e.getStatus();
        if (!RetryPolicy.retryable(status.getCode()) || attempt >= retryPolicy.maxAttempts()) {
          String reason = "activation " + status.getCode() + describe(status);
          progress.printf("%-11s %s: FAILED %s%n", "launch plan", name, reason);
          failures.add("launch plan " + name + ": " + reason);
          return;
        }
        try {
          sleeper.sleep(retryPolicy.backoffAfter(attempt));
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          failures.add("launch plan " + name + ": interrupted while activating");
          return;
        }
      }
    }
  }

  private RegistrationSummary finish(int skipped) {
    RegistrationSummary summary =
        new RegistrationSummary(created, alreadyExisted, skipped, failures);
    progress.println("summary: " + summary);
    return summary;
  }

  private void call(
      String kind, String name, Function<AdminServiceGrpc.AdminServiceBlockingStub, ?> rpc) {
    Result result = callWithRetries(kind, name, rpc);
    switch (result) {
      case CREATED -> created++;
      case ALREADY_EXISTED -> alreadyExisted++;
      case FAILED -> {}
    }
  }

  private Result callWithRetries(
      String kind, String name, Function<AdminServiceGrpc.AdminServiceBlockingStub, ?> rpc) {
    for (int attempt = 1; ; attempt++) {
      try {
        rpc.apply(
            admin.withDeadlineAfter(retryPolicy.callTimeout().toMillis(), TimeUnit.MILLISECONDS));
        progress.printf("%-11s %s: created%n", kind, name);
        return Result.CREATED;
      } catch (StatusRuntimeException e) {
        Status status = e.getStatus();
        if (status.getCode() == Status.Code.ALREADY_EXISTS) {
          progress.printf("%-11s %s: already exists%n", kind, name);
          return Result.ALREADY_EXISTED;
        }
        String reason = status.getCode() + describe(status);
        if (!RetryPolicy.retryable(status.getCode()) || attempt >= retryPolicy.maxAttempts()) {
          String failureReason =
              reason
                  + (RetryPolicy.retryable(status.getCode())
                      ? " (gave up after " + attempt + " attempts)"
                      : "");
          progress.printf("%-11s %s: FAILED %s%n", kind, name, failureReason);
          failures.add(kind + " " + name + ": " + failureReason);
          return Result.FAILED;
        }
        Duration backoff = retryPolicy.backoffAfter(attempt);
        progress.printf(
            "%-11s %s: %s, retrying in %d ms (attempt %d of %d)%n",
            kind, name, reason, backoff.toMillis(), attempt + 1, retryPolicy.maxAttempts());
        try {
          sleeper.sleep(backoff);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          failures.add(kind + " " + name + ": interrupted while retrying " + reason);
          return Result.FAILED;
        }
      }
    }
  }

  private static String describe(Status status) {
    return status.getDescription() == null ? "" : " (" + status.getDescription() + ")";
  }
}
