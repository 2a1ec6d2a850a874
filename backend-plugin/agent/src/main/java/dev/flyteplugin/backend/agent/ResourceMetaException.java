package dev.flyteplugin.backend.agent;

import dev.flyteplugin.backend.api.PluginException;

/**
 * A {@code resource_meta} this agent refuses: malformed, of another format version, or not signed
 * with this deployment's key. The message names the problem; the agent answers INVALID_ARGUMENT.
 */
public class ResourceMetaException extends PluginException {
  private static final long serialVersionUID = 1L;

  public ResourceMetaException(String message) {
    super(Kind.INVALID_RESOURCE_META, message);
  }
}
