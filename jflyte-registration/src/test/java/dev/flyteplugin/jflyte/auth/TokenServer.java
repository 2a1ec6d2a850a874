package dev.flyteplugin.jflyte.auth;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small OAuth2 token endpoint on loopback (JDK HttpServer): client credentials grant with HTTP
 * Basic client authentication; issues {@code tok-1}, {@code tok-2}, ... with {@code expires_in}.
 */
public final class TokenServer implements AutoCloseable {
  private final HttpServer server;
  private final AtomicInteger issued = new AtomicInteger();
  public final List<String> requestBodies = new CopyOnWriteArrayList<>();
  public volatile long expiresIn = 3600;

  public TokenServer(String clientId, String clientSecret) throws IOException {
    String expected =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/oauth2/token",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          requestBodies.add(body);
          String answer;
          int status;
          if (!exchange.getRequestMethod().equals("POST")
              || !body.contains("grant_type=client_credentials")) {
            status = 400;
            answer = "{\"error\":\"unsupported_grant_type\"}";
          } else if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            status = 401;
            answer = "{\"error\":\"invalid_client\"}";
          } else {
            status = 200;
            answer =
                "{\"access_token\":\"tok-"
                    + issued.incrementAndGet()
                    + "\",\"token_type\":\"bearer\",\"expires_in\":"
                    + expiresIn
                    + "}";
          }
          byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(status, bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    server.start();
  }

  public URI tokenUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/oauth2/token");
  }

  public int issued() {
    return issued.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
