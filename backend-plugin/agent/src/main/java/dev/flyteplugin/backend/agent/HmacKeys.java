package dev.flyteplugin.backend.agent;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/** Where the resource_meta HMAC key comes from: a base64 value or a file holding one. */
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

  static byte[] fromFile(Path file) {
    try {
      return fromBase64(Files.readString(file, UTF_8), "file " + file);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read the HMAC key file " + file + ": " + e + "; " + HOW_TO_MAKE_ONE, e);
    }
  }

  static byte[] random() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return key;
  }
}
