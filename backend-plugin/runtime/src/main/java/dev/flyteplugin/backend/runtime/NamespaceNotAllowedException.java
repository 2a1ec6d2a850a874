package dev.flyteplugin.backend.runtime;

import dev.flyteplugin.backend.api.PluginException;
import java.util.Set;

/**
 * A call for a task in a namespace this runtime does not serve ({@link
 * RuntimeConfig#allowedNamespaces}). Checked on every call (create, status, abort, logs), not only
 * at create: a list narrowed after a task was created, or a {@code resource_meta} signed by another
 * deployment sharing the key, must not reach other namespaces.
 */
public class NamespaceNotAllowedException extends PluginException {
  private static final long serialVersionUID = 1L;

  public NamespaceNotAllowedException(String namespace, Set<String> allowed) {
    super(
        Kind.NAMESPACE_NOT_ALLOWED,
        "namespace '"
            + namespace
            + "' is not allowed; this agent serves only "
            + allowed.stream().sorted().toList()
            + " (agent: --namespaces / FLYTE_AGENT_NAMESPACES; RuntimeConfig.allowedNamespaces)");
  }
}
