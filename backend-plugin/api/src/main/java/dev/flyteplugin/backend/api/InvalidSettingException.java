package dev.flyteplugin.backend.api;

/** A deployment setting is malformed or unknown; the message names the flag and the fix. */
public final class InvalidSettingException extends PluginException {
  private static final long serialVersionUID = 1L;

  public InvalidSettingException(String message) {
    super(Kind.INVALID_SETTING, message);
  }
}
