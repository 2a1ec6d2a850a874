package dev.flyteplugin.backend.api;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

/**
 * Optional: a plugin whose operator needs something other than deletion to stop a task
 * (flyteplugins' {@code k8s.PluginAbortOverride}). Without it the runtime deletes the resource.
 *
 * <p>PLUGIN AUTHOR SEAM: implement it only when deleting is wrong for your operator.
 */
public interface AbortablePlugin extends OperatorPlugin {

  /** What to do to abort the task whose resource is {@code resource}. */
  AbortAction onAbort(GenericKubernetesResource resource);
}
