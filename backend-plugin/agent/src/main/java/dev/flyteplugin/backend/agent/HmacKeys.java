package dev.flyteplugin.backend.agent;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Where the resource_meta HMAC keys come from: base64 values or files holding them. Several keys
 * make a rotation: the first signs, all verify ({@link ResourceMetaCodec}).
 */
final class HmacKeys {
  static final String HOW_TO_MAKE_ONE =
      "create one with `head -c 32 /dev/urandom | base64 > hmac.key` and pass it with"
          + " --hmac-key-file (env FLYTE_AGENT_HMAC_KEY_FILE) or --hmac-key"
          + " (env FLYTE_AGENT_HMAC_KEY); in Kubernetes keep it in the Secret"
          + " flyte-operator-agent-hmac (see backend-plugin/deploy)";

  private HmacKeys() {}

  /** Decodes a base64 key (surrounding whitespace ignored). */
  static byte[] fromBase64(String value, String source) {
    try {
      return Base64.getDecoder().decode(value.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "the HMAC key from "
              + source
              + " is not valid base64 ("
              + e.getMessage()
              + "); "
              + HOW_TO_MAKE_ONE,
          e);
    }
  }

  /**
   * Several base64 keys separated by commas, whitespace or newlines; lines starting with {@code #}
   * are comments. Base64 never contains these separators.
   */
  static List<byte[]> listFromBase64(String text, String source) {
    List<byte[]> keys = new ArrayList<>();
    for (String line : text.split("\\R")) {
      String content = line.strip();
      if (content.isEmpty() || content.startsWith("#")) {
        continue;
      }
      for (String value : content.split("[,\\s]+")) {
        if (!value.isEmpty()) {
          keys.add(fromBase64(value, source + " (key #" + (keys.size() + 1) + ")"));
        }
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException(source + " holds no HMAC key; " + HOW_TO_MAKE_ONE);
    }
    return keys;
  }

  /** The keys of a file: one base64 key per line (the first of the file first). */
  static List<byte[]> fromFile(Path file) {
    String text;
    try {
      text = Files.readString(file, UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read the HMAC key file " + file + ": " + e + "; " + HOW_TO_MAKE_ONE, e);
    }
    return listFromBase64(text, "file " + file);
  }

  /** The keys of several files, in the order given. */
  static List<byte[]> fromFiles(List<Path> files) {
    List<byte[]> keys = new ArrayList<>();
    files.forEach(file -> keys.addAll(fromFile(file)));
    return keys;
  }

  static byte[] random() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return key;
  }
}
