package dev.flyteplugin.backend.api;

import static java.util.Objects.requireNonNull;

import flyteidl.core.Execution.TaskLog;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A log link as a URL template, e.g. {@code
 * https://dashboard.example/#/log/{namespace}/{podName}/pod}. Every plugin's links know the {@link
 * #COMMON} placeholders, taken from the resource and the execution labels the runtime puts on it
 * ({@code {executionId}} included); a plugin adds its own (Spark: {@code {podName}}, {@code
 * {sparkAppId}}).
 *
 * <p>Checked when the agent starts, so a broken template fails the start naming the link rather
 * than rendering a link that leads nowhere (flyte#3623, #1378: links rendered wrong): an http(s)
 * URL, braces only around a known placeholder.
 *
 * @param name the link's name as the Flyte console shows it
 * @param template the URL with placeholders
 * @param placeholders the placeholders it may use: {@link #COMMON} and the plugin's
 */
public record LogLinkTemplate(String name, String template, Set<String> placeholders) {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z]+)}");

  /**
   * Known for every resource: {@code namespace}, {@code resourceName}, and from the execution
   * labels {@code executionId}, {@code project}, {@code domain}, {@code nodeId}, {@code
   * retryAttempt}.
   */
  public static final Set<String> COMMON =
      Set.of(
          "namespace",
          "resourceName",
          "executionId",
          "project",
          "domain",
          "nodeId",
          "retryAttempt");

  public LogLinkTemplate {
    requireNonNull(name, "name");
    requireNonNull(template, "template");
    placeholders = Set.copyOf(placeholders);
    if (name.isBlank() || template.isBlank()) {
      throw new IllegalArgumentException("a log link needs a name and a URL template");
    }
    Matcher m = PLACEHOLDER.matcher(template);
    while (m.find()) {
      if (!COMMON.contains(m.group(1)) && !placeholders.contains(m.group(1))) {
        Set<String> known = new TreeSet<>(COMMON);
        known.addAll(placeholders);
        throw new IllegalArgumentException(
            "log link '"
                + name
                + "' uses unknown placeholder {"
                + m.group(1)
                + "}; known: "
                + known);
      }
    }
    String rest = PLACEHOLDER.matcher(template).replaceAll("");
    if (rest.indexOf('{') >= 0 || rest.indexOf('}') >= 0) {
      throw new IllegalArgumentException(
          "log link '"
              + name
              + "' has a brace that is not around a placeholder: "
              + template
              + "; write placeholders as {namespace}, {executionId}, ...");
    }
    if (!template.startsWith("http://") && !template.startsWith("https://")) {
      throw new IllegalArgumentException(
          "log link '"
              + name
              + "' is not an http(s) URL: "
              + template
              + "; the Flyte console opens it in a browser");
    }
  }

  /**
   * The links of a {@code name=template|name=template} setting.
   *
   * @throws InvalidSettingException naming the setting ({@code key} of {@code settings}) and entry
   */
  public static List<LogLinkTemplate> parse(
      PluginSettings settings, String key, Set<String> pluginPlaceholders) {
    List<LogLinkTemplate> links = new ArrayList<>();
    String raw = settings.get(key, "").trim();
    if (raw.isEmpty()) {
      return links;
    }
    for (String entry : raw.split("\\|")) {
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw settings.invalid(
            key, "entry '" + entry + "' is not name=template (entries are separated by '|')");
      }
      try {
        links.add(
            new LogLinkTemplate(
                entry.substring(0, eq).trim(), entry.substring(eq + 1).trim(), pluginPlaceholders));
      } catch (IllegalArgumentException e) {
        throw settings.invalid(key, e.getMessage());
      }
    }
    return links;
  }

  /** The URL, or empty when a placeholder it uses has no value yet. */
  public Optional<String> render(Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null || value.isEmpty()) {
        return Optional.empty();
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return Optional.of(out.toString());
  }

  /**
   * The links of {@code templates} for {@code resource}: the {@link #COMMON} values from its
   * metadata and labels, then {@code pluginValues}. A link whose placeholder has no value yet (e.g.
   * before the operator reported a pod) is left out rather than rendered broken.
   */
  public static List<TaskLog> renderAll(
      List<LogLinkTemplate> templates,
      GenericKubernetesResource resource,
      Map<String, String> pluginValues) {
    if (templates.isEmpty()) {
      return List.of();
    }
    Map<String, String> labels =
        resource.getMetadata().getLabels() == null ? Map.of() : resource.getMetadata().getLabels();
    Map<String, String> values = new LinkedHashMap<>();
    values.put("namespace", nullToEmpty(resource.getMetadata().getNamespace()));
    values.put("resourceName", nullToEmpty(resource.getMetadata().getName()));
    values.put("executionId", labels.getOrDefault(ResourceLabels.EXECUTION_ID, ""));
    values.put("project", labels.getOrDefault(ResourceLabels.PROJECT, ""));
    values.put("domain", labels.getOrDefault(ResourceLabels.DOMAIN, ""));
    values.put("nodeId", labels.getOrDefault(ResourceLabels.NODE_ID, ""));
    values.put("retryAttempt", labels.getOrDefault(ResourceLabels.RETRY_ATTEMPT, ""));
    values.putAll(pluginValues);
    List<TaskLog> logs = new ArrayList<>();
    for (LogLinkTemplate template : templates) {
      template
          .render(values)
          .ifPresent(
              uri ->
                  logs.add(
                      TaskLog.newBuilder()
                          .setName(template.name())
                          .setUri(uri)
                          .setMessageFormat(TaskLog.MessageFormat.UNKNOWN)
                          .build()));
    }
    return logs;
  }

  private static String nullToEmpty(String value) {
    return value == null ? "" : value;
  }
}
