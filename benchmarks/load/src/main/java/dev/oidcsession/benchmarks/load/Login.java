package dev.oidcsession.benchmarks.load;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Logs one user in as a browser would: asks the app for a protected page, follows every redirect
 * to the development provider's login form, submits it with a username, follows the redirects back
 * through the app's callback, and returns the app's cookies as one {@code Cookie} header value.
 * Cookies are kept per origin (scheme, host and port), so the provider's and the app's never mix
 * although both listen on 127.0.0.1. Works for any login flow that ends at that form (our filter
 * and Spring Security's {@code oauth2Login} alike).
 */
final class Login {

  private static final int MAX_REDIRECTS = 10;
  private static final Pattern HIDDEN =
      Pattern.compile("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">");
  private static final Pattern FORM_ACTION = Pattern.compile("<form method=\"post\" action=\"([^\"]*)\"");

  private final HttpClient http;
  private final Map<String, Map<String, String>> jars = new HashMap<>();

  Login(HttpClient http) {
    this.http = http;
  }

  /** A client for logins: no redirects, no cookie handler (this class keeps the cookies). */
  static HttpClient client() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  /**
   * Logs {@code username} in, starting at {@code protectedUrl}, and returns the app's cookies.
   *
   * @throws IOException when the flow does not end at the protected page with a 200
   */
  String login(URI protectedUrl, String username) throws IOException, InterruptedException {
    HttpResponse<String> response = follow(get(protectedUrl));
    if (response.statusCode() != 200 || !response.body().contains("name=\"username\"")) {
      throw new IOException("expected the provider's login form, got HTTP " + response.statusCode()
          + " at " + response.uri());
    }
    Map<String, String> fields = new LinkedHashMap<>();
    Matcher hidden = HIDDEN.matcher(response.body());
    while (hidden.find()) {
      fields.put(unescape(hidden.group(1)), unescape(hidden.group(2)));
    }
    fields.put("username", username);
    Matcher action = FORM_ACTION.matcher(response.body());
    if (!action.find()) {
      throw new IOException("no form in the provider's login page");
    }
    StringJoiner form = new StringJoiner("&");
    fields.forEach((k, v) -> form.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
        + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    URI post = response.uri().resolve(unescape(action.group(1)));
    HttpResponse<String> back = follow(send(HttpRequest.newBuilder(post)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form.toString())), post));
    if (back.statusCode() != 200 || !origin(back.uri()).equals(origin(protectedUrl))) {
      throw new IOException("login of " + username + " ended with HTTP " + back.statusCode()
          + " at " + back.uri() + ": " + back.body().substring(0, Math.min(300, back.body().length())));
    }
    return cookieHeader(protectedUrl);
  }

  /** The cookies held for {@code url}'s origin, as a {@code Cookie} header value. */
  String cookieHeader(URI url) {
    StringJoiner header = new StringJoiner("; ");
    jars.getOrDefault(origin(url), Map.of()).forEach((name, value) -> header.add(name + "=" + value));
    return header.toString();
  }

  private HttpResponse<String> follow(HttpResponse<String> response)
      throws IOException, InterruptedException {
    for (int i = 0; i < MAX_REDIRECTS && response.statusCode() / 100 == 3; i++) {
      String location = response.headers().firstValue("Location")
          .orElseThrow(() -> new IOException("redirect without Location"));
      response = get(response.uri().resolve(location));
    }
    return response;
  }

  private HttpResponse<String> get(URI url) throws IOException, InterruptedException {
    // A browser navigation: filters answer API calls with 401 instead of a redirect to login.
    return send(HttpRequest.newBuilder(url).header("Accept", "text/html").GET(), url);
  }

  private HttpResponse<String> send(HttpRequest.Builder request, URI url)
      throws IOException, InterruptedException {
    String cookies = cookieHeader(url);
    if (!cookies.isEmpty()) {
      request.header("Cookie", cookies);
    }
    HttpResponse<String> response =
        http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    Map<String, String> jar = jars.computeIfAbsent(origin(url), k -> new LinkedHashMap<>());
    for (String setCookie : response.headers().allValues("Set-Cookie")) {
      List<String> parts = List.of(setCookie.split(";"));
      String pair = parts.get(0).trim();
      int eq = pair.indexOf('=');
      String name = pair.substring(0, eq);
      String value = pair.substring(eq + 1);
      boolean expired = value.isEmpty() || parts.stream().map(String::trim)
          .anyMatch(p -> p.equalsIgnoreCase("Max-Age=0"));
      if (expired) {
        jar.remove(name);
      } else {
        jar.put(name, value);
      }
    }
    return response;
  }

  private static String origin(URI url) {
    return url.getScheme() + "://" + url.getHost() + ":" + url.getPort();
  }

  private static String unescape(String html) {
    return html.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<")
        .replace("&gt;", ">").replace("&amp;", "&");
  }
}
