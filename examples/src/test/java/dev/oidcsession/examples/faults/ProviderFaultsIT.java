package dev.oidcsession.examples.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.ManualClock;
import dev.oidcsession.core.SessionPolicy;
import dev.oidcsession.examples.DevLogin;
import dev.oidcsession.examples.faults.FaultProxy.Fault;
import dev.oidcsession.examples.provider.DevProvider;
import dev.oidcsession.redis.RedisSessionStore;
import dev.oidcsession.redis.RedisTopology;
import dev.oidcsession.servlet.Browser;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The provider fails refresh grants (503, 429 with {@code Retry-After}, a reset connection, no
 * answer at all) through two renewal windows of a session, while a user keeps clicking: the real
 * filter on Jetty, a real Redis, the development provider behind a {@link FaultProxy}. Time of
 * sessions and tokens is a {@link ManualClock} moved through each window; backoff and timeouts run
 * in real time (they are scheduler delays and socket timeouts).
 */
@ExpectsWarnings(value = "every test injects provider or Redis faults; the app runs the"
    + " development provider over plain http", everyTest = true)
class ProviderFaultsIT {

  /** Access tokens live 30 s: with a 10 s lead a renewal is due after 20 s, waited for after 25 s. */
  static final Duration ACCESS_TOKEN_LIFETIME = Duration.ofSeconds(30);
  static final Duration MIN_TOKEN_TTL = Duration.ofSeconds(5);
  static final Duration RETRY_MAX = Duration.ofSeconds(1);
  static final int RETRY_AFTER_SECONDS = 1;
  static final int THREADS = 8;

  @RegisterExtension static final RedisTopology redis = RedisTopology.standalone();
  static final ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  static final int port = Browser.freePort();
  static final String base = "http://127.0.0.1:" + port;
  static DevProvider provider;
  static FaultProxy proxy;
  static FaultApp app;

  @BeforeAll
  static void start() throws Exception {
    provider = FaultApp.provider(base, clock).accessTokenLifetime(ACCESS_TOKEN_LIFETIME).build();
    provider.start();
    proxy = new FaultProxy();
    proxy.retryAfterSeconds(RETRY_AFTER_SECONDS);
    RedisSessionStore store = redis.closeAfterAll(RedisSessionStore.builder(redis.config().build())
        .clock(clock).build());
    SessionPolicy policy = SessionPolicy.builder()
        .renewalLead(Duration.ofSeconds(10))
        .minTokenTtl(MIN_TOKEN_TTL)
        .renewalRetryInitialDelay(Duration.ofMillis(200))
        .renewalRetryMaxDelay(RETRY_MAX)
        .renewalWaitTimeout(Duration.ofSeconds(3))
        .build();
    app = FaultApp.start(port, base, provider, store, clock, policy, proxy.proxy());
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) {
      app.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (provider != null) {
      provider.close();
    }
  }

