package dev.flyteplugin.proto;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** Finds the {@link PluginContract}s registered for {@link ServiceLoader}, by task type. */
public final class PluginContracts {
  private PluginContracts() {}

  /** Every contract registered in {@code META-INF/services} of the loader's class path. */
  @SuppressWarnings("rawtypes") // ServiceLoader cannot name a parameterized type
  public static List<PluginContract<?>> all(ClassLoader loader) {
    List<PluginContract<?>> out = new ArrayList<>();
    for (PluginContract contract : ServiceLoader.load(PluginContract.class, loader)) {
      out.add(contract);
    }
    return out;
  }

  /**
   * The contract of a task type.
   *
   * @throws IllegalStateException if two registered contracts claim the type: which one reads a
   *     task would depend on class path order
   */
  public static Optional<PluginContract<?>> forTaskType(String taskType, ClassLoader loader) {
    List<PluginContract<?>> matches =
        all(loader).stream().filter(c -> c.taskType().equals(taskType)).toList();
    if (matches.size() > 1) {
      throw new IllegalStateException(
          "task type "
              + taskType
              + " is claimed by "
              + matches.stream().map(c -> c.getClass().getName()).toList()
              + ": keep one contract per task type on the class path");
    }
    return matches.stream().findFirst();
  }
}
