package dev.flyteplugin.jflyte.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The PKCE flow against the loopback authorization server, with an in-process "browser". */
class PkceTest {

  @Test
  void logsInOnceThenRefreshesWithoutTheBrowser() throws Exception {
    FlytectlConfigTest.MutableClock clock = new FlytectlConfigTest.MutableClock();
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    HttpClient browserClient =
        HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
    try (TokenServer server = new TokenServer("unused", "unused")) {
      server.expiresIn = 60;
      Pkce pkce =
          new Pkce(
              server.authorizeUrl(),
              server.tokenUrl(),
              "flytectl",
              URI.create("http://localhost:" + port + "/callback"),
              List.of("all", "offline"),
              null,
              url ->
                  // The browser runs on its own thread, as a real one would.
                  new Thread(
                          () -> {
                            try {
                              browserClient.send(
                                  HttpRequest.newBuilder(url).GET().build(),
                                  HttpResponse.BodyHandlers.discarding());
                            } catch (Exception e) {
                              throw new IllegalStateException(e);
                            }
                          })
                      .start(),
              Duration.ofSeconds(20),
              clock);

      assertThat(pkce.token()).isEqualTo("tok-1");
      assertThat(pkce.token()).isEqualTo("tok-1");
      clock.advance(Duration.ofSeconds(31));
      assertThat(pkce.token()).as("refreshed").isEqualTo("tok-2");
      assertThat(pkce.browserFlows()).isEqualTo(1);
      assertThat(server.requestBodies.get(1)).contains("grant_type=refresh_token");
      assertThat(server.authorizeRequests.get(0)).containsEntry("scope", "all offline");
    }
  }
}
