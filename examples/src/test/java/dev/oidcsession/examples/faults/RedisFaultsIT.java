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

/**
 * Redis fails under load, the real filter on Jetty in front of it: killed (SIGKILL) and restarted
 * from its append-only file on the same port and directory, or stalled with {@code CLIENT PAUSE}
 * past the client's socket timeout. Users see a {@code 503} with {@code Retry-After} while it is
 * away, never a login redirect, a {@code 401} or a {@code 500}, and the same cookies work again
 * afterwards without restarting the app.
 */
@ExpectsWarnings(value = "every test injects provider or Redis faults; the app runs the"
    + " development provider over plain http", everyTest = true)
class RedisFaultsIT {

  /** The store's connect and socket timeouts: how long a request waits for a Redis that is away. */
  static final Duration REDIS_TIMEOUT = Duration.ofMillis(500);
  /** A request may wait for a connect, a command and a pool slot: well under this. */
  static final Duration LATENCY_BOUND = Duration.ofSeconds(3);
  static final int USERS = 6;
  static final int THREADS = 12;

  // appendfsync always: what a session write acknowledged is on disk when the process dies.
  @RegisterExtension static final RedisTopology redis =
      RedisTopology.standalone("--appendonly", "yes", "--appendfsync", "always");
  static final ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  static final int port = Browser.freePort();
  static final String base = "http://127.0.0.1:" + port;
  static DevProvider provider;
  static FaultApp app;

  @BeforeAll
  static void start() throws Exception {
    provider = FaultApp.provider(base, clock).build();
    provider.start();
    RedisSessionStore store = redis.closeAfterAll(RedisSessionStore.builder(redis.config()
        .connectTimeout(REDIS_TIMEOUT).socketTimeout(REDIS_TIMEOUT).build()).clock(clock).build());
    app = FaultApp.start(port, base, provider, store, clock, SessionPolicy.defaults(), null);
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) {
      app.close();
    }
    if (provider != null) {
      provider.close();
    }
  }

  @Test
  void redisKilledUnderLoad_restartedFromAppendOnlyFile_only503WithRetryAfter_sameCookiesWorkAgain()
      throws Exception {
    List<Browser> browsers = loggedIn("crash");
    try (Traffic traffic = new Traffic(THREADS)) {
      CompletableFuture<Void> load = CompletableFuture.runAsync(() -> traffic.roundsFor(
          Duration.ofSeconds(8), 10_000, browsers, List.of(base), "/api/me"));
      await().atMost(Duration.ofSeconds(10)).until(() -> traffic.count(200) >= 100 || load.isDone());
      redis.primary().kill();
      await("503s while Redis is down").atMost(Duration.ofSeconds(10))
          .until(() -> traffic.count(503) >= 50 || load.isDone());
      int unavailable = traffic.count(503);
      redis.primary().restart();
      load.get(60, TimeUnit.SECONDS);
      // The same cookies, the same app: every user is served again once the pool reconnected.
      await("every user served after the restart").atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> everyoneServed(browsers, "crash"));
      System.out.println(traffic.figures("redis killed and restarted", 0)
          + " unavailable(503)WhileDown=" + unavailable);
      assertThat(unavailable).as("503s while down").isPositive();
      assertThat(traffic.statuses().keySet()).as("statuses").containsOnly(200, 503);
      assertThat(traffic.unavailableWithoutRetryAfter()).isZero();
      assertThat(traffic.falseLogouts()).isZero();
      assertThat(traffic.maxLatency()).isLessThan(LATENCY_BOUND);
    }
  }

  @Test
  void redisPausedLongerThanSocketTimeout_boundedLatency_nothingLost() throws Exception {
    List<Browser> browsers = loggedIn("stall");
    Duration pause = REDIS_TIMEOUT.multipliedBy(6);
    try (Traffic traffic = new Traffic(THREADS)) {
      traffic.round(browsers, List.of(base), "/api/me");
      long pausedAt;
      try (Jedis admin = redis.admin(redis.primary())) {
        admin.clientPause(pause.toMillis());
        pausedAt = System.nanoTime();
      }
      // Load through the whole pause and a little after it.
      traffic.roundsFor(pause.plusSeconds(1), 1_000, browsers, List.of(base), "/api/me");
      assertThat(System.nanoTime() - pausedAt).isGreaterThan(pause.toNanos());
      await("every user served after the pause").atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> everyoneServed(browsers, "stall"));
      System.out.println(traffic.figures("redis paused " + pause.toMillis() + " ms", 0));
      assertThat(traffic.statuses().keySet()).as("statuses").isSubsetOf(200, 503);
      assertThat(traffic.unavailableWithoutRetryAfter()).isZero();
      assertThat(traffic.falseLogouts()).isZero();
      assertThat(traffic.maxLatency()).isLessThan(LATENCY_BOUND);
    }
  }

  static List<Browser> loggedIn(String prefix) {
    List<Browser> browsers = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      Browser browser = new Browser(base);
      assertThat(DevLogin.login(browser, base, prefix + "-" + i).statusCode()).isEqualTo(200);
      browsers.add(browser);
    }
    return browsers;
  }

  /** Each browser's own session answers 200 with its own subject. */
  static boolean everyoneServed(List<Browser> browsers, String prefix) {
    for (int i = 0; i < browsers.size(); i++) {
      var response = browsers.get(i).get(base + "/api/me", "Accept", "application/json");
      if (response.statusCode() == 503) {
        return false; // still reconnecting
      }
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("subject=" + prefix + "-" + i);
    }
    return true;
  }
}
