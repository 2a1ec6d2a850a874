package dev.flyteplugin.backend.runtime;

import flyteidl.core.IdentifierOuterClass.TaskExecutionIdentifier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Deterministic Kubernetes names and label values (flyteplugins {@code
 * pluginmachinery/utils.ConvertToDNS1123SubdomainCompatibleString}). Resource names come from
 * {@link TaskIdentity}.
 */
public final class ResourceNames {
  private static final Pattern LABEL_VALUE =
      Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
  private static final int HASH_LENGTH = 10;

  private ResourceNames() {}

  /**
   * A DNS-1123 name of at most {@code maxLength}: {@code readable} lower-cased and reduced to
   * DNS-1123 characters (shortened to fit), then {@code -} and a hash of {@code hashSource}. The
   * hash is always there: readable parts collide (node ids repeat in an execution, and {@code x-n1}
   * + {@code n2} reads like {@code x} + {@code n1-n2}).
   */
  static String hashedName(String readable, String hashSource, int maxLength, int hashLength) {
    String hash = hash(hashSource, hashLength);
    int keep = Math.max(0, maxLength - hashLength - 1);
    String dns = toDns1123(readable);
    String prefix = trimDashes(dns.substring(0, Math.min(keep, dns.length())));
    return prefix.isEmpty() ? "t" + hash.substring(1) : prefix + "-" + hash;
  }

  /** The full id as text, e.g. {@code project/domain/execution/node/task/attempt}. */
  public static String canonicalId(TaskExecutionIdentifier id) {
    var exec = id.getNodeExecutionId().getExecutionId();
    return String.join(
        "/",
        exec.getProject(),
        exec.getDomain(),
        exec.getName(),
        id.getNodeExecutionId().getNodeId(),
        id.getTaskId().getName(),
        Integer.toString(id.getRetryAttempt()));
  }

  /**
   * A valid label value for {@code value} (<= 63 characters of {@code [A-Za-z0-9-_.]}, starting and
   * ending alphanumeric); a hash replaces the tail when it had to be changed.
   */
  public static String labelValue(String value) {
    if (isLabelValue(value)) {
      return value;
    }
    String cleaned = value.replaceAll("[^A-Za-z0-9_.-]", "-");
    String hash = hash(value, HASH_LENGTH);
    String prefix = cleaned.substring(0, Math.min(cleaned.length(), 63 - HASH_LENGTH - 1));
    prefix = prefix.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
    return prefix.isEmpty() ? hash : prefix + "-" + hash;
  }

  public static boolean isLabelValue(String value) {
    return value.length() <= 63 && LABEL_VALUE.matcher(value).matches();
  }

  static String toDns1123(String text) {
    String lower = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    return trimDashes(lower.replaceAll("-{2,}", "-"));
  }

  private static String trimDashes(String text) {
    return text.replaceAll("^-+", "").replaceAll("-+$", "");
  }

  static String hash(String text, int length) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, length);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
