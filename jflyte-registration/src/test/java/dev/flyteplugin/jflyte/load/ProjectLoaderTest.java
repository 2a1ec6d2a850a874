package dev.flyteplugin.jflyte.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flyteplugin.jflyte.fixtures.BrokenTask;
import dev.flyteplugin.jflyte.fixtures.DoubleTask;
import dev.flyteplugin.jflyte.fixtures.SecondDoubleTaskRegistrar;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.flyte.api.v1.TaskIdentifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProjectLoaderTest {
  static final Map<String, String> ENV =
      Map.of(
          "FLYTE_INTERNAL_PROJECT",
          "p",
          "FLYTE_INTERNAL_DOMAIN",
          "d",
          "FLYTE_INTERNAL_VERSION",
          "v");

  @TempDir Path dir;

  @Test
  void loadsEveryKindOfEntityFromTheClassPath() {
    LoadedProject project = ProjectLoader.load(getClass().getClassLoader(), ENV);

    assertThat(project.runnableTasks()).hasSize(2);
    assertThat(project.containerTasks()).hasSize(1);
    assertThat(project.pluginTasks()).hasSize(1);
    assertThat(project.dynamicTasks()).hasSize(1);
    assertThat(project.workflows()).hasSize(3);
    assertThat(project.launchPlans()).hasSize(2);
    assertThat(project.runnableTasks().keySet())
        .contains(
            TaskIdentifier.builder()
                .project("p")
                .domain("d")
                .name(DoubleTask.class.getName())
                .version("v")
                .build());
  }

  @Test
  void newerBackendsTaskIdentityVariablesAreAccepted() {
    Map<String, String> env =
        ProjectLoader.registrarEnv(
            Map.of(
                "FLYTE_INTERNAL_TASK_PROJECT",
                "p2",
                "FLYTE_INTERNAL_DOMAIN",
                "d",
                "HOME",
                "/root"));

    assertThat(env).containsEntry("FLYTE_INTERNAL_PROJECT", "p2").doesNotContainKey("HOME");
  }

  @Test
  void aDuplicateTaskIsAnErrorNamingTheTaskAndBothRegistrars() throws Exception {
    ClassLoader loader =
        withServices(
            "org.flyte.api.v1.RunnableTaskRegistrar", SecondDoubleTaskRegistrar.class.getName());

    assertThatThrownBy(() -> ProjectLoader.load(loader, ENV))
        .isInstanceOf(ProjectLoadException.class)
        .hasMessageContaining("duplicate RunnableTask '" + DoubleTask.class.getName() + "'")
        .hasMessageContaining("org.flyte.flytekit.SdkRunnableTaskRegistrar")
        .hasMessageContaining(SecondDoubleTaskRegistrar.class.getName());
  }

  @Test
  void aTaskThatCannotBeConstructedIsAnErrorNamingItsClass() throws Exception {
    ClassLoader loader =
        withServices("org.flyte.flytekit.SdkRunnableTask", BrokenTask.class.getName());

    assertThatThrownBy(() -> ProjectLoader.load(loader, ENV))
        .isInstanceOf(ProjectLoadException.class)
        .hasMessageContaining("SdkRunnableTaskRegistrar failed to load its entities")
        .hasMessageContaining(BrokenTask.class.getName());
  }

  @Test
  void aMissingRegistrarClassIsAnErrorNamingIt() throws Exception {
    ClassLoader loader =
        withServices("org.flyte.api.v1.WorkflowTemplateRegistrar", "com.example.GoneRegistrar");

    assertThatThrownBy(() -> ProjectLoader.load(loader, ENV))
        .isInstanceOf(ProjectLoadException.class)
        .hasMessageContaining("com.example.GoneRegistrar");
  }

  @Test
  void aJarDirectorySeesOnlyTheServicesOfItsOwnJars() throws Exception {
    Path jars = Files.createDirectories(dir.resolve("lib"));
    try (JarOutputStream jar =
        new JarOutputStream(Files.newOutputStream(jars.resolve("app.jar")))) {
      entry(
          jar,
          "META-INF/services/org.flyte.api.v1.RunnableTaskRegistrar",
          "org.flyte.flytekit.SdkRunnableTaskRegistrar");
      entry(
          jar, "META-INF/services/org.flyte.flytekit.SdkRunnableTask", DoubleTask.class.getName());
    }

    LoadedProject project = ProjectLoader.load(ProjectLoader.forJarDirectory(jars), ENV);

    assertThat(project.runnableTasks().keySet())
        .extracting(TaskIdentifier::name)
        .containsExactly(DoubleTask.class.getName());
    assertThat(project.workflows()).isEmpty();
  }

  @Test
  void aJarDirectoryWithoutJarsIsAnErrorNamingIt() {
    assertThatThrownBy(() -> ProjectLoader.forJarDirectory(dir))
        .isInstanceOf(ProjectLoadException.class)
        .hasMessageContaining("no *.jar files in " + dir.toAbsolutePath());
    assertThatThrownBy(() -> ProjectLoader.forJarDirectory(dir.resolve("nope")))
        .hasMessageContaining("does not exist");
  }

  private ClassLoader withServices(String service, String provider) throws Exception {
    Path services = Files.createDirectories(dir.resolve("extra/META-INF/services"));
    Files.writeString(services.resolve(service), provider + "\n");
    return new URLClassLoader(
        new URL[] {dir.resolve("extra").toUri().toURL()}, getClass().getClassLoader());
  }

  private static void entry(JarOutputStream jar, String name, String content) throws Exception {
    jar.putNextEntry(new JarEntry(name));
    jar.write((content + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    jar.closeEntry();
  }
}
