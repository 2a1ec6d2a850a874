package dev.flyteplugin.backend.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

class PluginRegistryTest {

  @Test
  void serviceLoaderFindsRegisteredPlugins() {
    PluginRegistry registry = PluginRegistry.load();
    assertThat(registry.categories()).contains(new TaskCategory(TestJobPlugin.TYPE, 0));
    assertThat(registry.require(new TaskCategory(TestJobPlugin.TYPE, 0)))
        .isInstanceOf(TestJobPlugin.class);
  }

  @Test
  void anEmptyClassPathIsAnErrorThatSaysWhatToAdd() {
    ClassLoader empty = new URLClassLoader(new URL[0], null);
    assertThatThrownBy(() -> PluginRegistry.load(empty))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no OperatorPlugin found")
        .hasMessageContaining("@AutoService(OperatorPlugin.class)");
  }

  @Test
  void twoPluginsForOneCategoryAreRejectedNamingBoth() {
    class Other extends TestJobPlugin {}
    assertThatThrownBy(() -> PluginRegistry.of(new TestJobPlugin(), new Other()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("test_job@v0")
        .hasMessageContaining(TestJobPlugin.class.getName())
        .hasMessageContaining("Other");
  }

  @Test
  void anUnknownCategoryIsAnErrorListingTheKnownOnes() {
    PluginRegistry registry = PluginRegistry.of(new TestJobPlugin());
    assertThatThrownBy(() -> registry.require(new TaskCategory(TestJobPlugin.TYPE, 7)))
        .isInstanceOf(UnknownTaskTypeException.class)
        .hasMessageContaining("test_job@v7")
        .hasMessageContaining("[test_job@v0]");
  }
}
