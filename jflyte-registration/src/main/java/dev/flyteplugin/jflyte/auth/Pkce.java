package dev.flyteplugin.jflyte.auth;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * OAuth2 authorization code flow with PKCE for {@code authType: Pkce}, as flyteidl's admin client
 * does it (clients/go/admin/pkce/auth_flow_orchestrator.go FetchTokenFromAuthFlow and
 * handle_app_call_back.go): client id, redirect URI and scopes from FlyteAdmin's public client
 * config, endpoints from its OAuth2 metadata; a listener on the redirect URI's port receives the
 * code, which is exchanged with the code verifier (S256 challenge). The user's browser is opened
 * with the command in {@code $BROWSER} when set; otherwise the URL is printed. A refresh token,
 * when issued, renews the access token without the browser. Tokens live for this run only (flytectl
 * also keeps them in the OS keyring).
 */
public final class Pkce implements TokenSupplier {
  static final Duration REFRESH_MARGIN = Duration.ofSeconds(30);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Opens the authorization URL for the user. */
  @FunctionalInterface
  public interface Browser {
    void open(URI url) throws IOException;
  }

  private final URI authorizationEndpoint;
  private final URI tokenEndpoint;
  private final String clientId;
  private final URI redirectUri;
  private final List<String> scopes;
  private final String audience;
  private final Browser browser;
  private final Duration timeout;
  private final Clock clock;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private String accessToken;
  private String refreshToken;
  private Instant refreshAt = Instant.MIN;
  private int browserFlows;

  public Pkce(
      URI authorizationEndpoint,
      URI tokenEndpoint,
      String clientId,
      URI redirectUri,
      List<String> scopes,
      String audience,
      Browser browser,
      Duration timeout,
      Clock clock) {
    this.authorizationEndpoint = authorizationEndpoint;
    this.tokenEndpoint = tokenEndpoint;
    this.clientId = clientId;
    this.redirectUri = redirectUri;
    this.scopes = List.copyOf(scopes);
    this.audience = audience;
    this.browser = browser;
    this.timeout = timeout;
    this.clock = clock;
  }

  /**
   * {@code $BROWSER <url>} when BROWSER is set (split on spaces), else the URL printed on {@code
   * out} for the user to open.
   */
  public static Browser browserFrom(String browserCommand, PrintStream out) {
    if (browserCommand == null || browserCommand.isBlank()) {
      return url -> out.println("Open this URL in a browser to log in to Flyte: " + url);
    }
    return url -> {
      List<String> command = new ArrayList<>(List.of(browserCommand.trim().split("\\s+")));
      command.add(url.toString());
      new ProcessBuilder(command).redirectErrorStream(true).start();
    };
  }

  /** How many times the browser flow ran (refreshes do not count). */
  public synchronized int browserFlows() {
    return browserFlows;
  }

  @Override
  public synchronized String token() throws IOException {
    Instant now = clock.instant();
    if (accessToken != null && now.isBefore(refreshAt)) {
      return accessToken;
    }
    if (refreshToken != null) {
      try {
        return accept(
            post(
                form(
                    "grant_type", "refresh_token",
                    "refresh_token", refreshToken,
                    "client_id", clientId)),
            now);
      } catch (IOException expired) {
        refreshToken = null; // fall back to the browser
      }
    }
    return accept(browserFlow(), now);
  }

