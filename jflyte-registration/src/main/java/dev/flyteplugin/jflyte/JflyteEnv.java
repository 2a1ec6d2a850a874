package dev.flyteplugin.jflyte;

import dev.flyteplugin.jflyte.load.ProjectLoader;
import java.nio.file.Path;
import java.util.Map;

/** The environment variables jflyte reads, in one place (names as flytekit-java's jflyte). */
final class JflyteEnv {
  static final String PLATFORM_URL = "FLYTE_PLATFORM_URL";
  static final String PLATFORM_INSECURE = "FLYTE_PLATFORM_INSECURE";
  static final String IMAGE = "FLYTE_INTERNAL_IMAGE";
  static final String PROJECT = "FLYTE_INTERNAL_PROJECT";
  static final String DOMAIN = "FLYTE_INTERNAL_DOMAIN";
  static final String VERSION = "FLYTE_INTERNAL_VERSION";
  static final String AUTH_TOKEN = "FLYTE_AUTH_TOKEN";
  static final String CLASSPATH = "JFLYTE_CLASSPATH";
  static final String STAGING_LOCATION = "FLYTE_STAGING_LOCATION";
  static final String MODULE_DIR = "FLYTE_INTERNAL_MODULE_DIR";

  private final Map<String, String> env;

  JflyteEnv(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  Map<String, String> all() {
    return env;
  }

  String get(String key) {
    String value = env.get(key);
    return value == null || value.isBlank() ? null : value;
  }

  /** {@code option} if given, else the environment value. */
  String optionOrEnv(String option, String key) {
    return option != null && !option.isBlank() ? option : get(key);
  }

  boolean insecure() {
    return Boolean.parseBoolean(get(PLATFORM_INSECURE));
  }

  /** The user's jars: {@code -cp} if given, else JFLYTE_CLASSPATH, else jflyte's class path. */
  ClassLoader userClassLoader(String classpathOption) {
    String dir = optionOrEnv(classpathOption, CLASSPATH);
    return dir == null
        ? Jflyte.class.getClassLoader()
        : ProjectLoader.forJarDirectory(Path.of(dir));
  }
}
