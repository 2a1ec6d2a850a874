package dev.flyteplugin.jflyte.auth;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * OAuth2 client credentials grant (RFC 6749 4.4), as flyteidl's admin client does for {@code
 * authType: ClientSecret} (clients/go/admin/token_source_provider.go
 * NewClientCredentialsTokenSourceProvider: golang.org/x/oauth2 clientcredentials with the client id
 * and secret, the scopes and an optional {@code audience} parameter). The token is cached and
 * fetched again shortly before it expires (flytectl's default tokenRefreshWindow is 0; a small
 * margin avoids sending a token that expires in flight).
 */
public final class ClientCredentials implements TokenSupplier {
  /** Refresh this long before expiry (at most half the token's lifetime). */
  static final Duration REFRESH_MARGIN = Duration.ofSeconds(30);

  private final URI tokenUrl;
  private final String clientId;
  private final String clientSecret;
  private final List<String> scopes;
  private final String audience;
  private final Clock clock;
  private final HttpClient http;

  private String token;
  private Instant refreshAt = Instant.MIN;
  private int fetches;

  public ClientCredentials(
      URI tokenUrl,
      String clientId,
      String clientSecret,
      List<String> scopes,
      String audience,
      Clock clock) {
    if (clientId == null || clientId.isBlank()) {
      throw new IllegalArgumentException(
          "admin.clientId is empty: authType ClientSecret needs the OAuth2 client id");
    }
    if (clientSecret == null || clientSecret.isBlank()) {
      throw new IllegalArgumentException(
          "the client secret is empty: set admin.clientSecretLocation (a file) or"
              + " admin.clientSecretEnvVar");
    }
    this.tokenUrl = tokenUrl;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.scopes = List.copyOf(scopes);
    this.audience = audience;
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  /** How many tokens were fetched so far. */
  public synchronized int fetches() {
    return fetches;
  }

  @Override
  public synchronized String token() throws IOException {
    Instant now = clock.instant();
    if (token != null && now.isBefore(refreshAt)) {
      return token;
    }
    StringBuilder form = new StringBuilder("grant_type=client_credentials");
    if (!scopes.isEmpty()) {
      form.append("&scope=").append(encode(String.join(" ", scopes)));
    }
    if (audience != null && !audience.isBlank()) {
      form.append("&audience=").append(encode(audience));
    }
    String basic =
        Base64.getEncoder()
            .encodeToString(
                (encode(clientId) + ":" + encode(clientSecret)).getBytes(StandardCharsets.UTF_8));
    HttpRequest request =
        HttpRequest.newBuilder(tokenUrl)
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .header("Authorization", "Basic " + basic)
            .POST(HttpRequest.BodyPublishers.ofString(form.toString()))
            .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while fetching a token from " + tokenUrl, e);
    }
    if (response.statusCode() != 200) {
      throw new IOException(
          "token endpoint "
              + tokenUrl
              + " answered HTTP "
              + response.statusCode()
              + ": "
              + abbreviate(response.body())
              + " (check admin.clientId and the client secret)");
    }
    JsonObject body;
    try {
      body = JsonParser.parseString(response.body()).getAsJsonObject();
    } catch (RuntimeException e) {
      throw new IOException("token endpoint " + tokenUrl + " answered no JSON object", e);
    }
    JsonElement accessToken = body.get("access_token");
    if (accessToken == null || accessToken.getAsString().isBlank()) {
      throw new IOException("token endpoint " + tokenUrl + " answered no access_token");
    }
    JsonElement expiresIn = body.get("expires_in");
    fetches++;
    token = accessToken.getAsString();
    if (expiresIn == null) {
      refreshAt = Instant.MAX;
    } else {
      Duration lifetime = Duration.ofSeconds(expiresIn.getAsLong());
      Duration margin =
          lifetime.dividedBy(2).compareTo(REFRESH_MARGIN) < 0
              ? lifetime.dividedBy(2)
              : REFRESH_MARGIN;
      refreshAt = now.plus(lifetime).minus(margin);
    }
    return token;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static String abbreviate(String text) {
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }
}
