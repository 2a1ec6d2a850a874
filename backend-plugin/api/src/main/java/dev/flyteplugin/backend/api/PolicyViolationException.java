package dev.flyteplugin.backend.api;

/**
 * The task asks for something the deployment's {@link TaskPolicy} forbids. The runtime reports it
 * as a permanent failure ({@code PolicyViolation}) with this message: name the field or key and the
 * setting that would allow it.
 */
public class PolicyViolationException extends PluginException {
  private static final long serialVersionUID = 1L;

  public PolicyViolationException(String message) {
    super(Kind.POLICY_VIOLATION, message);
  }
}
