package dev.oidcsession.examples.keycloak;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import dev.oidcsession.core.Session;
import dev.oidcsession.examples.ExampleApp;
import dev.oidcsession.servlet.Browser;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Instant;
import java.util.Map;

/** What a test reads from the example app: {@code /oidc/session}, {@code /api/me}, the session. */
final class AppProbe {

  /** The session cookie's name when the base URL is {@code http://} (no {@code __Host-}). */
  static final String COOKIE = "oidc-session";

  private AppProbe() {}

  static Map<String, Object> session(Browser browser, String base) {
    HttpResponse<String> json = browser.get(base + "/oidc/session");
    assertThat(json.statusCode()).isEqualTo(200);
    return Keycloak.json(json.body());
  }

  static boolean authenticated(Browser browser, String base) {
    return Boolean.TRUE.equals(session(browser, base).get("authenticated"));
  }

  static Instant at(Map<String, Object> session, String name) {
    return Instant.parse((String) session.get(name));
  }

  /** {@code /api/me}: subject, issuer, expiresAt, renewAt and the ID token's claims. */
  static Map<String, Object> me(Browser browser, String base) {
    HttpResponse<String> me = browser.get(base + "/api/me", "Accept", "application/json");
    assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
    return Keycloak.json(me.body());
  }

  /** The {@code sid} of the ID token: Keycloak's user session id. */
  static String sid(Browser browser, String base) {
    @SuppressWarnings("unchecked")
    Map<String, Object> claims = (Map<String, Object>) me(browser, base).get("claims");
    String sid = (String) claims.get("sid");
    assertThat(sid).as("sid in Keycloak's ID token").isNotBlank();
    return sid;
  }

  /** The stored session behind the browser's cookie, read through the app's session manager. */
  static Session stored(ExampleApp app, Browser browser) {
    String cookie = browser.cookie(COOKIE).orElseThrow();
    return app.filter().sessions().resolve(cookie).orElseThrow();
  }

  /** The {@code exp} of a JWT, read by the test itself. */
  static Instant exp(String jwt) {
    try {
      return SignedJWT.parse(jwt).getJWTClaimsSet().getExpirationTime().toInstant();
    } catch (ParseException e) {
      throw new AssertionError("not a JWT", e);
    }
  }
}
