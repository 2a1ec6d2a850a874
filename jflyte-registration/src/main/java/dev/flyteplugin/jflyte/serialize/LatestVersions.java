package dev.flyteplugin.jflyte.serialize;

import flyteidl.core.IdentifierOuterClass.ResourceType;

/**
 * The newest registered version of a remote entity, for references that name a project but no
 * version (flytekit-java 0.4.35: jflyte-utils IdentifierRewrite.apply ->
 * FlyteAdminClient.fetchLatestResource).
 */
@FunctionalInterface
public interface LatestVersions {

  /** No FlyteAdmin to ask (serialize): a versionless remote reference is an error. */
  LatestVersions NONE =
      (type, project, domain, name) -> {
        throw new IllegalArgumentException(
            String.format(
                "%s reference '%s' names project '%s' but no version: `serialize` cannot ask"
                    + " FlyteAdmin for the latest version; give the reference an explicit version,"
                    + " or use `register workflows`, which looks it up",
                type, name, project));
      };

  /**
   * The version of the most recently created {@code type} named {@code name} in project/domain.
   *
   * @throws IllegalArgumentException when none is registered
   */
  String latest(ResourceType type, String project, String domain, String name);
}
