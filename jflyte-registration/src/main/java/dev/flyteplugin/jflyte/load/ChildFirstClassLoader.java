package dev.flyteplugin.jflyte.load;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * Loads the user's jars before jflyte's own, so the user's library versions win, except for the
 * flytekit-api and jflyte-api packages: their classes are the contract between jflyte and the user
 * code and must be the same {@code Class} objects on both sides.
 *
 * <p>Service files are read from the user's jars only, so registrars on jflyte's own class path are
 * not discovered twice.
 */
final class ChildFirstClassLoader extends URLClassLoader {

  static {
    ClassLoader.registerAsParallelCapable();
  }

  private static final List<String> SHARED_PREFIXES =
      List.of("java.", "javax.", "jdk.", "sun.", "org.flyte.api.v1.", "org.flyte.jflyte.api.");

  private static final String SERVICES = "META-INF/services/";

  ChildFirstClassLoader(String name, URL[] urls, ClassLoader parent) {
    super(name, urls, parent);
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    synchronized (getClassLoadingLock(name)) {
      Class<?> loaded = findLoadedClass(name);
      if (loaded == null) {
        if (isShared(name)) {
          return super.loadClass(name, resolve);
        }
        try {
          loaded = findClass(name);
        } catch (ClassNotFoundException notInUserJars) {
          loaded = getParent().loadClass(name);
        }
      }
      if (resolve) {
        resolveClass(loaded);
      }
      return loaded;
    }
  }

  @Override
  public URL getResource(String name) {
    URL own = findResource(name);
    if (own != null || name.startsWith(SERVICES)) {
      return own;
    }
    return getParent().getResource(name);
  }

  @Override
  public Enumeration<URL> getResources(String name) throws IOException {
    List<URL> all = new ArrayList<>(Collections.list(findResources(name)));
    if (!name.startsWith(SERVICES)) {
      all.addAll(Collections.list(getParent().getResources(name)));
    }
    return Collections.enumeration(all);
  }

  private static boolean isShared(String className) {
    return SHARED_PREFIXES.stream().anyMatch(className::startsWith);
  }
}