  private JsonObject browserFlow() throws IOException {
    String verifier = random(48); // 64 characters
    String challenge = base64Url(sha256(verifier));
    String state = random(24);
    Map<String, String> query = new java.util.LinkedHashMap<>();
    query.put("response_type", "code");
    query.put("client_id", clientId);
    query.put("redirect_uri", redirectUri.toString());
    if (!scopes.isEmpty()) {
      query.put("scope", String.join(" ", scopes));
    }
    query.put("state", state);
    query.put("nonce", random(24));
    query.put("code_challenge", challenge);
    query.put("code_challenge_method", "S256");
    if (audience != null && !audience.isBlank()) {
      query.put("audience", audience);
    }
    URI url = URI.create(authorizationEndpoint + "?" + form(query));

    CompletableFuture<String> code = new CompletableFuture<>();
    int port = redirectUri.getPort() < 0 ? 80 : redirectUri.getPort();
    HttpServer callback = HttpServer.create(new InetSocketAddress(redirectUri.getHost(), port), 0);
    callback.createContext(
        redirectUri.getPath().isEmpty() ? "/" : redirectUri.getPath(),
        exchange -> {
          Map<String, String> params = parseQuery(exchange.getRequestURI().getRawQuery());
          String answer;
          if (params.containsKey("error")) {
            code.completeExceptionally(
                new IOException("authorization failed: " + params.get("error")));
            answer = "<h1>Flyte Authentication</h1><p>Error: login failed.</p>";
          } else if (!state.equals(params.get("state"))) {
            code.completeExceptionally(new IOException("callback state does not match"));
            answer = "<h1>Flyte Authentication</h1><p>Sorry, we can't serve your request.</p>";
          } else if (params.get("code") == null) {
            code.completeExceptionally(new IOException("callback has no authorization code"));
            answer = "<h1>Flyte Authentication</h1><p>No authorization code.</p>";
          } else {
            code.complete(params.get("code"));
            answer = "<h1>Flyte Authentication</h1><p>Done: you can close this window.</p>";
          }
          byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
          exchange.sendResponseHeaders(200, bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    callback.start();
    try {
      browser.open(url);
      String authorizationCode = code.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      browserFlows++;
      return post(
          form(
              "grant_type", "authorization_code",
              "code", authorizationCode,
              "redirect_uri", redirectUri.toString(),
              "client_id", clientId,
              "code_verifier", verifier));
    } catch (TimeoutException e) {
      throw new IOException(
          "no login within " + timeout.toSeconds() + " s (authorization URL: " + url + ")", e);
    } catch (ExecutionException e) {
      throw new IOException(e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the login", e);
    } finally {
      callback.stop(0);
    }
  }

  private String accept(JsonObject body, Instant now) throws IOException {
    JsonElement access = body.get("access_token");
    if (access == null || access.getAsString().isBlank()) {
      throw new IOException("token endpoint " + tokenEndpoint + " answered no access_token");
    }
    accessToken = access.getAsString();
    JsonElement refresh = body.get("refresh_token");
    if (refresh != null && !refresh.getAsString().isBlank()) {
      refreshToken = refresh.getAsString();
    }
    JsonElement expiresIn = body.get("expires_in");
    if (expiresIn == null) {
      refreshAt = Instant.MAX;
    } else {
      Duration lifetime = Duration.ofSeconds(expiresIn.getAsLong());
      Duration half = lifetime.dividedBy(2);
      refreshAt =
          now.plus(lifetime).minus(half.compareTo(REFRESH_MARGIN) < 0 ? half : REFRESH_MARGIN);
    }
    return accessToken;
  }

  private JsonObject post(String form) throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(tokenEndpoint)
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while calling " + tokenEndpoint, e);
    }
    if (response.statusCode() != 200) {
      throw new IOException(
          "token endpoint " + tokenEndpoint + " answered HTTP " + response.statusCode());
    }
    try {
      return JsonParser.parseString(response.body()).getAsJsonObject();
    } catch (RuntimeException e) {
      throw new IOException("token endpoint " + tokenEndpoint + " answered no JSON object", e);
    }
  }

  private static String form(String... keyValues) {
    Map<String, String> map = new java.util.LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put(keyValues[i], keyValues[i + 1]);
    }
    return form(map);
  }

  private static String form(Map<String, String> values) {
    StringBuilder out = new StringBuilder();
    values.forEach(
        (key, value) ->
            out.append(out.length() == 0 ? "" : "&")
                .append(URLEncoder.encode(key, StandardCharsets.UTF_8))
                .append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
    return out.toString();
  }

  static Map<String, String> parseQuery(String raw) {
    Map<String, String> params = new HashMap<>();
    if (raw == null) {
      return params;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      params.put(
          URLDecoder.decode(key, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return params;
  }

  private static String random(int bytes) {
    byte[] buffer = new byte[bytes];
    RANDOM.nextBytes(buffer);
    return base64Url(buffer);
  }

  static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String base64Url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
