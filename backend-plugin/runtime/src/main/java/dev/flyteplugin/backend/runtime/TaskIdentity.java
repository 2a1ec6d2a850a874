package dev.flyteplugin.backend.runtime;

import flyteidl.core.IdentifierOuterClass.TaskExecutionIdentifier;

/**
 * Who a resource belongs to, derived from what is unique per lineage and attempt.
 *
 * <p>A node id is not unique in an execution: map-task subnodes are {@code n0, n1, ...} inside
 * every array node, sub-workflow and dynamic children repeat their ids, and a parent retry restarts
 * its children at attempt 0. What is unique is the request's {@code output_prefix}, and its last
 * path segment is the attempt. The layout is flytepropeller's (v1.16.8):
 *
 * <ul>
 *   <li>top-level nodes: {@code pkg/apis/flyteworkflow/v1alpha1/workflow_status.go}, {@code
 *       WorkflowStatus.GetNodeExecutionStatus}: data dir {@code ConstructNodeDataDir(id)}, output
 *       dir {@code <data dir>/<Attempts>};
 *   <li>children of sub-workflow, branch and dynamic nodes: {@code node_status.go}, {@code
 *       NodeStatus.setEphemeralNodeExecutionStatusAttributes}: data dir {@code <parent output
 *       dir>/<node id>}, output dir {@code <data dir>/<Attempts>} (so a parent retry, a new parent
 *       output dir, gives its children new prefixes even at attempt 0);
 *   <li>array (map-task) subnodes: {@code pkg/controller/nodes/array/utils.go}, {@code
 *       constructOutputReferences}, called from {@code handler.go} with the subnode index and its
 *       current attempt: {@code <array output dir>/<index>/<attempt>}.
 * </ul>
 *
 * The agent plugin sends that output dir as {@code output_prefix} (flyteplugins {@code
 * webapi/connector/plugin.go}, {@code Create}: {@code OutputWriter().GetOutputPrefixPath()}).
 *
 * @param name the resource name: a readable part plus a hash of the whole identity (DNS-1123)
 * @param attemptKey equal only for the same lineage and attempt (adoption key)
 * @param lineageKey equal for every attempt of the same lineage
 * @param attempt the retry attempt
 */
record TaskIdentity(String name, String attemptKey, String lineageKey, int attempt) {
  private static final int NAME_HASH_LENGTH = 10;
  private static final int KEY_HASH_LENGTH = 20;

  static TaskIdentity of(TaskRequest request, int maxNameLength) {
    TaskExecutionIdentifier id = request.metadata().getTaskExecutionId();
    int attempt = id.getRetryAttempt();
    String ids = idsWithoutAttempt(id);
    String prefix = trimSlashes(request.outputPrefix());
    String attemptSource = ids + "\n" + attempt + "\n" + prefix;
    String lineageSource = ids + "\n" + lineagePrefix(prefix, attempt);
    String readable =
        id.getNodeExecutionId().getExecutionId().getName()
            + "-"
            + id.getNodeExecutionId().getNodeId()
            + "-"
            + attempt;
    return new TaskIdentity(
        ResourceNames.hashedName(readable, attemptSource, maxNameLength, NAME_HASH_LENGTH),
        ResourceNames.hash(attemptSource, KEY_HASH_LENGTH),
        ResourceNames.hash(lineageSource, KEY_HASH_LENGTH),
        attempt);
  }

  /**
   * The output prefix without its attempt segment: the same for every attempt of a node lineage in
   * propeller's layout ({@code .../<attempt>}). A prefix that does not end in the attempt (another
   * caller's layout) is its own lineage, so no other attempt is ever taken for an earlier one.
   */
  static String lineagePrefix(String outputPrefix, int attempt) {
    String prefix = trimSlashes(outputPrefix);
    int slash = prefix.lastIndexOf('/');
    if (slash >= 0 && prefix.substring(slash + 1).equals(Integer.toString(attempt))) {
      return prefix.substring(0, slash);
    }
    return prefix + "\n(attempt " + attempt + ")";
  }

  private static String idsWithoutAttempt(TaskExecutionIdentifier id) {
    var exec = id.getNodeExecutionId().getExecutionId();
    return String.join(
        "/",
        exec.getProject(),
        exec.getDomain(),
        exec.getName(),
        id.getNodeExecutionId().getNodeId(),
        id.getTaskId().getName());
  }

  private static String trimSlashes(String text) {
    return text.replaceAll("/+$", "");
  }
}
