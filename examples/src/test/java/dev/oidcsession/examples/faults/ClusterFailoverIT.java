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
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import dev.oidcsession.redis.RedisProcesses;

/**
 * Two app nodes on a Redis Cluster of three primaries, each with a replica: under concurrent load
 * the primary holding the most session keys is killed (SIGKILL) and the Cluster promotes its
 * replica by itself. Every session survives; afterwards every session renews (no rotated-out
 * token presented) and a back-channel logout still ends its user's session on both nodes.
 */
@ExpectsWarnings(value = "every test injects provider or Redis faults; the app runs the"
    + " development provider over plain http", everyTest = true)
class ClusterFailoverIT {

  static final Duration ACCESS_TOKEN_LIFETIME = Duration.ofSeconds(30);
  static final int USERS = 6;
  static final int THREADS = 8;

  @RegisterExtension static final RedisTopology redis = RedisTopology.cluster();
  static final ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  static final int portA = Browser.freePort();
  static final int portB = Browser.freePort();
  static final String baseA = "http://127.0.0.1:" + portA;
  static final String baseB = "http://127.0.0.1:" + portB;
  static final Map<RedisProcesses.Node, RedisProcesses.Node> replicas = new HashMap<>();
  static DevProvider provider;
  static FaultApp nodeA;
  static FaultApp nodeB;

  @BeforeAll
  static void start() throws Exception {
    for (RedisProcesses.Node primary : redis.clusterNodes()) {
      replicas.put(primary, redis.addClusterReplica(primary));
    }
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
  void primaryKilledUnderLoad_replicaPromoted_sessionsSurvive_renewalsAndBackChannelLogoutWork()
      throws Exception {
    clock.set(Instant.now().minusSeconds(20).truncatedTo(ChronoUnit.SECONDS));
    List<Browser> browsers = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      Browser browser = new Browser(baseA);
      assertThat(DevLogin.login(browser, baseA, "cluster-" + i).statusCode()).isEqualTo(200);
      browsers.add(browser);
    }
    List<String> bases = List.of(baseA, baseB);
    Instant expiresAt = SentinelFailoverIT.expiresAt(browsers.get(0), baseA);
    RedisProcesses.Node victim = redis.clusterNodes().stream()
        .max(Comparator.comparingLong(n -> {
          try (Jedis admin = redis.admin(n)) {
            return admin.dbSize();
          }
        })).orElseThrow();
    long keysOnVictim;
    try (Jedis admin = redis.admin(victim)) {
      keysOnVictim = admin.dbSize();
    }
    assertThat(keysOnVictim).isPositive();
    RedisProcesses.Node promoted = replicas.get(victim);
    provider.resetCounts();
    try (Traffic traffic = new Traffic(THREADS)) {
      CompletableFuture<Void> load = CompletableFuture.runAsync(() -> traffic.roundsFor(
          Duration.ofSeconds(3), 10_000, browsers, bases, "/api/me"));
      long killedAt = System.nanoTime();
      victim.kill();
      awaitPromotion(victim, promoted);
      long promotionMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
      load.get(60, TimeUnit.SECONDS);
      for (String base : bases) {
        await("every session served on " + base).atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> everyoneServed(browsers, base));
      }

      // A renewal of every session, due on both nodes, then a back-channel logout.
      clock.set(expiresAt.minusSeconds(4));
      await("every session renewed").atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> {
            traffic.round(browsers, bases, "/api/me");
            return provider.refreshGrants() >= USERS;
          });
      for (Browser browser : browsers) {
        await("renewed").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
            .until(() -> SentinelFailoverIT.expiresAt(browser, baseB).isAfter(expiresAt));
      }
      System.out.println(traffic.figures("cluster primary killed, replica promoted",
          provider.refreshGrants()) + " keysOnKilledPrimary=" + keysOnVictim
          + " promotionMs=" + promotionMs
          + " rejectedRefreshGrants=" + provider.rejectedRefreshGrants());
      assertThat(provider.rejectedRefreshGrants()).isZero();
      assertThat(traffic.falseLogouts()).isZero();
      assertThat(traffic.statuses().keySet()).isSubsetOf(200, 503);
      assertThat(traffic.unavailableWithoutRetryAfter()).isZero();
    }
    assertThat(provider.logOut("cluster-0")).isEqualTo(1);
    await("back-channel logout delivered").atMost(Duration.ofSeconds(10))
        .until(() -> provider.backChannelDeliveries() >= 1);
    for (String base : bases) {
      assertThat(browsers.get(0).get(base + "/api/me", "Accept", "application/json").statusCode())
          .isEqualTo(401);
      assertThat(browsers.get(1).get(base + "/api/me", "Accept", "application/json").statusCode())
          .isEqualTo(200);
    }
  }

  /**
   * Waits for the Cluster to promote {@code promoted}; if it does not, the failure carries what
   * each surviving node sees and its log, so a slow election can be told from a broken one.
   */
  static void awaitPromotion(RedisProcesses.Node victim, RedisProcesses.Node promoted) {
    try {
      await("the replica is promoted").atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .ignoreException(JedisConnectionException.class)
          .until(() -> {
            try (Jedis admin = redis.admin(promoted)) {
              return admin.info("replication").contains("role:master");
            }
          });
    } catch (ConditionTimeoutException e) {
      StringBuilder state = new StringBuilder("killed " + victim.port + ", expected "
          + promoted.port + " to be promoted\n");
      List<RedisProcesses.Node> nodes = new ArrayList<>(redis.clusterNodes());
      nodes.addAll(replicas.values());
      for (RedisProcesses.Node node : nodes) {
        if (node == victim) {
          continue;
        }
        state.append("--- ").append(node.port).append(" CLUSTER NODES:\n");
        try (Jedis admin = redis.admin(node)) {
          state.append(admin.clusterNodes());
        } catch (RuntimeException unreachable) {
          state.append(unreachable).append('\n');
        }
        state.append("--- ").append(node.port).append(" log:\n").append(node.logTail(3000));
      }
      throw new AssertionError(state.toString(), e);
    }
  }

  static boolean everyoneServed(List<Browser> browsers, String base) {
    for (int i = 0; i < browsers.size(); i++) {
      var response = browsers.get(i).get(base + "/api/me", "Accept", "application/json");
      if (response.statusCode() == 503) {
        return false; // the client still finds its way to the promoted replica
      }
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("subject=cluster-" + i);
    }
    return true;
  }
}
