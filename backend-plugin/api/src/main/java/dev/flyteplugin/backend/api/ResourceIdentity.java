package dev.flyteplugin.backend.api;

import static java.util.Objects.requireNonNull;

/**
 * The kind of Kubernetes resource a plugin creates, with everything a client needs to address it
 * (flyteplugins' {@code BuildIdentityResource}: the type only; the runtime owns name and
 * namespace).
 *
 * @param group API group, e.g. {@code sparkoperator.k8s.io}; empty for the core group
 * @param version API version, e.g. {@code v1beta2}
 * @param kind kind, e.g. {@code SparkApplication}
 * @param plural plural resource name, e.g. {@code sparkapplications}
 * @param namespaced whether the resource lives in a namespace
 */
public record ResourceIdentity(
    String group, String version, String kind, String plural, boolean namespaced) {
  public ResourceIdentity {
    requireNonNull(group, "group");
    requireNonNull(version, "version");
    requireNonNull(kind, "kind");
    requireNonNull(plural, "plural");
    if (version.isBlank() || kind.isBlank() || plural.isBlank()) {
      throw new IllegalArgumentException(
          "a resource identity needs a version, a kind and a plural, got " + this);
    }
  }

  /** A namespaced custom resource kind. */
  public static ResourceIdentity namespaced(
      String group, String version, String kind, String plural) {
    return new ResourceIdentity(group, version, kind, plural, true);
  }

  /** {@code group/version}, or {@code version} for the core group. */
  public String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  @Override
  public String toString() {
    return kind + " (" + plural + "." + apiVersion() + ")";
  }
}
