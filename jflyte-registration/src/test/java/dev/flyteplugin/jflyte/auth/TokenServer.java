package dev.flyteplugin.jflyte.auth;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
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
  public final List<Map<String, String>> authorizeRequests = new CopyOnWriteArrayList<>();
  private final Map<String, Map<String, String>> codes =
      new java.util.concurrent.ConcurrentHashMap<>();

  public TokenServer(String clientId, String clientSecret) throws IOException {
    String expected =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    // Authorization endpoint of the PKCE flow: the "user" logs in at once and is redirected back
    // with a code bound to the code challenge.
    server.createContext(
        "/oauth2/authorize",
        exchange -> {
          Map<String, String> query = Pkce.parseQuery(exchange.getRequestURI().getRawQuery());
          authorizeRequests.add(query);
          String code = "code-" + codes.size();
          codes.put(code, query);
          String location =
              query.get("redirect_uri")
                  + "?code="
                  + code
                  + "&state="
                  + java.net.URLEncoder.encode(query.get("state"), StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Location", location);
          exchange.sendResponseHeaders(302, -1);
          exchange.close();
        });
    server.createContext(
        "/oauth2/token",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          requestBodies.add(body);
          Map<String, String> form = Pkce.parseQuery(body);
          String answer;
          int status;
          if ("authorization_code".equals(form.get("grant_type"))) {
            Map<String, String> authorize = codes.remove(form.get("code"));
            boolean valid =
                authorize != null
                    && authorize
                        .get("code_challenge")
                        .equals(Pkce.base64Url(Pkce.sha256(form.get("code_verifier"))))
                    && authorize.get("redirect_uri").equals(form.get("redirect_uri"))
                    && authorize.get("client_id").equals(form.get("client_id"));
            status = valid ? 200 : 400;
            answer = valid ? tokenJson(true) : "{\"error\":\"invalid_grant\"}";
          } else if ("refresh_token".equals(form.get("grant_type"))) {
            boolean valid = form.get("refresh_token").startsWith("refresh-");
            status = valid ? 200 : 400;
            answer = valid ? tokenJson(true) : "{\"error\":\"invalid_grant\"}";
          } else if (!exchange.getRequestMethod().equals("POST")
              || !body.contains("grant_type=client_credentials")) {
            status = 400;
            answer = "{\"error\":\"unsupported_grant_type\"}";
          } else if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            status = 401;
            answer = "{\"error\":\"invalid_client\"}";
          } else {
            status = 200;
            answer = tokenJson(false);
          }
          byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(status, bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    server.start();
  }

  private String tokenJson(boolean withRefresh) {
    int n = issued.incrementAndGet();
    return "{\"access_token\":\"tok-"
        + n
        + "\",\"token_type\":\"bearer\",\"expires_in\":"
        + expiresIn
        + (withRefresh ? ",\"refresh_token\":\"refresh-" + n + "\"" : "")
        + "}";
  }

  public URI authorizeUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/oauth2/authorize");
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
