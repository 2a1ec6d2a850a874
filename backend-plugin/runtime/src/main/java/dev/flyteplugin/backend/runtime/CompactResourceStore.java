package dev.flyteplugin.backend.runtime;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The informer cache's storage: per resource only what the runtime, the sweeper and {@code
 * OperatorPlugin#phase} read, in a compact form. Kept: name and namespace (the key), uid,
 * resourceVersion (the informer compares it to tell updates apart), labels, creation and deletion
 * timestamps, and {@code status}. Dropped: the spec, annotations, managed fields, owner references,
 * finalizers. The SPI contract stays as it was: {@code phase()} sees no spec.
 *
 * <p>Compact because a large deployment tracks 100,000 tasks and more: the status is kept as its
 * JSON bytes (parsed again on each read, a few microseconds), a UUID uid as two longs, whole-second
 * timestamps as epoch seconds, resourceVersion as a number, and labels as one array whose keys and
 * repeating values (managed-by, task type, project, domain, task name, execution id of a map task)
 * are shared through an interner. Values that are unique per task by construction (the attempt and
 * lineage hashes) are not interned. A read rebuilds a {@link GenericKubernetesResource} with
 * exactly the kept fields; every value that does not fit a compact form (a non-UUID uid, a
 * timestamp with fractions) is kept as its text, so a read returns what was stored.
 */
final class CompactResourceStore implements ItemStore<GenericKubernetesResource> {
  /** Label keys whose values are unique per task: interning them would only fill the interner. */
  private static final Set<String> UNIQUE_LABELS =
      Set.of(ExecutionLabels.ATTEMPT_KEY, ExecutionLabels.LINEAGE_KEY);

  private final String apiVersion;
  private final String kind;
  private final Interner interner;
  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

  /**
   * @param apiVersion set on every object read (all objects of one informer share it)
   * @param kind likewise
   */
  CompactResourceStore(String apiVersion, String kind, Interner interner) {
    this.apiVersion = apiVersion;
    this.kind = kind;
    this.interner = interner;
  }

  /**
   * Shares equal strings. Bounded: when it holds {@code capacity} strings it starts over, so
   * strings that stopped repeating are let go and the table never grows past its capacity; strings
   * shared before stay shared.
   */
  static final class Interner {
    private final int capacity;
    private volatile ConcurrentHashMap<String, String> table = new ConcurrentHashMap<>();

    Interner(int capacity) {
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity " + capacity + " must be at least 1");
      }
      this.capacity = capacity;
    }

    String intern(String value) {
      if (value == null) {
        return null;
      }
      ConcurrentHashMap<String, String> current = table;
      String shared = current.get(value);
      if (shared != null) {
        return shared;
      }
      if (current.size() >= capacity) {
        current = new ConcurrentHashMap<>();
        table = current;
      }
      shared = current.putIfAbsent(value, value);
      return shared == null ? value : shared;
    }

