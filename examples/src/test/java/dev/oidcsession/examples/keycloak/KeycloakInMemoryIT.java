package dev.oidcsession.examples.keycloak;

import static dev.oidcsession.examples.keycloak.AppProbe.at;
import static dev.oidcsession.examples.keycloak.AppProbe.authenticated;
import static dev.oidcsession.examples.keycloak.AppProbe.exp;
import static dev.oidcsession.examples.keycloak.AppProbe.session;
import static dev.oidcsession.examples.keycloak.AppProbe.sid;
import static dev.oidcsession.examples.keycloak.AppProbe.stored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.Session;
import dev.oidcsession.examples.ExampleApp;
import dev.oidcsession.servlet.Browser;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The example app with its in-memory store against a real Keycloak: login through Keycloak's page,
 * the session's expiry, renewal with refresh-token rotation, RP-initiated and back-channel logout.
 * Keycloak's own event log is the witness for every grant.
 */
@ExpectsWarnings(value = "the app and Keycloak run over plain http on loopback",
    matching = {"BASE_URL is http", "uses plain http"})
@ExtendWith(KeycloakExtension.class)
class KeycloakInMemoryIT {

  static final ShiftedClock clock = new ShiftedClock();
  static final int port = Browser.freePort();
  static final String base = "http://127.0.0.1:" + port;
  static Keycloak keycloak;
  static ExampleApp app;
  Browser browser;

  @BeforeAll
  static void start(Keycloak server) throws Exception {
    keycloak = server;
    keycloak.pointClientAt(InteropRealm.APP_CLIENT, base);
    app = ExampleApp.start(Map.of(
        "PORT", Integer.toString(port),
        "BASE_URL", base,
        "OIDC_ISSUER", keycloak.issuer(),
        "OIDC_CLIENT_ID", InteropRealm.APP_CLIENT,
        "OIDC_CLIENT_SECRET", InteropRealm.APP_SECRET)::get, clock);
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  @BeforeEach
  void fresh() {
    clock.reset();
    browser = new Browser();
  }

  @Test
  void login_throughKeycloaksPage_expiresAtIsTheEarlierTokenExpiry() throws Exception {
    HttpResponse<String> page = KeycloakLogin.login(browser, base, "alice");
    assertThat(page.body()).contains("<span id=\"subject\">");
    String sid = sid(browser, base);
    assertThat(keycloak.sessionsOf("alice")).contains(sid);

    Map<String, Object> json = session(browser, base);
    assertThat(json).containsEntry("authenticated", true);
    Session session = stored(app, browser);
    assertThat(at(json, "expiresAt")).isEqualTo(earlierExpiry(session));
    // The realm's access token lifespan bounds the session; Keycloak gives the ID token the same.
    assertThat(Duration.between(session.createdAt(), at(json, "expiresAt")))
        .isBetween(Duration.ofSeconds(InteropRealm.ACCESS_TOKEN_SECONDS - 10),
            Duration.ofSeconds(InteropRealm.ACCESS_TOKEN_SECONDS));

    Map<String, Long> events = keycloak.eventCounts(Set.of(sid));
    report("login", events);
    assertThat(events).containsEntry("LOGIN", 1L).containsEntry("CODE_TO_TOKEN", 1L)
        .doesNotContainKeys("REFRESH_TOKEN", "REFRESH_TOKEN_ERROR", "CODE_TO_TOKEN_ERROR");
  }

  @Test
  void renewal_dueUnderConcurrentRequests_oneRefreshGrantPerRotation_providerSessionLives()
      throws Exception {
    Instant start = Instant.now();
    KeycloakLogin.login(browser, base, "bob");
    String sid = sid(browser, base);
    Map<String, Object> before = session(browser, base);
    Session first = stored(app, browser);

    // Refresh-ahead: due, with the access token still good for a minute.
    clock.jumpTo(at(before, "renewAt").plusSeconds(1));
    burst(32);
    await().atMost(Duration.ofSeconds(30))
        .until(() -> keycloak.eventCounts(Set.of(sid)).getOrDefault("REFRESH_TOKEN", 0L) >= 1);
    Map<String, Object> renewed = session(browser, base);
    Session afterFirst = stored(app, browser);
    assertThat(afterFirst.tokens().refreshToken()).as("rotated").isNotEqualTo(first.tokens().refreshToken());
    assertThat(at(renewed, "expiresAt")).isEqualTo(earlierExpiry(afterFirst))
        .isAfterOrEqualTo(at(before, "expiresAt"));
    assertThat(at(renewed, "renewAt")).isAfter(clock.instant());
    burst(16);
    assertThat(keycloak.eventCounts(Set.of(sid))).containsEntry("REFRESH_TOKEN", 1L);

    // Renew-and-wait: the access token has less than the minimum TTL left; every request waits
    // for the one renewal, which uses the refresh token that the first rotation returned.
    clock.jumpTo(at(renewed, "expiresAt").minusSeconds(20));
    burst(32);
    Map<String, Object> again = session(browser, base);
    Session afterSecond = stored(app, browser);
    assertThat(afterSecond.tokens().refreshToken()).as("rotated again")
        .isNotEqualTo(afterFirst.tokens().refreshToken());
    assertThat(at(again, "expiresAt")).isEqualTo(earlierExpiry(afterSecond));

    Map<String, Long> events = keycloak.eventCounts(Set.of(sid));
    report("in-memory renewals (2 rotations, 32+16+32 requests)", events);
    assertThat(events).containsEntry("REFRESH_TOKEN", 2L).doesNotContainKey("REFRESH_TOKEN_ERROR");
    // Nor any refresh error that names no session (an unreadable refresh token would not).
    assertThat(keycloak.eventsSince(start)).noneMatch(e -> e.type().endsWith("_ERROR"));
    assertThat(keycloak.sessionsOf("bob")).contains(sid);
  }

  @Test
  void logout_rpInitiated_revokesRefreshToken_endsProviderSession() throws Exception {
    KeycloakLogin.login(browser, base, "carol");
    String sid = sid(browser, base);
    String refreshToken = stored(app, browser).tokens().refreshToken().orElseThrow().value();

    Instant loggingOut = Instant.now();
    HttpResponse<String> logout = browser.post(base + "/oidc/logout", Map.of(), "Origin", base);
    assertThat(logout.statusCode()).isEqualTo(303);
    assertThat(Browser.location(logout))
        .startsWith(keycloak.issuer() + "/protocol/openid-connect/logout?")
        .contains("id_token_hint=");
    assertThat(authenticated(browser, base)).isFalse();
    // RFC 7009: revoked before the browser leaves for the end-session endpoint.
    assertThat(keycloak.eventCounts(Set.of(sid))).containsEntry("REVOKE_GRANT", 1L);
    // Keycloak ends a user session whose last client session is revoked: the app was its only
    // client, so the provider session is already gone when the browser arrives at end-session.
    assertThat(keycloak.sessionsOf("carol")).doesNotContain(sid);

    // The end-session endpoint accepts the id_token_hint and sends the browser back without a
    // confirmation page.
    HttpResponse<String> endSession = browser.follow(logout);
    assertThat(endSession.statusCode()).as(endSession.body()).isEqualTo(302);
    assertThat(Browser.location(endSession)).startsWith(base + "/");
    // ...and notes, without a session id, that it found the session gone already.
    assertThat(keycloak.eventsSince(loggingOut)).filteredOn(e -> e.type().endsWith("_ERROR"))
        .extracting(Keycloak.Event::type, Keycloak.Event::error)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("LOGOUT_ERROR", "session_expired"));

    assertThat(keycloak.eventCounts(Set.of(sid)))
        .doesNotContainKeys("REFRESH_TOKEN", "REFRESH_TOKEN_ERROR", "LOGOUT_ERROR");

    // The test itself replays the refresh token the app held: Keycloak refuses it.
    HttpResponse<String> replay = keycloak.refreshDirectly(InteropRealm.APP_CLIENT,
        InteropRealm.APP_SECRET, refreshToken);
    assertThat(replay.statusCode()).isEqualTo(400);
    assertThat(Keycloak.json(replay.body())).containsEntry("error", "invalid_grant");

    Map<String, Long> events = keycloak.eventCounts(Set.of(sid));
    report("RP-initiated logout (+ the test's own replay of the revoked token)", events);
    assertThat(events).containsEntry("REVOKE_GRANT", 1L).containsEntry("REFRESH_TOKEN_ERROR", 1L)
        .doesNotContainKeys("REFRESH_TOKEN", "LOGOUT_ERROR");
  }

