package dev.oidcsession.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.servlet.Browser;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Spring Boot example started as its main does: dev provider, in-memory store, the starter. */
@ExpectsWarnings(value = "the example runs the development provider over plain http on loopback",
    matching = {"DevProvider is a development OpenID provider", "BASE_URL is http",
        "uses plain http"})
class BootExampleAppIT {

  static final int port = Browser.freePort();
  static final String base = "http://127.0.0.1:" + port;
  static BootExampleApp.Running app;

  @BeforeAll
  static void start() {
    app = BootExampleApp.start(Map.of("PORT", Integer.toString(port), "BASE_URL", base)::get);
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void login_app_logout_throughTheStarter() {
    Browser browser = new Browser();
    HttpResponse<String> home = browser.navigate(base + "/");
    assertThat(home.statusCode()).isEqualTo(200);
    assertThat(home.body()).contains("id=\"login\"");
    assertThat(home.headers().firstValue("Content-Security-Policy")).contains("default-src 'self'");

    HttpResponse<String> page = DevLogin.login(browser, base, "alice");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<span id=\"subject\">alice</span>");
    assertThat(browser.get(base + "/static/example.css").statusCode()).isEqualTo(200);

    HttpResponse<String> logout = browser.post(base + "/oidc/logout", Map.of(), "Origin", base);
    assertThat(logout.statusCode()).isEqualTo(303);
    assertThat(Browser.location(logout)).startsWith(app.provider().orElseThrow().issuer());
    assertThat(browser.navigate(base + "/app").statusCode()).isEqualTo(302);
  }
}
