package dev.oidcsession.spring.e2e;

import static dev.oidcsession.servlet.Browser.location;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.oidcsession.servlet.Browser;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a user does, over HTTP: log in through the provider's form, renew, log out. */
final class Flows {

  private static final Pattern HIDDEN =
      Pattern.compile("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">");

  private Flows() {}

  /** From a protected page through every redirect; returns the protected page after login. */
  static HttpResponse<String> login(Browser browser, BootApp app, String path, String username) {
    HttpResponse<String> page = browser.navigate(app.base + path);
    assertThat(page.statusCode()).as(page.body()).isEqualTo(302);
    assertThat(location(page)).contains("/oidc/login");
    HttpResponse<String> form = browser.follow(browser.follow(page));
    assertThat(form.statusCode()).as(form.body()).isEqualTo(200);
    Map<String, String> fields = new LinkedHashMap<>();
    Matcher m = HIDDEN.matcher(form.body());
    while (m.find()) {
      fields.put(unescape(m.group(1)), unescape(m.group(2)));
    }
    fields.put("username", username);
    HttpResponse<String> signedIn =
        browser.post(form.uri().resolve("/authorize").toString(), fields);
    assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(302);
    HttpResponse<String> callback = browser.follow(signedIn);
    assertThat(callback.statusCode()).as(callback.body() + " " + location(callback)).isEqualTo(302);
    return browser.follow(callback);
  }

  static Map<String, Object> session(Browser browser, BootApp app) throws ParseException {
    HttpResponse<String> json = browser.get(app.base + "/oidc/session");
    assertThat(json.statusCode()).isEqualTo(200);
    return JSONObjectUtils.parse(json.body());
  }

  static Instant at(Map<String, Object> session, String name) {
    return Instant.parse((String) session.get(name));
  }

  /** Moves past renewAt, makes a request, waits for the background renewal; returns the new renewAt. */
  static Instant renew(Browser browser, BootApp app, String path) throws ParseException {
    Instant renewAt = at(session(browser, app), "renewAt");
    int before = app.provider.refreshGrants();
    app.clock.set(renewAt.plusSeconds(1));
    assertThat(browser.navigate(app.base + path).statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> app.provider.refreshGrants() == before + 1);
    Instant next = at(session(browser, app), "renewAt");
    assertThat(next).isAfter(renewAt);
    return next;
  }

  /** Logs out through the provider's end-session endpoint; the session is gone after. */
  static void logout(Browser browser, BootApp app, String path) throws ParseException {
    HttpResponse<String> logout =
        browser.post(app.base + "/oidc/logout", Map.of(), "Origin", app.base);
    assertThat(logout.statusCode()).isEqualTo(303);
    assertThat(location(logout)).startsWith(app.provider.issuer());
    HttpResponse<String> providerLogout = browser.follow(logout);
    assertThat(providerLogout.statusCode()).isEqualTo(302);
    assertThat(location(providerLogout)).startsWith(app.base + "/");
    assertThat(session(browser, app)).containsEntry("authenticated", false);
    assertThat(browser.navigate(app.base + path).statusCode()).isEqualTo(302);
  }

  /** The provider logs the user out everywhere; its back-channel call ends the session. */
  static void backChannelLogout(Browser browser, BootApp app, String subject)
      throws ParseException {
    int before = app.provider.backChannelDeliveries();
    assertThat(app.provider.logOut(subject)).isEqualTo(1);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> app.provider.backChannelDeliveries() > before);
    assertThat(session(browser, app)).containsEntry("authenticated", false);
  }

  private static String unescape(String html) {
    return html.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<")
        .replace("&gt;", ">").replace("&amp;", "&");
  }
}