  @Test
  void backChannelLogout_adminLogsUserOutAtKeycloak_endsTheAppSession() throws Exception {
    KeycloakLogin.login(browser, base, "dave");
    String sid = sid(browser, base);
    assertThat(authenticated(browser, base)).isTrue();

    keycloak.logOut("dave");
    // Keycloak posts the logout token to /oidc/backchannel-logout.
    await().atMost(Duration.ofSeconds(10)).until(() -> !authenticated(browser, base));
    assertThat(browser.get(base + "/api/me", "Accept", "application/json").statusCode())
        .isEqualTo(401);
    assertThat(keycloak.sessionsOf("dave")).doesNotContain(sid);
    report("back-channel logout (admin: user logout)", keycloak.eventCounts(Set.of(sid)));
  }

  @Test
  void backChannelLogout_frontChannelLogoutOn_keycloakSendsNoLogoutToken() throws Exception {
    // Control: with front-channel logout off, Keycloak delivers the logout token before its
    // admin call returns, so the app session is over at once.
    KeycloakLogin.login(browser, base, "ivan");
    keycloak.logOut("ivan");
    assertThat(authenticated(browser, base)).isFalse();

    // The trap: the same client with front-channel logout on.
    Browser other = new Browser();
    KeycloakLogin.login(other, base, "judy");
    String sid = sid(other, base);
    keycloak.frontChannelLogout(InteropRealm.APP_CLIENT, true);
    try {
      keycloak.logOut("judy");
      assertThat(keycloak.sessionsOf("judy")).doesNotContain(sid);
      assertThat(authenticated(other, base)).as("app session after logout at Keycloak").isTrue();
    } finally {
      keycloak.frontChannelLogout(InteropRealm.APP_CLIENT, false);
    }
  }

  /** The earlier {@code exp} of the session's access token and ID token, read by the test. */
  static Instant earlierExpiry(Session session) {
    Instant accessExp = exp(session.tokens().accessToken().value());
    Instant idExp = exp(session.tokens().idToken().raw().value());
    return accessExp.isBefore(idExp) ? accessExp : idExp;
  }

  /** {@code n} concurrent requests to {@code /api/me}, all answered 200. */
  private void burst(int n) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<HttpResponse<String>>> responses = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        responses.add(pool.submit(() -> {
          go.await();
          return browser.get(base + "/api/me", "Accept", "application/json");
        }));
      }
      go.countDown();
      for (Future<HttpResponse<String>> response : responses) {
        HttpResponse<String> r = response.get(60, TimeUnit.SECONDS);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  static void report(String scenario, Map<String, Long> events) {
    System.out.println("[interop] " + scenario + ": Keycloak events " + events);
  }
}
