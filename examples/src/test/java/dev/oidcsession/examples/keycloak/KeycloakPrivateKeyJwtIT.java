package dev.oidcsession.examples.keycloak;

import static dev.oidcsession.examples.keycloak.AppProbe.at;
import static dev.oidcsession.examples.keycloak.AppProbe.authenticated;
import static dev.oidcsession.examples.keycloak.AppProbe.session;
import static dev.oidcsession.examples.keycloak.AppProbe.sid;
import static dev.oidcsession.examples.keycloak.AppProbe.stored;
import static dev.oidcsession.examples.keycloak.KeycloakInMemoryIT.earlierExpiry;
import static dev.oidcsession.examples.keycloak.KeycloakInMemoryIT.report;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.Session;
import dev.oidcsession.examples.ExampleApp;
import dev.oidcsession.servlet.Browser;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example app as a client that authenticates with {@code private_key_jwt} (OIDC Core 9,
 * RFC 7523) at a real Keycloak, configured only through its environment
 * ({@code OIDC_CLIENT_AUTH}, {@code OIDC_CLIENT_KEY_FILE} with a PEM PKCS#8 key,
 * {@code OIDC_CLIENT_KEY_ID}); Keycloak holds the public key as the client's JWKS. Every call to
 * the token endpoint (code exchange, refresh, revocation) is checked in Keycloak's events.
 */
@ExpectsWarnings(value = "the app and Keycloak run over plain http on loopback",
    matching = {"BASE_URL is http", "uses plain http"})
@ExtendWith(KeycloakExtension.class)
class KeycloakPrivateKeyJwtIT {

  static final ShiftedClock clock = new ShiftedClock();
  static final int port = Browser.freePort();
  static final String base = "http://127.0.0.1:" + port;
  @TempDir
  static Path keys;
  static Keycloak keycloak;
  static ExampleApp app;

  @BeforeAll
  static void start(Keycloak server) throws Exception {
    keycloak = server;
    keycloak.pointClientAt(InteropRealm.JWT_CLIENT, base);
    Path keyFile = keys.resolve("client-key.pem");
    Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(keycloak.jwtClientKey().toPrivateKey().getEncoded())
        + "\n-----END PRIVATE KEY-----\n");
    app = ExampleApp.start(Map.of(
        "PORT", Integer.toString(port),
        "BASE_URL", base,
        "OIDC_ISSUER", keycloak.issuer(),
        "OIDC_CLIENT_ID", InteropRealm.JWT_CLIENT,
        "OIDC_CLIENT_AUTH", "private_key_jwt",
        "OIDC_CLIENT_KEY_FILE", keyFile.toString(),
        "OIDC_CLIENT_KEY_ID", keycloak.jwtClientKey().getKeyID(),
        "SESSION_SECRET", "the-pending-login-key-of-this-app-0123456789")::get, clock);
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void privateKeyJwt_login_renewal_logout_everyTokenCallAuthenticatedByTheSignedAssertion()
      throws Exception {
    Instant start = Instant.now();
    Browser browser = new Browser();
    KeycloakLogin.login(browser, base, "olivia");
    String sid = sid(browser, base);
    Map<String, Object> before = session(browser, base);
    Session first = stored(app, browser);

    clock.jumpTo(at(before, "renewAt").plusSeconds(1));
    assertThat(browser.get(base + "/api/me", "Accept", "application/json").statusCode())
        .isEqualTo(200);
    await().atMost(Duration.ofSeconds(30))
        .until(() -> keycloak.eventCounts(Set.of(sid)).getOrDefault("REFRESH_TOKEN", 0L) >= 1);
    Session renewed = stored(app, browser);
    assertThat(renewed.tokens().refreshToken()).isNotEqualTo(first.tokens().refreshToken());
    assertThat(at(session(browser, base), "expiresAt")).isEqualTo(earlierExpiry(renewed));
    assertThat(keycloak.eventsSince(start)).noneMatch(e -> e.type().endsWith("_ERROR"));

    HttpResponse<String> logout = browser.post(base + "/oidc/logout", Map.of(), "Origin", base);
    assertThat(logout.statusCode()).isEqualTo(303);
    assertThat(authenticated(browser, base)).isFalse();
    assertThat(browser.follow(logout).statusCode()).isEqualTo(302);

    List<Keycloak.Event> events = keycloak.events(Set.of(sid));
    report("private_key_jwt login, renewal, logout", keycloak.eventCounts(Set.of(sid)));
    assertThat(events).filteredOn(e -> List.of("CODE_TO_TOKEN", "REFRESH_TOKEN", "REVOKE_GRANT")
            .contains(e.type()))
        .extracting(Keycloak.Event::type, Keycloak.Event::clientAuthMethod)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("CODE_TO_TOKEN", "client-jwt"),
            org.assertj.core.groups.Tuple.tuple("REFRESH_TOKEN", "client-jwt"),
            org.assertj.core.groups.Tuple.tuple("REVOKE_GRANT", "client-jwt"));
    assertThat(keycloak.sessionsOf("olivia")).doesNotContain(sid);
  }
}
