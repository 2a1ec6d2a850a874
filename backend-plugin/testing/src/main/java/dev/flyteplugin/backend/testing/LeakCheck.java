package dev.flyteplugin.backend.testing;

import dev.flyteplugin.backend.api.ResourceIdentity;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * "Nothing left behind": lists, in every namespace, the objects of every operator kind the API
 * server knows and every pod, and fails naming each one left. The check behind issue reports of
 * jobs that kept running after the workflow gave up (flyte#263: a failed workflow left its
 * SparkApplications running) and of pods that outlived their application (spark-operator#1558).
 * Call it after a test has ended its tasks through the toolkit's own paths (abort, the sweeper
 * after the result reached propeller): a leftover is a leak.
 */
public final class LeakCheck {
  private LeakCheck() {}

  /** What is left: {@code Kind namespace/name} of each operator object and pod. */
  public static List<String> leftovers(
      KubernetesClient client, Collection<ResourceIdentity> kinds) {
    List<String> left = new ArrayList<>();
    for (ResourceIdentity kind : kinds) {
      ResourceDefinitionContext context =
          new ResourceDefinitionContext.Builder()
              .withGroup(kind.group())
              .withVersion(kind.version())
              .withKind(kind.kind())
              .withPlural(kind.plural())
              .withNamespaced(kind.namespaced())
              .build();
      for (GenericKubernetesResource item :
          client.genericKubernetesResources(context).inAnyNamespace().list().getItems()) {
        left.add(describe(kind.kind(), item));
      }
    }
    for (Pod pod : client.pods().inAnyNamespace().list().getItems()) {
      left.add(describe("Pod", pod));
    }
    return left;
  }

  /** Fails unless no operator object of {@code k8s}'s kinds and no pod is left. */
  public static void assertNothingLeft(EmbeddedKubernetes k8s) {
    List<String> left = leftovers(k8s.client(), k8s.kinds());
    if (!left.isEmpty()) {
      throw new AssertionError(
          "left behind in the API server (a leak: every task must end with its resource and pods"
              + " deleted): "
              + left);
    }
  }

  /**
   * Waits up to {@code timeout} for nothing to be left (deletions and the pods' garbage collection
   * are asynchronous), then fails naming what is.
   */
  public static void awaitNothingLeft(EmbeddedKubernetes k8s, Duration timeout) {
    Instant until = Instant.now().plus(timeout);
    while (Instant.now().isBefore(until)) {
      if (leftovers(k8s.client(), k8s.kinds()).isEmpty()) {
        return;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    assertNothingLeft(k8s);
  }

  private static String describe(String kind, HasMetadata item) {
    String ns = item.getMetadata().getNamespace();
    String deleting = item.getMetadata().getDeletionTimestamp() == null ? "" : " (being deleted)";
    return kind + " " + (ns == null ? "" : ns + "/") + item.getMetadata().getName() + deleting;
  }
}
