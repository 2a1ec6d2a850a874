package dev.flyteplugin.jflyte.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code admin} section of flytectl's config file ({@code ~/.flyte/config.yaml}), the fields
 * jflyte uses. Names as flyteidl's admin client Config (flyteidl/clients/go/admin/config.go at
 * flyteidl/v1.16.8): {@code endpoint}, {@code insecure}, {@code authType} (ClientSecret, Pkce,
 * ExternalCommand, DeviceFlow), {@code clientId}, {@code clientSecretLocation}, {@code
 * clientSecretEnvVar}, {@code tokenUrl}, {@code scopes}, {@code audience}, {@code
 * authorizationHeader}, {@code command} (ExternalCommand). Keys are matched case-insensitively, as
 * viper (flytestdlib's config loader) does.
 *
 * <p>The file is read with a small YAML reader that understands what flytectl writes (nested block
 * mappings, scalars, flow and block lists of scalars, comments); anchors and multi-line scalars are
 * rejected with the line number.
 */
public record FlytectlConfig(
    Path source,
    String endpoint,
    boolean insecure,
    Optional<String> authType,
    String clientId,
    String clientSecretLocation,
    String clientSecretEnvVar,
    String tokenUrl,
    List<String> scopes,
    String audience,
    String authorizationHeader,
    List<String> command) {

  /** flyteidl's DefaultClientSecretLocation. */
  public static final String DEFAULT_CLIENT_SECRET_LOCATION = "/etc/secrets/client_secret";

  /**
   * Where flytectl looks when no --config is given: $FLYTECTL_CONFIG, else ~/.flyte/config.yaml.
   */
  public static Optional<Path> defaultLocation(Map<String, String> env) {
    String explicit = env.get("FLYTECTL_CONFIG");
    if (explicit != null && !explicit.isBlank()) {
      return Optional.of(Path.of(explicit));
    }
    Path home = Path.of(System.getProperty("user.home"), ".flyte", "config.yaml");
    return Files.isRegularFile(home) ? Optional.of(home) : Optional.empty();
  }

  public static FlytectlConfig read(Path file) throws IOException {
    Map<String, Object> root =
        parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    Map<String, Object> admin = section(root, "admin", file);
    String authType = string(admin, "authType");
    if (authType != null) {
      authType = canonicalAuthType(authType, file);
    }
    return new FlytectlConfig(
        file,
        string(admin, "endpoint"),
        Boolean.parseBoolean(string(admin, "insecure")),
        Optional.ofNullable(authType),
        string(admin, "clientId"),
        Optional.ofNullable(string(admin, "clientSecretLocation"))
            .orElse(DEFAULT_CLIENT_SECRET_LOCATION),
        string(admin, "clientSecretEnvVar"),
        string(admin, "tokenUrl"),
        list(admin, "scopes"),
        string(admin, "audience"),
        string(admin, "authorizationHeader"),
        list(admin, "command"));
  }

  private static String canonicalAuthType(String value, Path file) {
    for (String known : List.of("ClientSecret", "Pkce", "ExternalCommand", "DeviceFlow")) {
      if (known.equalsIgnoreCase(value)) {
        return known;
      }
    }
    throw new IllegalArgumentException(
        file
            + ": admin.authType '"
            + value
            + "' is not one of ClientSecret, Pkce, ExternalCommand, DeviceFlow");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> section(Map<String, Object> root, String key, Path file) {
    Object value = get(root, key);
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map)) {
      throw new IllegalArgumentException(file + ": '" + key + "' must be a mapping");
    }
    return (Map<String, Object>) value;
  }

  private static Object get(Map<String, Object> map, String key) {
    for (Map.Entry<String, Object> entry : map.entrySet()) {
      if (entry.getKey().equalsIgnoreCase(key)) {
        return entry.getValue();
      }
    }
    return null;
  }

  private static String string(Map<String, Object> map, String key) {
    Object value = get(map, key);
    if (value == null || value instanceof Map || value instanceof List) {
      return null;
    }
    String text = value.toString();
    return text.isEmpty() ? null : text;
  }

  private static List<String> list(Map<String, Object> map, String key) {
    Object value = get(map, key);
    if (value instanceof List<?> items) {
      return items.stream().map(Object::toString).toList();
    }
    return value == null ? List.of() : List.of(value.toString());
  }

  // ---------------------------------------------------------------- a small YAML reader

  private record Line(int number, int indent, String text) {}

  static Map<String, Object> parse(String yaml, String source) {
    List<Line> lines = new ArrayList<>();
    String[] raw = yaml.split("\r?\n", -1);
    for (int i = 0; i < raw.length; i++) {
      String text = stripComment(raw[i]);
      if (text.isBlank() || text.strip().equals("---")) {
        continue;
      }
      if (text.contains("\t") && text.substring(0, text.indexOf(text.strip())).contains("\t")) {
        throw new IllegalArgumentException(source + ":" + (i + 1) + ": tabs are not allowed");
      }
      int indent = text.length() - text.stripLeading().length();
      lines.add(new Line(i + 1, indent, text.strip()));
    }
    int[] position = {0};
    Map<String, Object> root = mapping(lines, position, 0, source);
    if (position[0] < lines.size()) {
      Line line = lines.get(position[0]);
      throw new IllegalArgumentException(
          source + ":" + line.number() + ": unexpected indentation: " + line.text());
    }
    return root;
  }

  private static Map<String, Object> mapping(
      List<Line> lines, int[] position, int indent, String source) {
    Map<String, Object> map = new LinkedHashMap<>();
    while (position[0] < lines.size()) {
      Line line = lines.get(position[0]);
      if (line.indent() < indent) {
        break;
      }
      if (line.indent() > indent || line.text().startsWith("- ")) {
        throw new IllegalArgumentException(
            source + ":" + line.number() + ": unexpected indentation: " + line.text());
      }
      int colon = keyEnd(line.text());
      if (colon < 0) {
        throw new IllegalArgumentException(
            source + ":" + line.number() + ": expected 'key: value', got: " + line.text());
      }
      String key = unquote(line.text().substring(0, colon).strip());
      String rest = line.text().substring(colon + 1).strip();
      position[0]++;
      if (!rest.isEmpty()) {
        map.put(key, scalarOrFlowList(rest, source, line.number()));
      } else if (position[0] < lines.size()
          && lines.get(position[0]).text().startsWith("- ")
          && lines.get(position[0]).indent() >= indent) {
        List<Object> items = new ArrayList<>();
        int itemIndent = lines.get(position[0]).indent();
        while (position[0] < lines.size()
            && lines.get(position[0]).indent() == itemIndent
            && lines.get(position[0]).text().startsWith("- ")) {
          Line item = lines.get(position[0]);
          items.add(scalar(item.text().substring(2).strip(), source, item.number()));
          position[0]++;
        }
        map.put(key, items);
      } else if (position[0] < lines.size() && lines.get(position[0]).indent() > indent) {
        map.put(key, mapping(lines, position, lines.get(position[0]).indent(), source));
      } else {
        map.put(key, "");
      }
    }
    return map;
  }

  private static int keyEnd(String text) {
    char quote = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == ':' && (i + 1 == text.length() || text.charAt(i + 1) == ' ')) {
        return i;
      }
    }
    return -1;
  }

  private static Object scalarOrFlowList(String text, String source, int number) {
    if (text.startsWith("[") && text.endsWith("]")) {
      String inner = text.substring(1, text.length() - 1).strip();
      List<Object> items = new ArrayList<>();
      if (!inner.isEmpty()) {
        for (String item : inner.split(",")) {
          items.add(scalar(item.strip(), source, number));
        }
      }
      return items;
    }
    return scalar(text, source, number);
  }

  private static String scalar(String text, String source, int number) {
    if (text.startsWith("&")
        || text.startsWith("*")
        || text.startsWith("|")
        || text.startsWith(">")
        || text.startsWith("{")) {
      throw new IllegalArgumentException(
          source
              + ":"
              + number
              + ": unsupported YAML ("
              + text
              + "); write the value as a plain or quoted scalar");
    }
    String value = unquote(text);
    return value.equals("~") || value.toLowerCase(Locale.ROOT).equals("null") ? "" : value;
  }

  private static String unquote(String text) {
    if (text.length() >= 2
        && ((text.startsWith("\"") && text.endsWith("\""))
            || (text.startsWith("'") && text.endsWith("'")))) {
      return text.substring(1, text.length() - 1);
    }
    return text;
  }

  private static String stripComment(String line) {
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        return line.substring(0, i);
      }
    }
    return line;
  }
}