    int size() {
      return table.size();
    }
  }

  /** One resource, immutable. Sentinels: {@link Long#MIN_VALUE} = absent or kept as text. */
  private static final class Entry {
    final long resourceVersion;
    final String resourceVersionText;
    final long uidHigh;
    final long uidLow;
    final String uidText;
    final long created;
    final String createdText;
    final long deleted;
    final String deletedText;
    final String[] labels; // key, value, key, value, ...
    final byte[] status; // JSON, null when absent

    Entry(
        long resourceVersion,
        String resourceVersionText,
        long uidHigh,
        long uidLow,
        String uidText,
        long created,
        String createdText,
        long deleted,
        String deletedText,
        String[] labels,
        byte[] status) {
      this.resourceVersion = resourceVersion;
      this.resourceVersionText = resourceVersionText;
      this.uidHigh = uidHigh;
      this.uidLow = uidLow;
      this.uidText = uidText;
      this.created = created;
      this.createdText = createdText;
      this.deleted = deleted;
      this.deletedText = deletedText;
      this.labels = labels;
      this.status = status;
    }
  }

  private static final String[] NO_LABELS = new String[0];

  /**
   * Reads and writes the kept status. Without property-name canonicalization: a Spark application's
   * status has keys unique to it (its executor pods' names), and a canonicalizing parser adds each
   * to a symbol table it copies first, a slow path on every read of every task.
   */
  private static final JsonMapper STATUS_JSON =
      JsonMapper.builder(
              JsonFactory.builder()
                  .disable(TokenStreamFactory.Feature.CANONICALIZE_PROPERTY_NAMES)
                  .disable(TokenStreamFactory.Feature.INTERN_PROPERTY_NAMES)
                  .build())
          .build();

  @Override
  public String getKey(GenericKubernetesResource resource) {
    return Cache.metaNamespaceKeyFunc(resource);
  }

  @Override
  public GenericKubernetesResource put(String key, GenericKubernetesResource resource) {
    Entry old = entries.put(key, compact(resource));
    return old == null ? null : restore(key, old);
  }

  @Override
  public GenericKubernetesResource remove(String key) {
    Entry old = entries.remove(key);
    return old == null ? null : restore(key, old);
  }

  @Override
  public Stream<String> keySet() {
    return entries.keySet().stream();
  }

  @Override
  public Stream<GenericKubernetesResource> values() {
    return entries.entrySet().stream().map(e -> restore(e.getKey(), e.getValue()));
  }

  @Override
  public int size() {
    return entries.size();
  }

  @Override
  public GenericKubernetesResource get(String key) {
    Entry entry = entries.get(key);
    return entry == null ? null : restore(key, entry);
  }

  /** Not the full object: the informer then defers its add notifications to after the list. */
  @Override
  public boolean isFullState() {
    return false;
  }

  private Entry compact(GenericKubernetesResource resource) {
    ObjectMeta meta = resource.getMetadata() == null ? new ObjectMeta() : resource.getMetadata();
    String rv = meta.getResourceVersion();
    long rvNumber = number(rv);
    String uid = meta.getUid();
    UUID uuid = uuid(uid);
    String created = meta.getCreationTimestamp();
    long createdSeconds = epochSeconds(created);
    String deleted = meta.getDeletionTimestamp();
    long deletedSeconds = epochSeconds(deleted);
    Map<String, String> labels = meta.getLabels();
    String[] packed = NO_LABELS;
    if (labels != null && !labels.isEmpty()) {
      packed = new String[labels.size() * 2];
      int i = 0;
      for (Map.Entry<String, String> label : labels.entrySet()) {
        String labelKey = interner.intern(label.getKey());
        packed[i++] = labelKey;
        packed[i++] =
            UNIQUE_LABELS.contains(labelKey) ? label.getValue() : interner.intern(label.getValue());
      }
    }
    Object status = resource.getAdditionalProperties().get("status");
    byte[] statusJson = status == null ? null : STATUS_JSON.writeValueAsBytes(status);
    return new Entry(
        rvNumber,
        rvNumber == Long.MIN_VALUE ? rv : null,
        uuid == null ? 0 : uuid.getMostSignificantBits(),
        uuid == null ? 0 : uuid.getLeastSignificantBits(),
        uuid == null ? uid : null,
        createdSeconds,
        createdSeconds == Long.MIN_VALUE ? created : null,
        deletedSeconds,
        deletedSeconds == Long.MIN_VALUE ? deleted : null,
        packed,
        statusJson);
  }

  private GenericKubernetesResource restore(String key, Entry entry) {
    ObjectMeta meta = new ObjectMeta();
    int slash = key.indexOf('/');
    if (slash >= 0) {
      meta.setNamespace(key.substring(0, slash));
      meta.setName(key.substring(slash + 1));
    } else {
      meta.setName(key);
    }
    meta.setResourceVersion(
        entry.resourceVersionText != null || entry.resourceVersion == Long.MIN_VALUE
            ? entry.resourceVersionText
            : Long.toString(entry.resourceVersion));
    meta.setUid(
        entry.uidText != null || (entry.uidHigh == 0 && entry.uidLow == 0)
            ? entry.uidText
            : new UUID(entry.uidHigh, entry.uidLow).toString());
    meta.setCreationTimestamp(timestamp(entry.created, entry.createdText));
    meta.setDeletionTimestamp(timestamp(entry.deleted, entry.deletedText));
    if (entry.labels.length > 0) {
      Map<String, String> labels = new LinkedHashMap<>(entry.labels.length);
      for (int i = 0; i < entry.labels.length; i += 2) {
        labels.put(entry.labels[i], entry.labels[i + 1]);
      }
      meta.setLabels(labels);
    }
    GenericKubernetesResource resource = new GenericKubernetesResource();
    resource.setApiVersion(apiVersion);
    resource.setKind(kind);
    resource.setMetadata(meta);
    if (entry.status != null) {
      resource.setAdditionalProperty("status", STATUS_JSON.readValue(entry.status, Map.class));
    }
    return resource;
  }

  /** A plain decimal number (no sign, no leading zero), else MIN_VALUE: kept as text. */
  private static long number(String text) {
    if (text == null || text.isEmpty() || text.length() > 18 || text.charAt(0) == '0') {
      return Long.MIN_VALUE;
    }
    long value = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return Long.MIN_VALUE;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  /** A UUID in its canonical lower-case text form, else null: kept as text. */
  private static UUID uuid(String text) {
    if (text == null || text.length() != 36) {
      return null;
    }
    try {
      UUID uuid = UUID.fromString(text);
      return uuid.toString().equals(text)
              && !(uuid.getMostSignificantBits() == 0 && uuid.getLeastSignificantBits() == 0)
          ? uuid
          : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Epoch seconds of an RFC 3339 whole-second UTC timestamp that prints back the same. */
  private static long epochSeconds(String text) {
    if (text == null) {
      return Long.MIN_VALUE;
    }
    try {
      Instant instant = Instant.parse(text);
      return instant.getNano() == 0 && instant.toString().equals(text)
          ? instant.getEpochSecond()
          : Long.MIN_VALUE;
    } catch (DateTimeParseException e) {
      return Long.MIN_VALUE;
    }
  }

  private static String timestamp(long seconds, String text) {
    return seconds == Long.MIN_VALUE ? text : Instant.ofEpochSecond(seconds).toString();
  }
}
