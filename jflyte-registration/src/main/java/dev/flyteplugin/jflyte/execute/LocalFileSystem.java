package dev.flyteplugin.jflyte.execute;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.flyte.jflyte.api.FileSystem;
import org.flyte.jflyte.api.Manifest;

/** The built-in {@code file://} storage (local disk, or a volume mounted into the task pod). */
final class LocalFileSystem implements FileSystem {

  static final String SCHEME = "file";

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public ReadableByteChannel reader(String uri) {
    Path path = path(uri);
    try {
      return FileChannel.open(path, StandardOpenOption.READ);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + uri, e);
    }
  }

  @Override
  public WritableByteChannel writer(String uri) {
    Path path = path(uri);
    try {
      if (path.getParent() != null) {
        Files.createDirectories(path.getParent());
      }
      return FileChannel.open(
          path,
          StandardOpenOption.CREATE,
          StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + uri, e);
    }
  }

  @Override
  public Manifest getManifest(String uri) {
    // Like jflyte-aws' S3FileSystem.getManifest: an empty manifest when the object exists.
    return java.nio.file.Files.isRegularFile(path(uri)) ? Manifest.create() : null;
  }

  private static Path path(String uri) {
    URI parsed = URI.create(uri);
    if (parsed.getScheme() == null) {
      return Path.of(uri);
    }
    return Path.of(parsed);
  }
}
