package dev.flyteplugin.flytekit.processor.otherplugin;

import com.google.protobuf.Api;
import dev.flyteplugin.proto.ConfigViolation;
import dev.flyteplugin.proto.PluginContract;
import java.util.ArrayList;
import java.util.List;

/**
 * A second plugin, made of nothing but a contract, an annotation and a task base (no toolkit
 * edits), to show the processor serves any marked annotation. Its config is protobuf's own {@link
 * Api} message, so it needs no .proto of its own.
 */
public final class ApiContract implements PluginContract<Api> {
  @Override
  public String taskType() {
    return "api_plugin";
  }

  @Override
  public int taskTypeVersion() {
    return 1;
  }

  @Override
  public Api defaultConfig() {
    return Api.getDefaultInstance();
  }

  @Override
  public List<ConfigViolation> violations(Api config) {
    List<ConfigViolation> out = new ArrayList<>();
    if (config.getName().isBlank()) {
      out.add(new ConfigViolation("name", "is required and missing", "name the API"));
    }
    if (!config.getVersion().isEmpty() && !config.getVersion().matches("v\\d+")) {
      out.add(
          new ConfigViolation(
              "version", "\"" + config.getVersion() + "\" is not a version", "write v1, v2 ..."));
    }
    String file = config.getSourceContext().getFileName();
    if (!file.isEmpty() && !file.endsWith(".proto")) {
      out.add(
          new ConfigViolation(
              "sourceContext.fileName", "\"" + file + "\" is not a .proto file", "name a .proto"));
    }
    return out;
  }
}
