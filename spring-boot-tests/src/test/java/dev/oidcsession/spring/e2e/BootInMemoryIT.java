package dev.oidcsession.spring.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.servlet.Browser;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The starter on the in-memory store, without Spring Security: the app has only properties. */
@ExpectsWarnings(value = "the example runs the development provider over plain http on loopback",
    matching = {"DevProvider is a development OpenID provider", "BASE_URL is http",
        "uses plain http"})
class BootInMemoryIT {

  static BootApp app;

  @BeforeAll
  static void start() throws Exception {
    app = new BootApp(BootApp.Plain.class, "spring.autoconfigure.exclude=" + BootApp.NO_SECURITY);
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void wholeLife_login_renew_logout() throws Exception {
    Browser browser = new Browser();
    HttpResponse<String> me = Flows.login(browser, app, "/api/me", "alice");
    assertThat(me.statusCode()).isEqualTo(200);
    assertThat(me.body()).isEqualTo("principal=alice remoteUser=alice");
    Flows.renew(browser, app, "/api/me");
    Flows.logout(browser, app, "/api/me");
  }

  @Test
  void backChannelLogout_fromTheProvider_endsTheSession() throws Exception {
    Browser browser = new Browser();
    Flows.login(browser, app, "/api/me", "bob");
    Flows.backChannelLogout(browser, app, "bob");
    assertThat(browser.navigate(app.base + "/api/me").statusCode()).isEqualTo(302);
  }

  static double count(String metricJson) {
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("\"statistic\":\"COUNT\",\"value\":([0-9.]+)").matcher(metricJson);
    assertThat(m.find()).as(metricJson).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void springSecurity_isNotActive() {
    assertThat(app.context.getBeansOfType(
        org.springframework.security.web.SecurityFilterChain.class)).isEmpty();
  }

  @Test
  void publicPath_needsNoSession() {
    HttpResponse<String> home = new Browser().navigate(app.base + "/");
    assertThat(home.statusCode()).isEqualTo(200);
    assertThat(home.body()).isEqualTo("home");
  }

  @Test
  void metricsAndHealth_areServedByActuator() throws Exception {
    Browser browser = new Browser();
    Flows.login(browser, app, "/api/me", "carol");
    HttpResponse<String> created = browser.get(app.base + "/actuator/metrics/oidc.session.created");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
    assertThat(created.body()).contains("\"name\":\"oidc.session.created\"")
        .doesNotContain("\"value\":0.0");
    Flows.renew(browser, app, "/api/me");
    HttpResponse<String> renewal = browser.get(
        app.base + "/actuator/metrics/oidc.session.renewal?tag=outcome:success");
    assertThat(renewal.statusCode()).as(renewal.body()).isEqualTo(200);
    HttpResponse<String> renewals = browser.get(
        app.base + "/actuator/metrics/oidc.session.renewals?tag=outcome:success");
    // Every renewal of this class's tests, timed at the token endpoint and counted by the listener.
    assertThat(count(renewal.body())).isGreaterThanOrEqualTo(1.0)
        .isEqualTo(count(renewals.body()));
    HttpResponse<String> active = browser.get(app.base + "/actuator/metrics/oidc.session.active");
    assertThat(active.statusCode()).isEqualTo(200);
    HttpResponse<String> health = browser.get(app.base + "/actuator/health");
    assertThat(health.body()).contains("\"oidcSessionStore\"").contains("\"store\":\"in-memory\"");
  }
}
