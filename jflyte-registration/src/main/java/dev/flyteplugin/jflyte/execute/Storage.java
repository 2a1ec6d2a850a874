package dev.flyteplugin.jflyte.execute;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.flyte.jflyte.api.FileSystem;
import org.flyte.jflyte.api.FileSystemRegistrar;

/**
 * The blob stores the entrypoint reads inputs from and writes outputs to, by URI scheme: {@code
 * file://} is built in; others come from jflyte-api {@link FileSystemRegistrar}s on the class path
 * (jflyte-aws gives {@code s3://}, jflyte-google-cloud gives {@code gs://}).
 */
public final class Storage {

  private final Map<String, FileSystem> bySchema;
  private final List<String> loadProblems;

  private Storage(Map<String, FileSystem> bySchema, List<String> loadProblems) {
    this.bySchema = Map.copyOf(bySchema);
    this.loadProblems = List.copyOf(loadProblems);
  }

  /**
   * {@code file://} plus every FileSystemRegistrar on jflyte's own class path and visible to {@code
   * userCode} (the user's wins for a scheme both have). A registrar that fails to load is skipped,
   * and its error is reported if its scheme is then asked for.
   */
  public static Storage load(ClassLoader userCode, Map<String, String> env) {
    Map<String, FileSystem> fileSystems = new HashMap<>();
    fileSystems.put(LocalFileSystem.SCHEME, new LocalFileSystem());
    List<String> problems = new ArrayList<>();
    for (ClassLoader loader : List.of(Storage.class.getClassLoader(), userCode)) {
      Iterator<FileSystemRegistrar> registrars =
          ServiceLoader.load(FileSystemRegistrar.class, loader).iterator();
      while (true) {
        try {
          if (!registrars.hasNext()) {
            break;
          }
          FileSystemRegistrar registrar = registrars.next();
          for (FileSystem fileSystem : registrar.load(env)) {
            fileSystems.put(fileSystem.getScheme(), fileSystem);
          }
        } catch (RuntimeException | ServiceConfigurationError e) {
          problems.add(e.toString());
        }
      }
    }
    return new Storage(fileSystems, problems);
  }

  /** Only the built-in {@code file://} storage. */
  public static Storage localOnly() {
    return new Storage(Map.of(LocalFileSystem.SCHEME, new LocalFileSystem()), List.of());
  }

  public FileSystem fileSystem(String uri) {
    String scheme = URI.create(uri).getScheme();
    FileSystem fileSystem = bySchema.get(scheme == null ? LocalFileSystem.SCHEME : scheme);
    if (fileSystem == null) {
      throw new IllegalArgumentException(
          "no storage for '"
              + uri
              + "': scheme '"
              + scheme
              + "' has no jflyte-api FileSystem on the class path (known: "
              + new java.util.TreeSet<>(bySchema.keySet())
              + "); add org.flyte:jflyte-aws for s3:// or org.flyte:jflyte-google-cloud for gs://"
              + (loadProblems.isEmpty()
                  ? ""
                  : "; FileSystemRegistrars that failed: " + loadProblems));
    }
    return fileSystem;
  }

  public byte[] read(String uri) throws IOException {
    try (InputStream in = Channels.newInputStream(fileSystem(uri).reader(uri))) {
      return in.readAllBytes();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  public void write(String uri, byte[] bytes) throws IOException {
    try (OutputStream out = Channels.newOutputStream(fileSystem(uri).writer(uri))) {
      out.write(bytes);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** {@code prefix/name}, with exactly one slash between them. */
  static String child(String prefix, String name) {
    return prefix.endsWith("/") ? prefix + name : prefix + "/" + name;
  }
}