  @ParameterizedTest
  @EnumSource(value = Fault.class, names = {"UNAVAILABLE_503", "TOO_MANY_429", "RESET", "HANG"})
  void providerFault_twoRenewalWindows_everyRequestServed_attemptsBounded_renewsAfterRecovery(
      Fault fault) {
    // ID-token time checks run on the wall clock: each case starts its session near it.
    clock.set(Instant.now().minusSeconds(20).truncatedTo(ChronoUnit.SECONDS));
    Browser browser = new Browser(base);
    assertThat(DevLogin.login(browser, base, "user-" + fault).statusCode()).isEqualTo(200);
    int attempts = 0;
    long slowestRecoveryMs = 0;
    try (Traffic traffic = new Traffic(THREADS)) {
      for (int window = 1; window <= 2; window++) {
        Map<String, Object> session = session(browser);
        Instant expiresAt = Instant.parse((String) session.get("expiresAt"));
        Instant renewAt = Instant.parse((String) session.get("renewAt"));
        proxy.fault(fault);
        proxy.resetCounts();
        long faultStart = System.nanoTime();
        // Renewal due (served in the background), then the token too short to serve without
        // waiting for the renewal, then the last second a retry fits in: all served.
        for (Instant t : List.of(renewAt.plusSeconds(1),
            expiresAt.minus(MIN_TOKEN_TTL).plusSeconds(1), expiresAt.minusSeconds(3))) {
          clock.set(t);
          traffic.roundsFor(Duration.ofSeconds(1), 200, List.of(browser), List.of(base), "/api/me");
        }
        double faultSeconds = (System.nanoTime() - faultStart) / 1e9;
        int windowAttempts = proxy.refreshRequests();
        List<Long> times = proxy.refreshTimes();
        attempts += windowAttempts;
        assertThat(windowAttempts).as("refresh attempts while the provider fails").isPositive();
        // Backoff with full jitter under a 1 s cap averages one attempt per 0.5 s; four times that
        // rate still catches a retry per request (hundreds here).
        assertThat(windowAttempts).as("attempts in %.1f s", faultSeconds)
            .isLessThanOrEqualTo(5 + (int) (4 * faultSeconds / (RETRY_MAX.toMillis() / 1000.0)));
        if (fault == Fault.TOO_MANY_429) {
          for (int i = 1; i < times.size(); i++) {
            // Retry-After is a floor; the last retry may be clamped to fit before expiresAt.
            assertThat(Duration.ofNanos(times.get(i) - times.get(i - 1)))
                .as("gap before attempt %d", i)
                .isGreaterThanOrEqualTo(Duration.ofSeconds(RETRY_AFTER_SECONDS).minusMillis(100));
          }
        }
        int grantsBefore = provider.refreshGrants();
        proxy.fault(Fault.NONE);
        long recovered = System.nanoTime();
        await("renewal after the provider recovered").atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> provider.refreshGrants() > grantsBefore);
        slowestRecoveryMs = Math.max(slowestRecoveryMs, (System.nanoTime() - recovered) / 1_000_000);
        attempts += 1;
        Instant renewedExpiry = Instant.parse((String) session(browser).get("expiresAt"));
        assertThat(renewedExpiry).as("window %d renewed", window).isAfter(expiresAt);
        assertThat(provider.rejectedRefreshGrants()).isZero();
      }
      System.out.println(traffic.figures("provider " + fault, attempts)
          + " renewedAfterRecoveryMs(max)=" + slowestRecoveryMs);
      assertThat(traffic.falseLogouts()).as("false logouts").isZero();
      assertThat(traffic.count(200)).as("served").isEqualTo(traffic.requests());
      assertThat(slowestRecoveryMs).isLessThan(
          RETRY_MAX.plus(FaultApp.CALL_TIMEOUT).plusSeconds(2).toMillis());
    }
  }

  /**
   * Issue 14 fault case 2: the provider processes a refresh grant (rotating the refresh token) but
   * the connection is reset before its answer arrives; the retry presents the old token and the
   * provider answers {@code invalid_grant}. The session must be served until its {@code expiresAt}
   * (then it ends as expired), with no further refresh attempt.
   */
  @org.junit.jupiter.api.Test
  void rotationAnswerLost_oldTokenRefused_everyRequestServedUntilExpiresAt_noFurtherAttempts() {
    clock.set(Instant.now().minusSeconds(20).truncatedTo(ChronoUnit.SECONDS));
    Browser browser = new Browser(base);
    assertThat(DevLogin.login(browser, base, "user-lost-rotation").statusCode()).isEqualTo(200);
    Map<String, Object> session = session(browser);
    Instant expiresAt = Instant.parse((String) session.get("expiresAt"));
    Instant renewAt = Instant.parse((String) session.get("renewAt"));
    proxy.fault(Fault.NONE);
    proxy.resetCounts();
    provider.resetCounts();
    proxy.faultNext(Fault.FORWARD_THEN_RESET);
    try (Traffic traffic = new Traffic(THREADS)) {
      for (Instant t : List.of(renewAt.plusSeconds(1), renewAt.plusSeconds(3),
          expiresAt.minus(MIN_TOKEN_TTL).plusSeconds(1), expiresAt.minusSeconds(3),
          expiresAt.minusMillis(1))) {
        clock.set(t);
        traffic.roundsFor(Duration.ofSeconds(1), 200, List.of(browser), List.of(base), "/api/me");
      }
      int attempts = proxy.refreshRequests();
      System.out.println(traffic.figures("provider rotates, answer lost (case 2)", attempts)
          + " rejectedRefreshGrants=" + provider.rejectedRefreshGrants()
          + " forwardedRefreshes=" + proxy.forwardedRefreshes());
      assertThat(traffic.falseLogouts()).as("false logouts before expiresAt").isZero();
      assertThat(traffic.count(200)).as("served").isEqualTo(traffic.requests());
      // The lost call (processed: the provider rotated), one retry with the old token refused,
      // then none: the refused token is never presented again.
      assertThat(attempts).as("refresh attempts").isEqualTo(2);
      assertThat(proxy.forwardedRefreshes()).isEqualTo(2);
      assertThat(provider.rejectedRefreshGrants()).isEqualTo(1);
      assertThat(Instant.parse((String) session(browser).get("renewAt"))).isEqualTo(expiresAt);
    }
    clock.set(expiresAt);
    assertThat(browser.get(base + "/api/me", "Accept", "application/json").statusCode())
        .as("ended at expiresAt, as expired").isEqualTo(401);
    assertThat(proxy.refreshRequests()).isEqualTo(2);
    provider.resetCounts(); // the other cases count refused grants from zero
  }

  static Map<String, Object> session(Browser browser) {
    try {
      return JSONObjectUtils.parse(browser.get(base + "/oidc/session").body());
    } catch (java.text.ParseException e) {
      throw new AssertionError(e);
    }
  }
}
