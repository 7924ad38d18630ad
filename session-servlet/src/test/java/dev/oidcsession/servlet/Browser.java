package dev.oidcsession.servlet;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A cookie-keeping HTTP client that does not follow redirects, so each hop can be checked. It keeps
 * cookies the way a browser does for one site (name=value; {@code Max-Age=0} deletes), not the way
 * {@code java.net.CookieManager} does, which sends RFC 2965 {@code $Version} cookies that
 * RFC 6265 containers such as Tomcat do not read.
 */
final class Browser {

  private final Map<String, String> jar = new ConcurrentHashMap<>();
  private final HttpClient http = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private final String base;

  Browser(String base) {
    this.base = base;
  }

  HttpResponse<String> get(String pathOrUrl, String... headers) {
    return send(request(pathOrUrl, headers).GET().build());
  }

  /** A top-level navigation, as a browser sends it. */
  HttpResponse<String> navigate(String pathOrUrl) {
    return get(pathOrUrl, "Accept", "text/html,application/xhtml+xml", "Sec-Fetch-Mode", "navigate");
  }

  HttpResponse<String> post(String path, String form, String... headers) {
    return send(request(path, headers).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build());
  }

  Optional<String> cookie(String name) {
    return Optional.ofNullable(jar.get(name));
  }

  java.util.Set<String> cookieNames() {
    return java.util.Set.copyOf(jar.keySet());
  }

  private HttpRequest.Builder request(String pathOrUrl, String... headers) {
    URI uri = URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : base + pathOrUrl);
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
    if (!jar.isEmpty() && uri.toString().startsWith(base)) {
      StringBuilder cookie = new StringBuilder();
      jar.forEach((k, v) -> cookie.append(cookie.length() == 0 ? "" : "; ").append(k).append('=').append(v));
      builder.header("Cookie", cookie.toString());
    }
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    return builder;
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (request.uri().toString().startsWith(base)) {
        for (String header : response.headers().allValues("Set-Cookie")) {
          String pair = header.split(";", 2)[0];
          int eq = pair.indexOf('=');
          String name = pair.substring(0, eq).trim();
          String value = pair.substring(eq + 1).trim();
          if (value.isEmpty() || header.contains("Max-Age=0")) {
            jar.remove(name);
          } else {
            jar.put(name, value);
          }
        }
      }
      return response;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String location(HttpResponse<?> response) {
    return response.headers().firstValue("Location").orElseThrow();
  }

  static Map<String, String> query(String url) {
    Map<String, String> params = new LinkedHashMap<>();
    String query = URI.create(url).getRawQuery();
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return params;
  }
}
