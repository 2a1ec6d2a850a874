package dev.flyteplugin.backend.testing;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads paths of a resource and renders {@link OperatorScript} templates. */
final class Templates {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z0-9_.\\[\\]-]+)}");
  static final String ARGS = "{args...}";

  private Templates() {}

  /**
   * The value at {@code path} ({@code spec.driver.env}, {@code spec.containers[0].env}), or null.
   */
  static Object read(GenericKubernetesResource resource, String path) {
    Object current = resource.getAdditionalProperties();
    for (String part : path.split("\\.")) {
      int index = -1;
      int bracket = part.indexOf('[');
      if (bracket >= 0 && part.endsWith("]")) {
        index = Integer.parseInt(part.substring(bracket + 1, part.length() - 1));
        part = part.substring(0, bracket);
      }
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(part);
      if (index >= 0) {
        current = current instanceof List<?> list && index < list.size() ? list.get(index) : null;
      }
    }
    return current;
  }

  static String readString(GenericKubernetesResource resource, String path) {
    Object value = read(resource, path);
    return value == null ? "" : value.toString();
  }

  static List<String> readStrings(GenericKubernetesResource resource, String path) {
    return read(resource, path) instanceof List<?> list
        ? list.stream().map(String::valueOf).toList()
        : List.of();
  }

  /** {@code [{name, value}]} at {@code path} as a map. */
  static Map<String, String> readEnv(GenericKubernetesResource resource, String path) {
    Map<String, String> env = new LinkedHashMap<>();
    if (read(resource, path) instanceof List<?> vars) {
      for (Object var : vars) {
        if (var instanceof Map<?, ?> v && v.get("name") != null && v.get("value") != null) {
          env.put(v.get("name").toString(), v.get("value").toString());
        }
      }
    }
    return env;
  }

  static String render(
      String template, GenericKubernetesResource resource, Map<String, String> vars) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String key = m.group(1);
      String value = vars.containsKey(key) ? vars.get(key) : readString(resource, key);
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** A status or list template rendered; entries whose value renders to "" are left out. */
  static Object renderValue(
      Object template,
      GenericKubernetesResource resource,
      Map<String, String> vars,
      List<String> args) {
    if (template instanceof String s) {
      return render(s, resource, vars);
    }
    if (template instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach(
          (k, v) -> {
            Object value = renderValue(v, resource, vars, args);
            if (!"".equals(value)) {
              out.put(render(String.valueOf(k), resource, vars), value);
            }
          });
      return out;
    }
    if (template instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      for (Object element : list) {
        if (ARGS.equals(element)) {
          out.addAll(args);
        } else {
          out.add(renderValue(element, resource, vars, args));
        }
      }
      return out;
    }
    return template;
  }
}
