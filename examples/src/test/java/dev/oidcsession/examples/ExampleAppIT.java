package dev.oidcsession.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.ManualClock;
import dev.oidcsession.examples.provider.DevProvider;
import dev.oidcsession.servlet.Browser;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole life of a session in the example app, over HTTP, against the embedded development
 * provider and the in-memory store; time moves on a manual clock shared by app and provider.
 */
@ExpectsWarnings(value = "the example runs the development provider over plain http on loopback",
    matching = {"DevProvider is a development OpenID provider", "BASE_URL is http",
        "uses plain http"})
class ExampleAppIT {

  static final ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  static final int port = Browser.freePort();
  static final String base = "http://127.0.0.1:" + port;
  static ExampleApp app;
  static DevProvider provider;
  Browser browser;

  @BeforeAll
  static void start() {
    app = ExampleApp.start(Map.of("PORT", Integer.toString(port), "BASE_URL", base)::get, clock);
    provider = app.devProvider().orElseThrow();
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @BeforeEach
  void fresh() {
    clock.set(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    provider.setAccessTokenLifetime(Duration.ofMinutes(2));
    provider.setIdTokenLifetime(Duration.ofMinutes(5));
    provider.resetCounts();
    browser = new Browser();
  }

  Map<String, Object> session() throws ParseException {
    HttpResponse<String> json = browser.get(base + "/oidc/session");
    assertThat(json.statusCode()).isEqualTo(200);
    return JSONObjectUtils.parse(json.body());
  }

  static Instant at(Map<String, Object> session, String name) {
    return Instant.parse((String) session.get(name));
  }

  @Test
  void publicHome_offersLogin() {
    HttpResponse<String> home = browser.navigate(base + "/");
    assertThat(home.statusCode()).isEqualTo(200);
    assertThat(home.body()).contains("id=\"login\"");
  }

  @Test
  void pages_contentSecurityPolicy_allowsOnlyThisOriginsFiles_andTheyAreServedWithoutLogin() {
    HttpResponse<String> home = browser.navigate(base + "/");
    assertThat(home.headers().firstValue("Content-Security-Policy")).contains("default-src 'self'");
    assertThat(home.body()).contains("<link rel=\"stylesheet\" href=\"/static/example.css\">")
        .doesNotContain("<style").doesNotContain("<script>");
    HttpResponse<String> css = browser.get(base + "/static/example.css");
    assertThat(css.statusCode()).isEqualTo(200);
    assertThat(css.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("text/css"));
    assertThat(css.body()).contains("max-width: 48rem");
    HttpResponse<String> js = browser.get(base + "/static/app.js");
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.body()).contains("OidcSession.onChange");
  }

  @Test
  void wholeLife_login_app_session_renewal_logout() throws Exception {
    HttpResponse<String> page = DevLogin.login(browser, base, "alice");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<span id=\"subject\">alice</span>").contains("id=\"claims\"");
    HttpResponse<String> me = browser.get(base + "/api/me", "Accept", "application/json");
    assertThat(JSONObjectUtils.parse(me.body())).containsEntry("subject", "alice");

    Map<String, Object> before = session();
    assertThat(before).containsEntry("authenticated", true);
    Instant renewAt = at(before, "renewAt");
    assertThat(at(before, "expiresAt")).isEqualTo(clock.instant().plus(Duration.ofMinutes(2)));
    // Dev defaults: interval 1 min ± 10 %, token life 2 min.
    assertThat(renewAt).isBetween(clock.instant().plusSeconds(54), clock.instant().plusSeconds(66));

    clock.set(renewAt.plusSeconds(1));
    assertThat(browser.navigate(base + "/app").statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> provider.refreshGrants() == 1);
    Map<String, Object> after = session();
    assertThat(at(after, "renewAt")).isAfter(renewAt);
    // JWT exp has whole seconds.
    assertThat(at(after, "expiresAt"))
        .isEqualTo(clock.instant().truncatedTo(ChronoUnit.SECONDS).plus(Duration.ofMinutes(2)));
    assertThat(provider.refreshGrants()).isEqualTo(1);

    HttpResponse<String> logout = browser.post(base + "/oidc/logout", Map.of(), "Origin", base);
    assertThat(logout.statusCode()).isEqualTo(303);
    String endSession = logout.headers().firstValue("Location").orElseThrow();
    assertThat(endSession).startsWith(provider.issuer());
    HttpResponse<String> providerLogout = browser.follow(logout);
    assertThat(providerLogout.statusCode()).isEqualTo(302);
    assertThat(providerLogout.headers().firstValue("Location").orElseThrow()).startsWith(base + "/");
    assertThat(provider.revocations()).isEqualTo(1);
    assertThat(session()).containsEntry("authenticated", false);
    assertThat(browser.navigate(base + "/app").statusCode()).isEqualTo(302);
  }

  @Test
  void backChannelLogout_fromTheProvider_endsTheSession() throws Exception {
    DevLogin.login(browser, base, "bob");
    assertThat(session()).containsEntry("authenticated", true);
    assertThat(provider.logOut("bob")).isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> provider.backChannelDeliveries() >= 1);
    assertThat(session()).containsEntry("authenticated", false);
  }

  @Test
  void expiry_isTheEarlierOfTheTwoTokens() throws Exception {
    provider.setIdTokenLifetime(Duration.ofMinutes(1));
    provider.setAccessTokenLifetime(Duration.ofMinutes(2));
    DevLogin.login(browser, base, "carol");
    assertThat(at(session(), "expiresAt")).isEqualTo(clock.instant().plus(Duration.ofMinutes(1)));

    browser = new Browser();
    provider.setIdTokenLifetime(Duration.ofMinutes(5));
    provider.setAccessTokenLifetime(Duration.ofSeconds(90));
    DevLogin.login(browser, base, "carol");
    assertThat(at(session(), "expiresAt")).isEqualTo(clock.instant().plusSeconds(90));
  }
}
