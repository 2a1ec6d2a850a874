package dev.flyteplugin.jflyte.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.TextFormat;
import com.google.protobuf.Value;
import dev.flyteplugin.jflyte.execute.Storage;
import dev.flyteplugin.jflyte.stage.Artifact;
import dev.flyteplugin.jflyte.stage.ArtifactStager;
import dev.flyteplugin.jflyte.stage.JflyteCustom;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FLYTE_INTERNAL_MODULE_DIR modules, and the staged-artifact layout of flytekit-java 0.4.35. */
class ModuleDirAndCustomTest {
  @TempDir Path dir;

  @Test
  void fileSystemsComeFromModuleDirectories() throws Exception {
    Path module = Files.createDirectories(dir.resolve("modules/memory"));
    try (JarOutputStream jar =
        new JarOutputStream(Files.newOutputStream(module.resolve("memory.jar")))) {
      jar.putNextEntry(new JarEntry("META-INF/services/org.flyte.jflyte.api.FileSystemRegistrar"));
      jar.write(MemoryFileSystemRegistrar.class.getName().getBytes(StandardCharsets.UTF_8));
      jar.closeEntry();
    }
    ClassLoader none = new java.net.URLClassLoader(new java.net.URL[0], null);

    assertThatThrownBy(() -> Storage.load(none, Map.of()).fileSystem("mem://a"))
        .hasMessageContaining("no storage for 'mem://a'");

    Storage storage =
        Storage.load(none, Map.of("FLYTE_INTERNAL_MODULE_DIR", dir.resolve("modules").toString()));
    storage.write("mem://a/b", new byte[] {1, 2});
    assertThat(storage.read("mem://a/b")).containsExactly(1, 2);
  }

  @Test
  void aModuleDirThatIsNoDirectoryIsNamed() {
    assertThatThrownBy(
            () ->
                Storage.load(
                    getClass().getClassLoader(),
                    Map.of("FLYTE_INTERNAL_MODULE_DIR", dir.resolve("nope").toString())))
        .hasMessageContaining("FLYTE_INTERNAL_MODULE_DIR=")
        .hasMessageContaining("is not a directory");
  }

  @Test
  void stagedNamesAreContentAddressedAsTheOriginalNamesThem() throws Exception {
    Path hello = Files.writeString(dir.resolve("hello.txt"), "hello");
    Path license = Files.writeString(dir.resolve("LICENSE"), "hello");
    // md5("hello") = 5d41402abc4b2a76b9719d911017c592, base64url without padding:
    assertThat(ArtifactStager.artifactFor(hello, "s3://b/staging").location())
        .isEqualTo("s3://b/staging/hello-XUFAKrxLKna5cZ2REBfFkg.txt");
    // Guava's getFileExtension is "" without a dot, so the original writes a trailing dot.
    assertThat(ArtifactStager.artifactFor(license, "s3://b/staging/").location())
        .isEqualTo("s3://b/staging/LICENSE-XUFAKrxLKna5cZ2REBfFkg.");
  }

  @Test
  void theCustomFieldHasTheOriginalsLayout() throws Exception {
    Struct custom =
        JflyteCustom.toStruct(
            List.of(
                new Artifact("a.jar", "s3://b/staging/a-XUFAKrxLKna5cZ2REBfFkg.jar"),
                new Artifact("b.jar", "s3://b/staging/b-AAAA.jar")));

    // Golden: JFlyteCustom.serializeToStruct of flytekit-java 0.4.35 (name and location only).
    String golden =
        "fields { key: \"jflyte\" value { struct_value { fields { key: \"artifacts\" value {"
            + " list_value { values { struct_value { fields { key: \"location\" value {"
            + " string_value: \"s3://b/staging/a-XUFAKrxLKna5cZ2REBfFkg.jar\" } } fields { key:"
            + " \"name\" value { string_value: \"a.jar\" } } } } values { struct_value { fields {"
            + " key: \"location\" value { string_value: \"s3://b/staging/b-AAAA.jar\" } } fields {"
            + " key: \"name\" value { string_value: \"b.jar\" } } } } } } } } } }";
    Struct.Builder expected = Struct.newBuilder();
    TextFormat.merge(golden, expected);
    assertThat(custom).isEqualTo(expected.build());
    assertThat(JflyteCustom.fromCustom(custom).orElseThrow())
        .extracting(Artifact::name)
        .containsExactly("a.jar", "b.jar");
  }

  @Test
  void readsATemplateTheOriginalWroteAndRejectsBrokenOnes() {
    // As the original's template: other custom fields next to 'jflyte', a size-less artifact.
    Struct artifact =
        Struct.newBuilder()
            .putFields("name", Value.newBuilder().setStringValue("app.jar").build())
            .putFields("location", Value.newBuilder().setStringValue("gs://b/app-x.jar").build())
            .build();
    Struct original =
        Struct.newBuilder()
            .putFields("spark", Value.newBuilder().setStringValue("conf").build())
            .putFields(
                "jflyte",
                Value.newBuilder()
                    .setStructValue(
                        Struct.newBuilder()
                            .putFields(
                                "artifacts",
                                Value.newBuilder()
                                    .setListValue(
                                        ListValue.newBuilder()
                                            .addValues(Value.newBuilder().setStructValue(artifact)))
                                    .build()))
                    .build())
            .build();
    assertThat(JflyteCustom.fromCustom(original).orElseThrow())
        .containsExactly(new Artifact("app.jar", "gs://b/app-x.jar"));
    assertThat(JflyteCustom.fromCustom(Struct.getDefaultInstance())).isEmpty();

    Struct broken =
        Struct.newBuilder()
            .putFields("jflyte", Value.newBuilder().setStringValue("x").build())
            .build();
    assertThatThrownBy(() -> JflyteCustom.fromCustom(broken))
        .hasMessageContaining("custom 'jflyte' must be a struct");
  }
}
