package dev.oidcsession.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * A cookie-keeping HTTP client for tests that does not follow redirects, so each hop can be
 * checked. It keeps cookies as a browser does for one host (by host, not port, so two app nodes on
 * two loopback ports share them as they would behind one load balancer; {@code Max-Age=0}
 * deletes), not as {@code java.net.CookieManager} does, which sends RFC 2965 {@code $Version}
 * cookies that RFC 6265 containers such as Tomcat do not read. Thread-safe.
 */
public final class Browser {

  private final Map<String, Map<String, String>> jars = new ConcurrentHashMap<>();
  private final HttpClient http = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private final String base;

  /** A browser for absolute URLs only. */
  public Browser() {
    this("");
  }

  /** A browser that resolves paths against {@code base}, e.g. {@code http://127.0.0.1:8080}. */
  public Browser(String base) {
    this.base = base;
  }

  public HttpResponse<String> get(String pathOrUrl, String... headers) {
    return send(request(pathOrUrl, headers).GET().build());
  }

  /** A top-level navigation, as a browser sends it. */
  public HttpResponse<String> navigate(String pathOrUrl) {
    return get(pathOrUrl, "Accept", "text/html,application/xhtml+xml", "Sec-Fetch-Mode", "navigate");
  }

  public HttpResponse<String> post(String pathOrUrl, String form, String... headers) {
    return send(request(pathOrUrl, headers)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build());
  }

  public HttpResponse<String> post(String pathOrUrl, Map<String, String> form, String... headers) {
    return post(pathOrUrl, form.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&")), headers);
  }

  /** Follows one redirect, as a navigation. */
  public HttpResponse<String> follow(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isBetween(301, 303);
    return navigate(response.uri().resolve(location(response)).toString());
  }

  /** A cookie of the base URL's host (or, without a base, of any host). */
  public Optional<String> cookie(String name) {
    return Optional.ofNullable(jar(hostOfBase()).get(name));
  }

  public Set<String> cookieNames() {
    return Set.copyOf(jar(hostOfBase()).keySet());
  }

  public static String location(HttpResponse<?> response) {
    return response.headers().firstValue("Location").orElseThrow();
  }

  public static Map<String, String> query(String url) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String pair : URI.create(url).getRawQuery().split("&")) {
      int eq = pair.indexOf('=');
      params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return params;
  }

  /** A port that was free a moment ago, for a server that needs its URL before it starts. */
  public static int freePort() {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private String hostOfBase() {
    return base.isEmpty() ? "127.0.0.1" : URI.create(base).getHost();
  }

  private Map<String, String> jar(String host) {
    return jars.computeIfAbsent(host, h -> new ConcurrentHashMap<>());
  }

  private HttpRequest.Builder request(String pathOrUrl, String... headers) {
    URI uri = URI.create(pathOrUrl.startsWith("http") ? pathOrUrl : base + pathOrUrl);
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
    Map<String, String> jar = jar(uri.getHost());
    if (!jar.isEmpty()) {
      builder.header("Cookie", jar.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
          .collect(Collectors.joining("; ")));
    }
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    return builder;
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      Map<String, String> jar = jar(request.uri().getHost());
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
      return response;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
