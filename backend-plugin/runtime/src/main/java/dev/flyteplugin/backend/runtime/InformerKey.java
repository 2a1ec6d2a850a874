package dev.flyteplugin.backend.runtime;

import dev.flyteplugin.backend.api.ResourceIdentity;

/** Which informer: a resource kind, in one namespace or in all of them. */
record InformerKey(ResourceIdentity identity, String namespace) {
  static final String ALL_NAMESPACES = "";

  boolean allNamespaces() {
    return namespace.equals(ALL_NAMESPACES);
  }

  @Override
  public String toString() {
    return identity + (allNamespaces() ? " in all namespaces" : " in namespace " + namespace);
  }
}
