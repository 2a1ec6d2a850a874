package dev.flyteplugin.jflyte.serialize;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden protobufs as text format under {@code src/test/resources/golden}. Regenerate after an
 * intended change with {@code mvn -pl jflyte-registration test -Djflyte.golden.update=true}, then
 * review the diff.
 */
final class Golden {
  static final Path DIR = Path.of("src", "test", "resources", "golden");
  static final boolean UPDATE = Boolean.getBoolean("jflyte.golden.update");

  private Golden() {}

  static void assertMatches(String name, Message actual) throws IOException {
    Path file = DIR.resolve(name + ".textproto");
    if (UPDATE) {
      Files.createDirectories(DIR);
      Files.writeString(
          file,
          "# Golden file: regenerate with -Djflyte.golden.update=true and review the diff.\n"
              + TextFormat.printer().printToString(actual),
          StandardCharsets.UTF_8);
    }
    assertThat(file)
        .as("golden file %s (create it with -Djflyte.golden.update=true)", file)
        .exists();
    Message.Builder expected = actual.newBuilderForType();
    TextFormat.merge(Files.readString(file, StandardCharsets.UTF_8), expected);
    assertThat(actual).isEqualTo(expected.build());
  }
}
