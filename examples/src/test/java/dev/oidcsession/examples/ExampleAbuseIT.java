package dev.oidcsession.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.ManualClock;
import dev.oidcsession.core.NoSecretsInLogs;
import dev.oidcsession.servlet.Browser;
import dev.oidcsession.servlet.RawHttp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The example app's own pages under abuse (the filter's endpoints have their suite in
 * session-servlet): every method and bad parameters give a 4xx with a reason or the page, never a
 * 5xx or a 501, no stack trace, and the logged-in session keeps working.
 */
@ExpectsWarnings(value = "the example runs the development provider over plain http on loopback",
    matching = {"DevProvider is a development OpenID provider", "BASE_URL is http",
        "uses plain http"})
class ExampleAbuseIT {

  static final ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  static final int port = Browser.freePort();
  static final String base = "http://127.0.0.1:" + port;
  static final List<String> METHODS =
      List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "BREW");
  static ExampleApp app;
  static String cookie;
  static final RawHttp raw = new RawHttp(port);

  @BeforeAll
  static void start() {
    app = ExampleApp.start(Map.of("PORT", Integer.toString(port), "BASE_URL", base)::get, clock);
    Browser browser = new Browser();
    DevLogin.login(browser, base, "alice");
    cookie = "Cookie: oidc-session=" + browser.cookie("oidc-session").orElseThrow();
  }

  @BeforeEach
  void forbidTheCookie() {
    NoSecretsInLogs.forbid(cookie.substring(cookie.indexOf('=') + 1));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  private void check(SoftAssertions softly, int expected, String method, String target,
      String... headers) {
    RawHttp.Response response = raw.send(method, target, headers);
    String what = method + " " + (target.length() > 80 ? target.substring(0, 80) : target)
        + (headers.length > 0 && headers[0].equals(cookie) ? " (logged in)" : "");
    softly.assertThat(response.status()).as(what + " -> " + response).isEqualTo(expected);
    softly.assertThat(response.body()).as(what + ": no stack trace")
        .doesNotContainPattern("[a-z]\\.[A-Z]\\w*Exception|\\bat [a-z]+\\.[\\w.$]+\\(");
    softly.assertThat(response.all("Set-Cookie")).as(what + ": no session cookie")
        .noneMatch(c -> c.startsWith("oidc-session=") && !c.startsWith("oidc-session=;"));
    softly.assertThat(raw.send("GET", "/oidc/session", cookie).body())
        .as(what + ": the session still works").contains("\"authenticated\":true");
  }

  @Test
  void everyPage_everyMethod_isItsPageOrA405_neverA501() {
    SoftAssertions softly = new SoftAssertions();
    // GET HEAD POST PUT DELETE PATCH OPTIONS TRACE BREW
    Map<String, int[]> loggedIn = Map.of(
        "/", new int[] {200, 200, 405, 405, 405, 405, 405, 405, 405},
        "/app", new int[] {200, 200, 405, 405, 405, 405, 405, 405, 405},
        "/api/me", new int[] {200, 200, 405, 405, 405, 405, 405, 405, 405},
        "/static/app.js", new int[] {200, 200, 405, 405, 405, 405, 405, 405, 405},
        "/nothing-here", new int[] {404, 404, 405, 405, 405, 405, 405, 405, 405});
    loggedIn.forEach((path, statuses) -> {
      for (int i = 0; i < METHODS.size(); i++) {
        check(softly, statuses[i], METHODS.get(i), path, cookie);
      }
    });
    // Without a session a protected page is a 401 for any method but TRACE (refused first).
    for (String method : METHODS) {
      check(softly, method.equals("TRACE") ? 405 : 401, method, "/api/me");
    }
    softly.assertAll();
  }

  @Test
  void badParameters_areIgnoredByThePages_neverA5xx() {
    SoftAssertions softly = new SoftAssertions();
    for (String query : List.of("x=%zz", "x=%", "x=%e2%82", "x=a&x=b", "x=", "=", "&&",
        "x=%C3%BC%E8%B7%AF")) {
      check(softly, 200, "GET", "/?" + query, cookie);
      check(softly, 200, "GET", "/app?" + query, cookie);
      check(softly, 200, "GET", "/api/me?" + query, cookie);
      check(softly, 401, "GET", "/api/me?" + query);
    }
    check(softly, 414, "GET", "/app?x=" + "a".repeat(100 * 1024), cookie);
    check(softly, 400, "GET", RawHttp.utf8("/app/ü"), cookie);
    check(softly, 431, "GET", "/app", "Cookie: oidc-session=" + "a".repeat(8 * 1024));
    softly.assertAll();
    assertThat(raw.send("GET", "/api/me", cookie).body()).contains("\"subject\":\"alice\"");
  }
}
