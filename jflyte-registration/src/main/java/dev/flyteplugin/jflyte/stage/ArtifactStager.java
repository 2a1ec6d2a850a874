package dev.flyteplugin.jflyte.stage;

import dev.flyteplugin.jflyte.execute.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

/**
 * Uploads the user's jars to the staging location under content-addressed names, compatible with
 * flytekit-java 0.4.35's jflyte-utils ArtifactStager: {@code <staging>/<name without
 * extension>-<md5, base64url, no padding>.<extension>}; a file already there is not uploaded again.
 */
public final class ArtifactStager {
  /** Where to stage, as in flytekit-java's jflyte (jflyte-utils Config.stagingLocation). */
  public static final String STAGING_LOCATION = "FLYTE_STAGING_LOCATION";

  private final String stagingLocation;
  private final Storage storage;

  public ArtifactStager(String stagingLocation, Storage storage) {
    if (stagingLocation == null || stagingLocation.isBlank()) {
      throw new IllegalArgumentException(
          STAGING_LOCATION + " is not set: set it (or --staging-location) to where the jars go");
    }
    this.stagingLocation = stagingLocation;
    this.storage = storage;
    storage.fileSystem(stagingLocation);
  }

  /** Stages every regular file of {@code dir} (sorted by name); returns them in that order. */
  public List<Artifact> stageDirectory(Path dir, java.io.PrintStream progress) {
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    List<Artifact> artifacts = new ArrayList<>();
    for (Path file : files) {
      Artifact artifact = artifactFor(file, stagingLocation);
      try {
        if (storage.exists(artifact.location())) {
          progress.printf("staged      %s: already at %s%n", artifact.name(), artifact.location());
        } else {
          storage.write(artifact.location(), Files.readAllBytes(file));
          progress.printf("staged      %s: uploaded to %s%n", artifact.name(), artifact.location());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot stage " + file + " to " + artifact.location(), e);
      }
      artifacts.add(artifact);
    }
    return List.copyOf(artifacts);
  }

  /** The content-addressed location of {@code file} under {@code stagingLocation}. */
  public static Artifact artifactFor(Path file, String stagingLocation) {
    String name = file.getFileName().toString();
    String hash;
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), md5())) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      hash =
          Base64.getUrlEncoder()
              .withoutPadding()
              .encodeToString(((DigestInputStream) in).getMessageDigest().digest());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    // Guava's Files.getNameWithoutExtension / getFileExtension split at the last dot ("" if none).
    int dot = name.lastIndexOf('.');
    String base = dot < 0 ? name : name.substring(0, dot);
    String extension = dot < 0 ? "" : name.substring(dot + 1);
    return new Artifact(name, Storage.child(stagingLocation, base + "-" + hash + "." + extension));
  }

  private static MessageDigest md5() {
    try {
      // MD5 names, as the original: the same jar gets the same name from either tool.
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
