package dev.flyteplugin.backend.api;

/**
 * The keys of the labels the runtime puts on every resource it creates (flyteplugins' {@code
 * pluginmachinery/utils} execution labels). Plugins read them from the cached resource (log links)
 * and may copy them onto the pods their operator makes.
 */
public final class ResourceLabels {
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String PREFIX = "flyteplugin.dev/";
  public static final String TASK_TYPE = PREFIX + "task-type";
  public static final String TASK_TYPE_VERSION = PREFIX + "task-type-version";

  /** The execution's name, as a label value (characters a label cannot hold are replaced). */
  public static final String EXECUTION_ID = PREFIX + "execution-id";

  public static final String PROJECT = PREFIX + "project";
  public static final String DOMAIN = PREFIX + "domain";
  public static final String NODE_ID = PREFIX + "node-id";
  public static final String TASK_NAME = PREFIX + "task-name";
  public static final String RETRY_ATTEMPT = PREFIX + "retry-attempt";

  private ResourceLabels() {}
}
