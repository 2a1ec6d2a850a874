package dev.flyteplugin.backend.runtime;

import dev.flyteplugin.backend.api.OperatorPlugin;
import dev.flyteplugin.backend.api.PhaseInfo;
import dev.flyteplugin.backend.api.ResourceBuildException;
import dev.flyteplugin.backend.api.ResourceIdentity;
import dev.flyteplugin.backend.api.TaskContext;
import dev.flyteplugin.backend.api.TaskInfo;
import dev.flyteplugin.backend.api.TaskType;
import flyteidl.core.Execution.TaskLog;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A minimal operator plugin for the runtime's own tests: a {@code TestJob} whose {@code
 * status.state} a test writes directly (the "operator" is the test).
 */
public class TestJobPlugin implements OperatorPlugin {
  static final String TYPE = "test_job";
  static final ResourceIdentity IDENTITY =
      ResourceIdentity.namespaced("test.flyteplugin.dev", "v1", "TestJob", "testjobs");

  @Override
  public List<TaskType> taskTypes() {
    return List.of(new TaskType(TYPE, 0));
  }

  @Override
  public ResourceIdentity identity() {
    return IDENTITY;
  }

  @Override
  public GenericKubernetesResource build(TaskContext context) throws ResourceBuildException {
    var custom = context.template().getCustom().getFieldsMap();
    if (custom.containsKey("broken")) {
      throw new ResourceBuildException("field 'broken' is set: remove it");
    }
    GenericKubernetesResource job = new GenericKubernetesResource();
    job.setAdditionalProperty(
        "spec",
        Map.of(
            "image", context.template().getContainer().getImage(),
            "args", context.template().getContainer().getArgsList(),
            "podLabels", context.executionLabels()));
    return job;
  }

  @Override
  @SuppressWarnings("unchecked")
  public PhaseInfo phase(GenericKubernetesResource resource) {
    Map<String, Object> status =
        (Map<String, Object>) resource.getAdditionalProperties().getOrDefault("status", Map.of());
    String state = (String) status.getOrDefault("state", "");
    TaskInfo info =
        new TaskInfo(
            List.of(
                TaskLog.newBuilder()
                    .setName("logs")
                    .setUri("https://logs.example/" + resource.getMetadata().getName())
                    .build()),
            com.google.protobuf.Struct.getDefaultInstance());
    PhaseInfo phase =
        switch (state) {
          case "" -> PhaseInfo.queued("New", "not picked up yet");
          case "Running" -> PhaseInfo.running("Running", "running", info);
          case "Succeeded" -> PhaseInfo.success("done", info);
          case "Failed" ->
              PhaseInfo.retryableFailure(
                  "TestJobFailed", String.valueOf(status.get("message")), info);
          default -> PhaseInfo.running(state, "state " + state, info);
        };
    Object finished = status.get("finishedAt");
    return finished == null ? phase : phase.withOccurredAt(Instant.parse((String) finished));
  }
}
