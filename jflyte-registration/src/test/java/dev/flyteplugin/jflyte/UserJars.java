package dev.flyteplugin.jflyte;

import dev.flyteplugin.jflyte.fixtures.DoubleTask;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.flyte.flytekit.SdkRunnableTask;

/** A directory of packaged user jars built from the test fixtures, as a user's lib/ would be. */
public final class UserJars {
  private UserJars() {}

  /**
   * The user's packaged jars: the fixtures (with their service files) and flytekit-java. Fixtures
   * built on this repository's plugin SDK are left out: their SDK jar would have to be staged too.
   */
  public static Path build(Path dir) throws Exception {
    Path jars = Files.createDirectories(dir);
    Path testClasses =
        Path.of(DoubleTask.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    try (JarOutputStream jar =
            new JarOutputStream(Files.newOutputStream(jars.resolve("fixtures.jar")));
        Stream<Path> files = Files.walk(testClasses)) {
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        String name = testClasses.relativize(file).toString().replace('\\', '/');
        if (name.startsWith("dev/flyteplugin/jflyte/fixtures/")) {
          JarEntry entry = new JarEntry(name);
          entry.setTime(0);
          jar.putNextEntry(entry);
          Files.copy(file, (OutputStream) jar);
          jar.closeEntry();
        } else if (name.startsWith("META-INF/services/")) {
          List<String> providers = new java.util.ArrayList<>();
          for (String line : Files.readAllLines(file)) {
            String provider = line.strip();
            if (provider.startsWith("dev.flyteplugin.jflyte.fixtures.")
                && !Class.forName(provider).getSuperclass().getName().startsWith("dev.")) {
              providers.add(provider);
            }
          }
          if (!providers.isEmpty()) {
            JarEntry entry = new JarEntry(name);
            entry.setTime(0);
            jar.putNextEntry(entry);
            jar.write((String.join("\n", providers) + "\n").getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
          }
        }
      }
    }
    Path flytekit =
        Path.of(SdkRunnableTask.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Files.copy(flytekit, jars.resolve("flytekit-java.jar"));
    return jars;
  }
}
