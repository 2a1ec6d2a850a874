package dev.flyteplugin.backend.agent;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.flyteplugin.backend.runtime.TaskCategory;
import dev.flyteplugin.backend.runtime.TaskHandle;
import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encodes a {@link TaskHandle} as the {@code resource_meta} propeller stores, and checks it on the
 * way back.
 *
 * <p>Format version 1 (all lengths are one unsigned byte, strings UTF-8):
 *
 * <pre>
 *   0x01 | len category | category | version (4 bytes, big-endian)
 *        | len namespace | namespace | len name | name | tag (16 bytes)
 * </pre>
 *
 * Format version 2 is a task rejected at creation (no resource; see {@link ResourceMeta.Rejected}):
 *
 * <pre>
 *   0x02 | len category | category | version (4 bytes, big-endian)
 *        | message length (2 bytes, big-endian, at most {@value #MAX_REJECTION_BYTES}) | message | tag
 * </pre>
 *
 * The tag is HMAC-SHA256, truncated to 128 bits (RFC 2104 section 5), over a domain-separation
 * label and every byte before it. A meta that does not verify is rejected before any Kubernetes
 * call, so a forged or foreign meta can never make the agent read or delete a resource it did not
 * create. A Kubernetes name (at most 63 bytes) and namespace (at most 63) keep the meta under 160
 * bytes for a short category name.
 *
 * <p>Key rotation: the codec holds a list of keys; the first signs, every one verifies. So a new
 * key is put first while the old one stays listed until no task signed with it is still tracked by
 * propeller (see "HMAC key rotation" in {@code backend-plugin/agent/README.md}).
 */
public final class ResourceMetaCodec {
  public static final byte VERSION = 1;
  public static final byte REJECTED_VERSION = 2;

  /** The longest rejection message kept (UTF-8 bytes): propeller stores the meta in its CRD. */
  public static final int MAX_REJECTION_BYTES = 1024;

  public static final int TAG_BYTES = 16;
  public static final int MIN_KEY_BYTES = 32;
  private static final String ALGORITHM = "HmacSHA256";
  private static final byte[] LABEL = "flyteplugin-agent-resource-meta".getBytes(UTF_8);

  static final String ROTATION_PROCEDURE =
      "to rotate the key without breaking running tasks, list the new key first and keep the old"
          + " one listed until every task signed with it has finished (see 'HMAC key rotation' in"
          + " backend-plugin/agent/README.md and docs/deploying.md)";

  /** The signing key first, then the keys that still verify. */
  private final List<SecretKeySpec> keys;

  public ResourceMetaCodec(byte[] key) {
    this(List.of(requireNonNull(key, "key")));
  }

  /**
   * @param keys the first signs new metas; all of them verify (key rotation)
   */
  public ResourceMetaCodec(List<byte[]> keys) {
    requireNonNull(keys, "keys");
    if (keys.isEmpty()) {
      throw new IllegalArgumentException(
          "no resource_meta HMAC key: give at least one; make one with: head -c 32 /dev/urandom"
              + " | base64");
    }
    for (int i = 0; i < keys.size(); i++) {
      byte[] key = requireNonNull(keys.get(i), "key");
      if (key.length < MIN_KEY_BYTES) {
        throw new IllegalArgumentException(
            "the resource_meta HMAC key"
                + (keys.size() > 1 ? " #" + (i + 1) + " of " + keys.size() : "")
                + " has "
                + key.length
                + " bytes, it needs at least "
                + MIN_KEY_BYTES
                + "; make one with: head -c 32 /dev/urandom | base64");
      }
    }
    this.keys = keys.stream().map(k -> new SecretKeySpec(k.clone(), ALGORITHM)).toList();
  }

  /** How many keys verify (the first of them signs). */
  public int keyCount() {
    return keys.size();
  }

  public byte[] encode(TaskHandle handle) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    out.write(VERSION);
    writeCategory(out, handle.category());
    writeString(out, handle.namespace(), "namespace");
    writeString(out, handle.name(), "resource name");
    byte[] body = out.toByteArray();
    out.writeBytes(tag(body, body.length));
    return out.toByteArray();
  }

  /**
   * The meta of a task refused at creation; the message is cut to {@value #MAX_REJECTION_BYTES}.
   */
  public byte[] encodeRejected(TaskCategory category, String message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.write(REJECTED_VERSION);
    writeCategory(out, category);
    byte[] text = truncate(message, MAX_REJECTION_BYTES);
    out.write(text.length >>> 8);
    out.write(text.length);
    out.writeBytes(text);
    byte[] body = out.toByteArray();
    out.writeBytes(tag(body, body.length));
    return out.toByteArray();
  }

  /**
   * Verifies and decodes the meta of a task that has a resource.
   *
   * @throws ResourceMetaException naming the problem: empty, other version, malformed, bad tag, or
   *     a task that was rejected at creation and so has no resource
   */
  public TaskHandle decode(byte[] meta) throws ResourceMetaException {
    return handleOf(decodeMeta(meta));
  }

  /** The handle of a created task; a task rejected at creation has none. */
  static TaskHandle handleOf(ResourceMeta meta) throws ResourceMetaException {
    if (meta instanceof ResourceMeta.Rejected rejected) {
      throw new ResourceMetaException(
          "resource_meta names a task that was rejected at creation and has no resource: "
              + rejected.message());
    }
    return ((ResourceMeta.Created) meta).handle();
  }

  /**
   * Verifies and decodes a meta of either format.
   *
   * @throws ResourceMetaException naming the problem: empty, other version, malformed, bad tag
   */
  ResourceMeta decodeMeta(byte[] meta) throws ResourceMetaException {
    if (meta == null || meta.length == 0) {
      throw new ResourceMetaException(
          "resource_meta is empty: pass the bytes CreateTask returned for this task");
    }
    if (meta[0] != VERSION && meta[0] != REJECTED_VERSION) {
      throw new ResourceMetaException(
          "resource_meta has format version "
              + (meta[0] & 0xff)
              + ", this agent reads versions "
              + VERSION
              + " and "
              + REJECTED_VERSION
              + ": it was not issued by this agent version");
    }
    if (meta.length <= TAG_BYTES + 1) {
      throw new ResourceMetaException(
          "resource_meta is malformed: " + meta.length + " bytes is too short to hold a task");
    }
    int bodyLength = meta.length - TAG_BYTES;
    byte[] actual = Arrays.copyOfRange(meta, bodyLength, meta.length);
    // Constant-time comparison, and every key tried: timing must tell neither how much of a
    // forged tag was right nor which key matched.
    boolean verified = false;
    for (SecretKeySpec key : keys) {
      verified |= MessageDigest.isEqual(tag(key, meta, bodyLength), actual);
    }
    if (!verified) {
      throw new ResourceMetaException(
          "resource_meta signature does not verify with "
              + (keys.size() == 1
                  ? "the agent's HMAC key"
                  : "any of the " + keys.size() + " HMAC keys")
              + ": it was forged, altered, or issued by an agent with another key (another"
              + " deployment, or a key removed from the list too early); "
              + ROTATION_PROCEDURE);
    }
    try {
      ByteBuffer in = ByteBuffer.wrap(meta, 1, bodyLength - 1);
      TaskCategory category = new TaskCategory(readString(in), in.getInt());
      ResourceMeta decoded;
      if (meta[0] == REJECTED_VERSION) {
        byte[] message = new byte[in.getShort() & 0xffff];
        in.get(message);
        decoded = new ResourceMeta.Rejected(category, new String(message, UTF_8));
      } else {
        String namespace = readString(in);
        String name = readString(in);
        decoded = new ResourceMeta.Created(new TaskHandle(category, namespace, name));
      }
      if (in.hasRemaining()) {
        throw new ResourceMetaException("resource_meta is malformed: trailing bytes");
      }
      return decoded;
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new ResourceMetaException("resource_meta is malformed: " + e);
    }
  }

  private byte[] tag(byte[] bytes, int length) {
    return tag(keys.get(0), bytes, length);
  }

  private static byte[] tag(SecretKeySpec key, byte[] bytes, int length) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      mac.update(LABEL);
      mac.update(bytes, 0, length);
      return Arrays.copyOf(mac.doFinal(), TAG_BYTES);
    } catch (GeneralSecurityException e) {
      // HmacSHA256 is mandatory in every Java platform.
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }

  private static void writeCategory(ByteArrayOutputStream out, TaskCategory category) {
    writeString(out, category.name(), "task category name");
    int version = category.version();
    out.write(version >>> 24);
    out.write(version >>> 16);
    out.write(version >>> 8);
    out.write(version);
  }

  /** The UTF-8 bytes of {@code text}, cut at a character boundary to at most {@code max}. */
  private static byte[] truncate(String text, int max) {
    byte[] bytes = text.getBytes(UTF_8);
    if (bytes.length <= max) {
      return bytes;
    }
    int end = max;
    while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
      end--; // do not split a multi-byte character
    }
    return Arrays.copyOf(bytes, end);
  }

  private static void writeString(ByteArrayOutputStream out, String value, String what) {
    byte[] bytes = value.getBytes(UTF_8);
    if (bytes.length > 255) {
      throw new IllegalArgumentException(
          what + " '" + value + "' is longer than 255 bytes and cannot go into resource_meta");
    }
    out.write(bytes.length);
    out.writeBytes(bytes);
  }

  private static String readString(ByteBuffer in) {
    int length = in.get() & 0xff;
    byte[] bytes = new byte[length];
    in.get(bytes);
    return new String(bytes, UTF_8);
  }
}
