package dev.oidcsession.examples;

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
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A browser for one site on loopback: keeps cookies as a browser does (by host, not port, so two
 * app nodes on two ports share them as they would behind one load balancer), follows redirects
 * only when told, and fills the development provider's login form.
 */
final class UserAgent {

  private static final Pattern HIDDEN = Pattern.compile(
      "<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">");

  private final Map<String, String> jar = new ConcurrentHashMap<>();
  private final HttpClient http = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();

  HttpResponse<String> navigate(String url) {
    return send(request(url, "Accept", "text/html", "Sec-Fetch-Mode", "navigate").GET().build());
  }

  HttpResponse<String> get(String url, String... headers) {
    return send(request(url, headers).GET().build());
  }

  HttpResponse<String> post(String url, Map<String, String> form, String... headers) {
    String body = form.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    return send(request(url, headers).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  /** Follows one redirect. */
  HttpResponse<String> follow(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isBetween(301, 303);
    return navigate(response.uri().resolve(response.headers().firstValue("Location").orElseThrow())
        .toString());
  }

  /**
   * Logs in from a protected page through the provider's form; returns the protected page as
   * shown after login.
   */
  HttpResponse<String> login(String appBase, String username) {
    HttpResponse<String> page = navigate(appBase + "/app");
    assertThat(page.statusCode()).isEqualTo(302);
    HttpResponse<String> start = follow(page);
    HttpResponse<String> form = follow(start);
    assertThat(form.statusCode()).as(form.body()).isEqualTo(200);
    Map<String, String> fields = new LinkedHashMap<>();
    Matcher hidden = HIDDEN.matcher(form.body());
    while (hidden.find()) {
      fields.put(unescape(hidden.group(1)), unescape(hidden.group(2)));
    }
    fields.put("username", username);
    HttpResponse<String> signedIn = post(form.uri().toString().replaceAll("\\?.*$", ""), fields);
    HttpResponse<String> callback = follow(signedIn);
    assertThat(callback.statusCode()).as(callback.body()).isEqualTo(302);
    return follow(callback);
  }

  Optional<String> cookie(String name) {
    return Optional.ofNullable(jar.get(name));
  }

  static Map<String, String> query(String url) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String pair : URI.create(url).getRawQuery().split("&")) {
      int eq = pair.indexOf('=');
      params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return params;
  }

  private static String unescape(String html) {
    return html.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<")
        .replace("&gt;", ">").replace("&amp;", "&");
  }

  private HttpRequest.Builder request(String url, String... headers) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
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

  static int freePort() {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
