package dev.flyteplugin.backend.api;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import flyteidl.core.Execution.TaskLog;
import java.util.List;
import java.util.Map;

/**
 * What a phase shows the user besides the phase itself: log links and plugin-specific custom info
 * (flyteplugins' {@code core.TaskInfo}).
 */
public record TaskInfo(List<TaskLog> logLinks, Struct customInfo) {
  private static final TaskInfo EMPTY = new TaskInfo(List.of(), Struct.getDefaultInstance());

  public TaskInfo {
    logLinks = List.copyOf(logLinks);
    requireNonNull(customInfo, "customInfo");
  }

  public static TaskInfo empty() {
    return EMPTY;
  }

  public static TaskInfo of(List<TaskLog> logLinks, Map<String, String> customInfo) {
    Struct.Builder struct = Struct.newBuilder();
    customInfo.forEach((k, v) -> struct.putFields(k, Value.newBuilder().setStringValue(v).build()));
    return new TaskInfo(logLinks, struct.build());
  }
}
