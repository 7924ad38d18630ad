package dev.oidcsession.examples.keycloak;

import static dev.oidcsession.examples.keycloak.AppProbe.at;
import static dev.oidcsession.examples.keycloak.AppProbe.me;
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
import dev.oidcsession.redis.RedisProcesses;
import dev.oidcsession.servlet.Browser;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Two instances of the example app sharing one real Redis, behind one (imagined) load balancer,
 * against a real Keycloak with refresh-token rotation and zero reuse: a refresh token presented
 * twice would end the provider session, so Keycloak's event log proves single-flight renewal
 * across nodes, and its admin API starts back-channel logouts.
 */
@ExpectsWarnings(value = "the app and Keycloak run over plain http on loopback",
    matching = {"BASE_URL is http", "uses plain http"})
@ExtendWith(KeycloakExtension.class)
class KeycloakRedisIT {

  static final ShiftedClock clock = new ShiftedClock();
  static final int portA = Browser.freePort();
  static final int portB = Browser.freePort();
  static final String baseA = "http://127.0.0.1:" + portA;
  static final String baseB = "http://127.0.0.1:" + portB;
  static Keycloak keycloak;
  static RedisProcesses redis;
  static ExampleApp nodeA;
  static ExampleApp nodeB;

  @BeforeAll
  static void start(Keycloak server) throws Exception {
    keycloak = server;
    // The load balancer's address is node A's: callbacks and back-channel logouts land there.
    keycloak.pointClientAt(InteropRealm.APP_CLIENT, baseA);
    redis = new RedisProcesses();
    int redisPort = redis.server().port;
    nodeA = ExampleApp.start(env(portA, redisPort)::get, clock);
    nodeB = ExampleApp.start(env(portB, redisPort)::get, clock);
  }

  static Map<String, String> env(int port, int redisPort) {
    return Map.of(
        "PORT", Integer.toString(port),
        "BASE_URL", baseA,
        "OIDC_ISSUER", keycloak.issuer(),
        "OIDC_CLIENT_ID", InteropRealm.APP_CLIENT,
        "OIDC_CLIENT_SECRET", InteropRealm.APP_SECRET,
        "SESSION_SECRET", "the-same-session-key-on-every-node-0123456789",
        "REDIS_URL", "redis://127.0.0.1:" + redisPort);
  }

