package dev.flyteplugin.jflyte.execute;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.Channels;
import java.util.HashMap;
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

  private Storage(Map<String, FileSystem> bySchema) {
    this.bySchema = Map.copyOf(bySchema);
  }

  /** {@code file://} plus every FileSystemRegistrar visible to {@code classLoader}. */
  public static Storage load(ClassLoader classLoader, Map<String, String> env) {
    Map<String, FileSystem> fileSystems = new HashMap<>();
    fileSystems.put(LocalFileSystem.SCHEME, new LocalFileSystem());
    try {
      for (FileSystemRegistrar registrar :
          ServiceLoader.load(FileSystemRegistrar.class, classLoader)) {
        for (FileSystem fileSystem : registrar.load(env)) {
          fileSystems.put(fileSystem.getScheme(), fileSystem);
        }
      }
    } catch (ServiceConfigurationError e) {
      throw new IllegalStateException(
          "cannot load a jflyte-api FileSystemRegistrar: " + e.getMessage(), e);
    }
    return new Storage(fileSystems);
  }

  /** Only the built-in {@code file://} storage. */
  public static Storage localOnly() {
    return new Storage(Map.of(LocalFileSystem.SCHEME, new LocalFileSystem()));
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
              + "); add org.flyte:jflyte-aws for s3:// or org.flyte:jflyte-google-cloud for gs://");
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
