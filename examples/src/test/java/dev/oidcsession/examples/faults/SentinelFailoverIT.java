package dev.oidcsession.examples.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.ManualClock;
import dev.oidcsession.core.SessionPolicy;
import dev.oidcsession.examples.DevLogin;
import dev.oidcsession.examples.provider.DevProvider;
import dev.oidcsession.redis.RedisSessionStore;
import dev.oidcsession.redis.RedisTopology;
import dev.oidcsession.servlet.Browser;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Two app nodes on one Sentinel-managed Redis (a master, a replica, two sentinels): every session
 * renews (the provider rotates each refresh token), Sentinel fails the master over at once while
 * both nodes serve concurrent requests, and the next renewal, on either node, presents the rotated
 * refresh token and succeeds: the renewal's write reached the replica before the failover.
 */
@ExpectsWarnings(value = "every test injects provider or Redis faults; the app runs the"
    + " development provider over plain http", everyTest = true)
class SentinelFailoverIT {

  static final Duration ACCESS_TOKEN_LIFETIME = Duration.ofSeconds(30);
  static final int USERS = 4;
  static final int THREADS = 8;

  @RegisterExtension static final RedisTopology redis = RedisTopology.sentinel();
  static final ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  static final int portA = Browser.freePort();
  static final int portB = Browser.freePort();
  static final String baseA = "http://127.0.0.1:" + portA;
  static final String baseB = "http://127.0.0.1:" + portB;
  static DevProvider provider;
  static FaultApp nodeA;
  static FaultApp nodeB;

  @BeforeAll
  static void start() throws Exception {
    provider = FaultApp.provider(baseA, clock).accessTokenLifetime(ACCESS_TOKEN_LIFETIME).build();
    provider.start();
    SessionPolicy policy = SessionPolicy.builder()
        .renewalLead(Duration.ofSeconds(10))
        .minTokenTtl(Duration.ofSeconds(5))
        .renewalRetryInitialDelay(Duration.ofMillis(200))
        .renewalRetryMaxDelay(Duration.ofSeconds(1))
        .renewalWaitTimeout(Duration.ofSeconds(3))
        .build();
    nodeA = FaultApp.start(portA, baseA, provider, store(), clock, policy, null);
    nodeB = FaultApp.start(portB, baseA, provider, store(), clock, policy, null);
  }

  static RedisSessionStore store() {
    return redis.closeAfterAll(RedisSessionStore.builder(redis.config()
        .connectTimeout(Duration.ofMillis(500)).socketTimeout(Duration.ofMillis(500)).build())
        .clock(clock).build());
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable closeable : new AutoCloseable[] {nodeA, nodeB, provider}) {
      if (closeable != null) {
        closeable.close();
      }
    }
  }

  @Test
  void failoverRightAfterRotation_underLoad_nextRenewalUsesRotatedTokenOnEveryNode()
      throws Exception {
    clock.set(Instant.now().minusSeconds(20).truncatedTo(ChronoUnit.SECONDS));
    List<Browser> browsers = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      Browser browser = new Browser(baseA);
      assertThat(DevLogin.login(browser, baseA, "failover-" + i).statusCode()).isEqualTo(200);
      browsers.add(browser);
    }
    List<String> bases = List.of(baseA, baseB);
    Instant expiresAt = expiresAt(browsers.get(0), baseA);
    provider.resetCounts();
    try (Traffic traffic = new Traffic(THREADS)) {
      // First renewal: every session's refresh token rotates.
      clock.set(expiresAt.minusSeconds(9));
      traffic.round(browsers, bases, "/api/me");
      await("every session renewed").atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(20)).until(() -> provider.refreshGrants() >= USERS);

      // At once: fail over while both nodes serve.
      CompletableFuture<Void> load = CompletableFuture.runAsync(() -> traffic.roundsFor(
          Duration.ofSeconds(4), 10_000, browsers, bases, "/api/me"));
      int oldMaster = currentMaster();
      await("sentinel accepts the failover").atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .ignoreException(JedisDataException.class) // NOGOODSLAVE while it gathers state
          .until(() -> {
            try (Jedis sentinel = new Jedis("127.0.0.1", redis.sentinels().get(0).port)) {
              return "OK".equals(sentinel.sentinelFailover(RedisTopology.MASTER));
            }
          });
      await("the replica is master").atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50)).until(() -> currentMaster() != oldMaster);
      load.get(60, TimeUnit.SECONDS);

      // The next renewal, due on both nodes: the rotated refresh tokens must be in the new master.
      Instant renewed = expiresAt(browsers.get(0), baseB);
      assertThat(renewed).isAfter(expiresAt);
      clock.set(renewed.minusSeconds(4)); // too short to serve without waiting for the renewal
      await("every session renewed again").atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> {
            traffic.round(browsers, bases, "/api/me");
            return provider.refreshGrants() >= 2 * USERS;
          });
      for (Browser browser : browsers) {
        for (String base : bases) {
          await("renewed session served on " + base).atMost(Duration.ofSeconds(10))
              .pollInterval(Duration.ofMillis(50))
              .until(() -> expiresAt(browser, base).isAfter(renewed));
        }
      }
      System.out.println(traffic.figures("sentinel failover after rotation",
          provider.refreshGrants()) + " rejectedRefreshGrants=" + provider.rejectedRefreshGrants());
      assertThat(provider.rejectedRefreshGrants()).as("rotated-out tokens presented").isZero();
      assertThat(provider.refreshGrants()).isEqualTo(2 * USERS);
      assertThat(traffic.falseLogouts()).isZero();
      assertThat(traffic.statuses().keySet()).isSubsetOf(200, 503);
      assertThat(traffic.unavailableWithoutRetryAfter()).isZero();
    }
  }

  static Instant expiresAt(Browser browser, String base) {
    try {
      var response = browser.get(base + "/oidc/session");
      if (response.statusCode() != 200) {
        return Instant.MIN;
      }
      Object value = com.nimbusds.jose.util.JSONObjectUtils.parse(response.body()).get("expiresAt");
      return value == null ? Instant.MIN : Instant.parse((String) value);
    } catch (java.text.ParseException e) {
      throw new AssertionError(e);
    }
  }

  static int currentMaster() {
    try (Jedis sentinel = new Jedis("127.0.0.1", redis.sentinels().get(0).port)) {
      return Integer.parseInt(sentinel.sentinelGetMasterAddrByName(RedisTopology.MASTER).get(1));
    }
  }
}
