package dev.flyteplugin.jflyte.storage;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.flyte.jflyte.api.FileSystem;
import org.flyte.jflyte.api.FileSystemRegistrar;
import org.flyte.jflyte.api.Manifest;

/**
 * A {@code mem://} file system, registered only through a FLYTE_INTERNAL_MODULE_DIR module jar's
 * service file (never on the test class path's own services).
 */
public class MemoryFileSystemRegistrar extends FileSystemRegistrar {
  static final Map<String, byte[]> FILES = new ConcurrentHashMap<>();

  @Override
  public Iterable<FileSystem> load(Map<String, String> env) {
    return List.of(
        new FileSystem() {
          @Override
          public String getScheme() {
            return "mem";
          }

          @Override
          public ReadableByteChannel reader(String uri) {
            return Channels.newChannel(new java.io.ByteArrayInputStream(FILES.get(uri)));
          }

          @Override
          public WritableByteChannel writer(String uri) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            return new WritableByteChannel() {
              boolean open = true;

              @Override
              public int write(ByteBuffer src) {
                int n = src.remaining();
                byte[] bytes = new byte[n];
                src.get(bytes);
                out.writeBytes(bytes);
                return n;
              }

              @Override
              public boolean isOpen() {
                return open;
              }

              @Override
              public void close() {
                open = false;
                FILES.put(uri, out.toByteArray());
              }
            };
          }

          @Override
          public Manifest getManifest(String uri) {
            return FILES.containsKey(uri) ? Manifest.create() : null;
          }
        });
  }
}