  @AfterAll
  static void stop() {
    if (nodeA != null) {
      nodeA.close();
    }
    if (nodeB != null) {
      nodeB.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void fresh() {
    clock.reset();
  }

  @Test
  void renewals_dueOnBothNodesUnderConcurrentRequests_oneRefreshGrantPerSession() throws Exception {
    Instant start = Instant.now();
    Map<String, Browser> browsers = new LinkedHashMap<>();
    Map<String, String> sids = new LinkedHashMap<>();
    Instant latestRenewAt = Instant.EPOCH;
    for (String user : List.of("erin", "frank", "grace")) {
      Browser browser = new Browser();
      KeycloakLogin.login(browser, baseA, user);
      assertThat(me(browser, baseB)).containsEntry("subject", me(browser, baseA).get("subject"));
      browsers.put(user, browser);
      sids.put(user, sid(browser, baseB));
      Instant renewAt = at(session(browser, baseA), "renewAt");
      latestRenewAt = renewAt.isAfter(latestRenewAt) ? renewAt : latestRenewAt;
    }
    assertThat(nodeA.mode()).contains("Redis store");
    Map<String, Session> first = storedAll(browsers);

    // Refresh-ahead, every session due: 3 sessions x 32 requests, half on each node.
    clock.jumpTo(latestRenewAt.plusSeconds(1));
    burst(browsers, 32);
    await().atMost(Duration.ofSeconds(30)).until(() -> keycloak.eventCounts(sids.values())
        .getOrDefault("REFRESH_TOKEN", 0L) >= sids.size());
    burst(browsers, 8); // after the hand-off: nothing more is due
    Map<String, Session> second = storedAll(browsers);
    for (String user : browsers.keySet()) {
      assertThat(second.get(user).tokens().refreshToken()).as("rotated for " + user)
          .isNotEqualTo(first.get(user).tokens().refreshToken());
      assertThat(at(session(browsers.get(user), baseB), "expiresAt"))
          .isEqualTo(earlierExpiry(second.get(user)));
    }
    assertOneGrantPerSession(sids, 1);

    // Renew-and-wait, every session close to its end: requests on both nodes wait for the one
    // renewal, which must use the refresh token the first rotation stored in Redis.
    Instant earliestExpiry = second.values().stream().map(Session::expiresAt)
        .min(Instant::compareTo).orElseThrow();
    clock.jumpTo(earliestExpiry.minusSeconds(20));
    burst(browsers, 32);
    Map<String, Session> third = storedAll(browsers);
    for (String user : browsers.keySet()) {
      assertThat(third.get(user).tokens().refreshToken()).as("rotated again for " + user)
          .isNotEqualTo(second.get(user).tokens().refreshToken());
    }
    Map<String, Long> events = keycloak.eventCounts(sids.values());
    report("Redis, 2 nodes, 3 sessions, 2 rounds (32+8+32 requests per session)", events);
    assertOneGrantPerSession(sids, 2);
    // Nor any refresh error that names no session (an unreadable refresh token would not).
    assertThat(keycloak.eventsSince(start)).noneMatch(e -> e.type().endsWith("_ERROR"));
    for (Map.Entry<String, String> sid : sids.entrySet()) {
      assertThat(keycloak.sessionsOf(sid.getKey())).as("provider session of " + sid.getKey())
          .contains(sid.getValue());
    }
  }

  @Test
  void backChannelLogout_sessionDeletedAtKeycloak_endsItOnEveryNode() throws Exception {
    Browser browser = new Browser();
    KeycloakLogin.login(browser, baseA, "heidi");
    String sid = sid(browser, baseA);
    assertThat(status(browser, baseB)).isEqualTo(200);

    keycloak.deleteSession(sid);
    // Keycloak posts the logout token to node A; the session ends in Redis for both nodes.
    await().atMost(Duration.ofSeconds(10)).until(() -> status(browser, baseA) == 401);
    assertThat(status(browser, baseB)).isEqualTo(401);
    assertThat(keycloak.sessionsOf("heidi")).doesNotContain(sid);
    report("Redis back-channel logout (admin: delete session)", keycloak.eventCounts(List.of(sid)));
  }

  private static int status(Browser browser, String base) {
    return browser.get(base + "/api/me", "Accept", "application/json").statusCode();
  }

  /** Exactly {@code grants} REFRESH_TOKEN events for every session, and no refresh error. */
  private static void assertOneGrantPerSession(Map<String, String> sids, long grants)
      throws Exception {
    List<Keycloak.Event> events = keycloak.events(sids.values());
    for (Map.Entry<String, String> sid : sids.entrySet()) {
      assertThat(events.stream().filter(e -> e.sessionId().equals(sid.getValue())
              && e.type().equals("REFRESH_TOKEN")).count())
          .as("refresh grants for " + sid.getKey()).isEqualTo(grants);
    }
    assertThat(events).noneMatch(e -> e.type().equals("REFRESH_TOKEN_ERROR"));
  }

  private Map<String, Session> storedAll(Map<String, Browser> browsers) {
    Map<String, Session> sessions = new LinkedHashMap<>();
    browsers.forEach((user, browser) -> sessions.put(user, stored(nodeB, browser)));
    return sessions;
  }

  /** {@code perSession} concurrent requests for every browser, alternating between the nodes. */
  private static void burst(Map<String, Browser> browsers, int perSession) throws Exception {
    int n = browsers.size() * perSession;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<HttpResponse<String>>> responses = new ArrayList<>();
      for (Browser browser : browsers.values()) {
        for (int i = 0; i < perSession; i++) {
          String base = i % 2 == 0 ? baseA : baseB;
          responses.add(pool.submit(() -> {
            go.await();
            return browser.get(base + "/api/me", "Accept", "application/json");
          }));
        }
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
}
