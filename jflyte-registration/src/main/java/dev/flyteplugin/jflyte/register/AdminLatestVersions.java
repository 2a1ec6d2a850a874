package dev.flyteplugin.jflyte.register;

import dev.flyteplugin.jflyte.serialize.LatestVersions;
import flyteidl.admin.Common;
import flyteidl.core.IdentifierOuterClass.Identifier;
import flyteidl.core.IdentifierOuterClass.ResourceType;
import flyteidl.service.AdminServiceGrpc;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Asks FlyteAdmin for the newest version of a task, workflow or launch plan: List* with the named
 * entity, {@code sort_by created_at DESCENDING}, {@code limit 1} (as flytekit-java 0.4.35's
 * FlyteAdminClient.fetchLatestResource does). Answers are cached per entity for one run, so every
 * reference to it in one registration gets the same version.
 */
public final class AdminLatestVersions implements LatestVersions {

  private final AdminServiceGrpc.AdminServiceBlockingStub admin;
  private final RetryPolicy retryPolicy;
  private final Map<String, String> cache = new HashMap<>();

  public AdminLatestVersions(Channel channel, RetryPolicy retryPolicy) {
    this.admin = AdminServiceGrpc.newBlockingStub(channel);
    this.retryPolicy = retryPolicy;
  }

  @Override
  public synchronized String latest(ResourceType type, String project, String domain, String name) {
    String key = type + "/" + project + "/" + domain + "/" + name;
    String cached = cache.get(key);
    if (cached != null) {
      return cached;
    }
    Common.ResourceListRequest request =
        Common.ResourceListRequest.newBuilder()
            .setId(
                Common.NamedEntityIdentifier.newBuilder()
                    .setProject(project)
                    .setDomain(domain)
                    .setName(name))
            .setLimit(1)
            .setSortBy(
                Common.Sort.newBuilder()
                    .setKey("created_at")
                    .setDirection(Common.Sort.Direction.DESCENDING))
            .build();
    List<Identifier> found = list(type, request);
    if (found.isEmpty()) {
      throw new IllegalArgumentException(
          String.format(
              "%s reference '%s' has no version and FlyteAdmin has no %s named '%s' in project"
                  + " '%s', domain '%s': register it first, or give the reference an explicit"
                  + " version",
              type, name, kind(type), name, project, domain));
    }
    String version = found.get(0).getVersion();
    cache.put(key, version);
    return version;
  }

  private List<Identifier> list(ResourceType type, Common.ResourceListRequest request) {
    for (int attempt = 1; ; attempt++) {
      var stub =
          admin.withDeadlineAfter(retryPolicy.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
      try {
        return switch (type) {
          case TASK ->
              stub.listTasks(request).getTasksList().stream().map(task -> task.getId()).toList();
          case WORKFLOW ->
              stub.listWorkflows(request).getWorkflowsList().stream()
                  .map(workflow -> workflow.getId())
                  .toList();
          case LAUNCH_PLAN ->
              stub.listLaunchPlans(request).getLaunchPlansList().stream()
                  .map(plan -> plan.getId())
                  .toList();
          default ->
              throw new IllegalArgumentException("cannot look up the latest version of a " + type);
        };
      } catch (StatusRuntimeException e) {
        if (!RetryPolicy.retryable(e.getStatus().getCode())
            || attempt >= retryPolicy.maxAttempts()) {
          throw new IllegalArgumentException(
              "cannot look up the latest version of "
                  + kind(type)
                  + " '"
                  + request.getId().getName()
                  + "' at FlyteAdmin: "
                  + e.getStatus(),
              e);
        }
        try {
          Thread.sleep(retryPolicy.backoffAfter(attempt).toMillis());
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", interrupted);
        }
      }
    }
  }

  private static String kind(ResourceType type) {
    return switch (type) {
      case TASK -> "task";
      case WORKFLOW -> "workflow";
      case LAUNCH_PLAN -> "launch plan";
      default -> type.name();
    };
  }
}
