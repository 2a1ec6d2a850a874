package dev.flyteplugin.jflyte.stage;

import dev.flyteplugin.jflyte.execute.Storage;
import dev.flyteplugin.jflyte.load.ProjectLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Downloads staged artifacts into a local cache and gives a class loader over them, as
 * flytekit-java 0.4.35's jflyte-utils PackageLoader.load does (it downloads into a fresh temporary
 * directory every time; here a location already downloaded is reused: staged names carry the
 * content hash, so a location never changes content).
 */
public final class ArtifactCache {
  /** Cache directory; default {@code <java.io.tmpdir>/jflyte-artifacts}. */
  public static final String CACHE_DIR = "JFLYTE_ARTIFACT_CACHE";

  private final Path root;
  private final Storage storage;
  private int downloads;

  public ArtifactCache(Path root, Storage storage) {
    this.root = root;
    this.storage = storage;
  }

  public static ArtifactCache fromEnv(Map<String, String> env, Storage storage) {
    String dir = env.get(CACHE_DIR);
    return new ArtifactCache(
        dir == null || dir.isBlank()
            ? Path.of(System.getProperty("java.io.tmpdir"), "jflyte-artifacts")
            : Path.of(dir),
        storage);
  }

  /** How many artifacts were fetched from storage (not served from the cache). */
  public int downloads() {
    return downloads;
  }

  /** Local copies of {@code artifacts} (first of each name wins, as the original). */
  public List<Path> fetch(List<Artifact> artifacts) {
    Map<String, Artifact> byName = new LinkedHashMap<>();
    artifacts.forEach(artifact -> byName.putIfAbsent(artifact.name(), artifact));
    List<Path> files = new ArrayList<>();
    for (Artifact artifact : byName.values()) {
      Path dir = root.resolve(sha256(artifact.location()));
      Path file = dir.resolve(artifact.name());
      if (!Files.isRegularFile(file)) {
        try {
          Files.createDirectories(dir);
          byte[] bytes = storage.read(artifact.location());
          // Write then move: a concurrent or interrupted download never leaves a partial jar.
          Path partial = Files.createTempFile(dir, artifact.name(), ".partial");
          Files.write(partial, bytes);
          Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
          downloads++;
        } catch (IOException e) {
          throw new UncheckedIOException(
              "cannot download staged artifact " + artifact.location(), e);
        }
      }
      files.add(file);
    }
    return List.copyOf(files);
  }

  /** A child-first class loader over the fetched artifacts. */
  public ClassLoader classLoader(List<Artifact> artifacts) {
    return ProjectLoader.forJars(fetch(artifacts));
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)))
          .substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
