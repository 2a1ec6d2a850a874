package dev.flyteplugin.backend.spark;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A log link as a URL template, e.g. {@code
 * https://dashboard.example/#/log/{namespace}/{podName}/pod}. Placeholders: {@code {namespace}},
 * {@code {podName}} (the driver pod), {@code {appName}} (the SparkApplication), {@code
 * {sparkAppId}} (Spark's application id, known once submitted).
 *
 * <p>Checked when the agent starts, so a broken template fails the start naming the link rather
 * than rendering a link that leads nowhere (flyte#3623, #1378: links rendered wrong): an http(s)
 * URL, braces only around a known placeholder.
 *
 * @param name the link's name as the Flyte console shows it
 * @param template the URL with placeholders
 */
public record LogLinkTemplate(String name, String template) {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z]+)}");
  static final java.util.Set<String> PLACEHOLDERS =
      java.util.Set.of("namespace", "podName", "appName", "sparkAppId");

  public LogLinkTemplate {
    requireNonNull(name, "name");
    requireNonNull(template, "template");
    if (name.isBlank() || template.isBlank()) {
      throw new IllegalArgumentException("a log link needs a name and a URL template");
    }
    Matcher m = PLACEHOLDER.matcher(template);
    while (m.find()) {
      if (!PLACEHOLDERS.contains(m.group(1))) {
        throw new IllegalArgumentException(
            "log link '"
                + name
                + "' uses unknown placeholder {"
                + m.group(1)
                + "}; known: "
                + PLACEHOLDERS.stream().sorted().toList());
      }
    }
    String rest = PLACEHOLDER.matcher(template).replaceAll("");
    if (rest.indexOf('{') >= 0 || rest.indexOf('}') >= 0) {
      throw new IllegalArgumentException(
          "log link '"
              + name
              + "' has a brace that is not around a placeholder: "
              + template
              + "; write placeholders as {namespace}, {podName}, ...");
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
}
