package dev.flyteplugin.jflyte.execute;

import dev.flyteplugin.jflyte.register.AdminChannels;
import dev.flyteplugin.jflyte.register.AdminLatestVersions;
import dev.flyteplugin.jflyte.register.RetryPolicy;
import flyteidl.admin.Common;
import flyteidl.core.IdentifierOuterClass.Identifier;
import flyteidl.core.Tasks;
import flyteidl.service.AdminServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * FlyteAdmin as seen from a dynamic workflow task's container: {@code FLYTE_PLATFORM_URL}, {@code
 * FLYTE_PLATFORM_INSECURE} and optionally {@code FLYTE_AUTH_TOKEN} (flytekit-java's
 * ExecuteDynamicWorkflow uses the first two, without a token).
 */
final class RemoteAdmin implements AutoCloseable {

  /** FlyteAdmin could not be asked (transient): the task attempt is retried. */
  static final class Unavailable extends RuntimeException {
    Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final ManagedChannel channel;
  private final AdminLatestVersions latestVersions;

  private RemoteAdmin(ManagedChannel channel) {
    this.channel = channel;
    this.latestVersions = new AdminLatestVersions(channel, RetryPolicy.DEFAULT);
  }

  /** Null when FLYTE_PLATFORM_URL is not set. */
  static RemoteAdmin fromEnv(Map<String, String> env) {
    String url = env.get("FLYTE_PLATFORM_URL");
    if (url == null || url.isBlank()) {
      return null;
    }
    return new RemoteAdmin(
        AdminChannels.open(
            url,
            Boolean.parseBoolean(env.get("FLYTE_PLATFORM_INSECURE")),
            env.get("FLYTE_AUTH_TOKEN")));
  }

  AdminLatestVersions latestVersions() {
    return latestVersions;
  }

  /** The registered template of {@code id} (GetTask), or null when FlyteAdmin has none. */
  Tasks.TaskTemplate taskTemplate(Identifier id) {
    try {
      return AdminServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .getTask(Common.ObjectGetRequest.newBuilder().setId(id).build())
          .getClosure()
          .getCompiledTask()
          .getTemplate();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return null;
      }
      throw new Unavailable("GetTask " + id.getName() + " at FlyteAdmin: " + e.getStatus(), e);
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
