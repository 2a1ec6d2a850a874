package dev.flyteplugin.backend.agent;

import dev.flyteplugin.backend.api.LogSource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Opens a pod's log as a stream (for GetTaskLogs), so it is never held whole in memory. */
@FunctionalInterface
public interface PodLogs {

  /**
   * @param lines how many lines from the end; 0 = from the start
   * @param limitBytes the most bytes the API server is asked to send ({@code limitBytes}); the
   *     reader stops there anyway
   * @return the log's bytes; the caller closes it (which ends the API server's response)
   */
  InputStream open(LogSource source, String namespace, int lines, int limitBytes)
      throws IOException;

  /**
   * A container's log through the Kubernetes API ({@code pods/log} get only). A plain GET on the
   * client's HTTP client (its authentication included): fabric8's {@code getLogInputStream} first
   * lists the pod (a {@code pods} list, RBAC the agent does not otherwise need, and pod specs hold
   * env values) and may wait for it to become ready, holding a worker.
   */
  static PodLogs of(KubernetesClient client) {
    return (source, namespace, lines, limitBytes) -> {
      String container = source.container();
      String pod = source.pod();
      StringBuilder url =
          new StringBuilder(client.getMasterUrl().toString().replaceAll("/+$", ""))
              .append("/api/v1/namespaces/")
              .append(encode(namespace))
              .append("/pods/")
              .append(encode(pod))
              .append("/log?container=")
              .append(encode(container))
              .append("&limitBytes=")
              .append(limitBytes);
      if (lines > 0) {
        url.append("&tailLines=").append(lines);
      }
      io.fabric8.kubernetes.client.http.HttpClient http = client.getHttpClient();
      io.fabric8.kubernetes.client.http.HttpResponse<InputStream> response;
      try {
        response =
            http.sendAsync(
                    http.newHttpRequestBuilder().uri(url.toString()).build(), InputStream.class)
                .get(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while opening the log of " + pod, e);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new IOException("cannot open the log of " + namespace + "/" + pod + ": " + e, e);
      }
      if (!response.isSuccessful()) {
        String body;
        try (InputStream in = response.body()) {
          body = in == null ? "" : new String(in.readNBytes(4096), StandardCharsets.UTF_8);
        }
        throw new KubernetesClientException(
            "GET pods/" + pod + "/log in " + namespace + ": HTTP " + response.code() + " " + body,
            response.code(),
            null);
      }
      InputStream in = response.body();
      return in == null ? InputStream.nullInputStream() : in;
    };
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
