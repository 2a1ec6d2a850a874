package dev.flyteplugin.jflyte.stage;

/**
 * A staged file: its original file name and where it was uploaded ({@code
 * <staging>/<name>-<md5>.<ext>}), as flytekit-java 0.4.35's jflyte-utils Artifact.
 */
public record Artifact(String name, String location) {
  public Artifact {
    if (name == null || name.isBlank() || name.contains("/")) {
      throw new IllegalArgumentException("artifact name must be a plain file name, got " + name);
    }
    if (location == null || location.isBlank()) {
      throw new IllegalArgumentException("artifact '" + name + "' has no location");
    }
  }
}
