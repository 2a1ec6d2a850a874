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
    List<ClassLoader> loaders = new ArrayList<>();
    loaders.add(Storage.class.getClassLoader());
    loaders.addAll(moduleClassLoaders(env.get(MODULE_DIR)));
    loaders.add(userCode);
    for (ClassLoader loader : loaders) {
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

  /**
   * Where jflyte's plugin modules live: each sub-directory is a set of jars with its own class
   * loader, searched for FileSystemRegistrars (flytekit-java 0.4.35: jflyte-utils
   * ClassLoaders.forModuleDir, used by Execute and RegisterWorkflows).
   */
  public static final String MODULE_DIR = "FLYTE_INTERNAL_MODULE_DIR";

  /** The FLYTE_INTERNAL_MODULE_DIR module class loaders of {@code env}. */
  public static List<ClassLoader> moduleClassLoadersOf(Map<String, String> env) {
    return moduleClassLoaders(env.get(MODULE_DIR));
  }

  /** One class loader per sub-directory of {@code dir} (none when unset). */
  static List<ClassLoader> moduleClassLoaders(String dir) {
    if (dir == null || dir.isBlank()) {
      return List.of();
    }
    java.nio.file.Path root = java.nio.file.Path.of(dir);
    if (!java.nio.file.Files.isDirectory(root)) {
      throw new IllegalArgumentException(
          MODULE_DIR
              + "="
              + dir
              + " is not a directory: point it at a directory of module directories (each holding"
              + " jars, e.g. a FileSystemRegistrar), or unset it");
    }
    try (var subDirs = java.nio.file.Files.list(root)) {
      return subDirs
          .filter(java.nio.file.Files::isDirectory)
          .sorted()
          .map(
              sub -> {
                try (var jars = java.nio.file.Files.list(sub)) {
                  java.net.URL[] urls =
                      jars.filter(jar -> jar.getFileName().toString().endsWith(".jar"))
                          .sorted()
                          .map(Storage::url)
                          .toArray(java.net.URL[]::new);
                  return (ClassLoader)
                      new java.net.URLClassLoader(
                          "jflyte-module-" + sub.getFileName(),
                          urls,
                          Storage.class.getClassLoader());
                } catch (IOException e) {
                  throw new UncheckedIOException("cannot list module directory " + sub, e);
                }
              })
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + MODULE_DIR + " " + dir, e);
    }
  }

  private static java.net.URL url(java.nio.file.Path path) {
    try {
      return path.toUri().toURL();
    } catch (java.net.MalformedURLException e) {
      throw new IllegalArgumentException(path.toString(), e);
    }
  }

  /** Whether {@code uri} exists (FileSystem.getManifest is null for a missing object). */
  public boolean exists(String uri) {
    return fileSystem(uri).getManifest(uri) != null;
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

  /**
   * Reads the whole object. Failures of the storage client are IOExceptions, also the unchecked
   * ones jflyte-aws and jflyte-google-cloud throw (AmazonClientException, StorageException): a
   * storage failure is then reported as recoverable, as for file://.
   */
  public byte[] read(String uri) throws IOException {
    FileSystem fileSystem = fileSystem(uri);
    try (InputStream in = Channels.newInputStream(fileSystem.reader(uri))) {
      return in.readAllBytes();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } catch (RuntimeException e) {
      throw new IOException("cannot read " + uri + ": " + e.getMessage(), e);
    }
  }

  /** Writes the whole object; storage client failures are IOExceptions (see {@link #read}). */
  public void write(String uri, byte[] bytes) throws IOException {
    FileSystem fileSystem = fileSystem(uri);
    try (OutputStream out = Channels.newOutputStream(fileSystem.writer(uri))) {
      out.write(bytes);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } catch (RuntimeException e) {
      throw new IOException("cannot write " + uri + ": " + e.getMessage(), e);
    }
  }

  /** {@code prefix/name}, with exactly one slash between them. */
  public static String child(String prefix, String name) {
    return prefix.endsWith("/") ? prefix + name : prefix + "/" + name;
  }
}
