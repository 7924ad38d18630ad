package dev.oidcsession.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oidcsession.core.CreatedSession;
import dev.oidcsession.core.EndReason;
import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.InMemorySessionStore;
import dev.oidcsession.core.ManualClock;
import dev.oidcsession.core.SessionManager;
import dev.oidcsession.core.SessionPolicy;
import dev.oidcsession.core.SessionStore;
import dev.oidcsession.core.TestScheduler;
import dev.oidcsession.core.TestTokens;
import dev.oidcsession.core.TokenRenewalException;
import dev.oidcsession.core.TokenRenewer;
import dev.oidcsession.core.TokenSet;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link SessionMetrics} on a real {@link SessionManager}, a manual clock and a scheduler. */
class SessionMetricsTest {

  private static final Logger log = LoggerFactory.getLogger(SessionMetricsTest.class);
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  static final Duration HOUR = Duration.ofHours(1);
  static final Duration DAY = Duration.ofDays(1);

  final ManualClock clock = new ManualClock(T0);
  final TestScheduler scheduler = new TestScheduler(TestScheduler.Mode.QUEUED, clock);
  final InMemorySessionStore store = new InMemorySessionStore(clock);
  final MockClock meterClock = new MockClock();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final SessionMetrics metrics = SessionMetrics.builder().store(store).clock(meterClock).build();

  /** What the renewer does next; by default fresh tokens after 120 ms at the provider. */
  volatile TokenRenewer provider = current -> {
    meterClock.add(120, TimeUnit.MILLISECONDS);
    return TestTokens.tokens(current.subject(), clock.instant(), HOUR, DAY);
  };

  SessionManager manager() {
    metrics.bindTo(registry);
    return SessionManager.builder()
        .store(store)
        .renewer(metrics.timed(current -> provider.renew(current)))
        .policy(SessionPolicy.defaults())
        .clock(clock)
        .random(new SplittableRandom(7))
        .listener(metrics)
        .executor(scheduler)
        .build();
  }

  CreatedSession login(SessionManager manager, String subject) {
    return manager.create(TestTokens.tokens(subject, clock.instant(), HOUR, DAY));
  }

  double counter(String name, String... tags) {
    return registry.get(name).tags(tags).counter().count();
  }

  double active() {
    return registry.get(SessionMetrics.ACTIVE).gauge().value();
  }

  void renew(SessionManager manager, CreatedSession created) {
    clock.set(created.session().renewAt());
    manager.resolve(created.handle().cookieValue());
    scheduler.runDue();
  }

  @Test
  void bindTo_registersEveryMeterAtZero() {
    manager();
    assertThat(counter(SessionMetrics.CREATED)).isZero();
    for (EndReason reason : EndReason.values()) {
      assertThat(counter(SessionMetrics.ENDED, "reason", SessionMetrics.tagValue(reason))).isZero();
    }
    for (String outcome : new String[] {"success", "transient_failure", "rejected"}) {
      assertThat(counter(SessionMetrics.RENEWALS, "outcome", outcome)).isZero();
      assertThat(registry.get(SessionMetrics.RENEWAL).tags("outcome", outcome).timer().count())
          .isZero();
    }
    assertThat(active()).isZero();
    assertThat(registry.find(SessionMetrics.ENDED).counters()).hasSize(EndReason.values().length);
    assertThat(SessionMetrics.tagValue(EndReason.BACKCHANNEL_LOGOUT)).isEqualTo("backchannel_logout");
  }

  @Test
  void created_countsLoginsAndTheActiveGaugeFollowsTheStore() {
    SessionManager manager = manager();
    CreatedSession alice = login(manager, "alice");
    login(manager, "bob");
    assertThat(counter(SessionMetrics.CREATED)).isEqualTo(2);
    assertThat(active()).isEqualTo(2);
    manager.end(alice.handle().cookieValue(), EndReason.LOGGED_OUT);
    assertThat(active()).isEqualTo(1);
  }

  @Test
  void ended_isTaggedWithTheReason() {
    SessionManager manager = manager();
    CreatedSession alice = login(manager, "alice");
    login(manager, "bob");
    CreatedSession carol = manager.create(
        TestTokens.tokensWithoutRefresh("carol", clock.instant(), HOUR, DAY));
    manager.end(alice.handle().cookieValue(), EndReason.LOGGED_OUT);
    assertThat(manager.endBySid(TestTokens.ISSUER, "sid-bob")).isEqualTo(1);
    clock.set(carol.session().expiresAt());
    assertThat(manager.resolve(carol.handle().cookieValue())).isEmpty();

    assertThat(counter(SessionMetrics.ENDED, "reason", "logged_out")).isEqualTo(1);
    assertThat(counter(SessionMetrics.ENDED, "reason", "backchannel_logout")).isEqualTo(1);
    // The in-memory store drops an entry at expiresAt: the session ends silently, as
    // SessionListener documents, so "expired" counts only what a request saw expire.
    assertThat(counter(SessionMetrics.ENDED, "reason", "expired")).isZero();
    assertThat(counter(SessionMetrics.ENDED, "reason", "idle")).isZero();
    assertThat(counter(SessionMetrics.ENDED, "reason", "renewal_rejected")).isZero();
  }

  @Test
  void renewal_success_countsAndTimesIt() {
    SessionManager manager = manager();
    CreatedSession alice = login(manager, "alice");
    renew(manager, alice);

    assertThat(counter(SessionMetrics.RENEWALS, "outcome", "success")).isEqualTo(1);
    Timer timer = registry.get(SessionMetrics.RENEWAL).tags("outcome", "success").timer();
    assertThat(timer.count()).isEqualTo(1);
    assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(120.0);
  }

  @ExpectsWarnings("the provider fails transiently, then rejects the refresh token")
  @Test
  void renewal_transientThenRejected_countsEachOutcome() {
    SessionManager manager = manager();
    CreatedSession alice = login(manager, "alice");
    provider = current -> {
      meterClock.add(30, TimeUnit.SECONDS);
      throw TokenRenewalException.transientFailure("provider 503", null);
    };
    renew(manager, alice);
    assertThat(counter(SessionMetrics.RENEWALS, "outcome", "transient_failure")).isEqualTo(1);
    assertThat(registry.get(SessionMetrics.RENEWAL).tags("outcome", "transient_failure").timer()
        .totalTime(TimeUnit.SECONDS)).isEqualTo(30.0);

    provider = current -> {
      throw TokenRenewalException.terminal("invalid_grant");
    };
    scheduler.advanceToNext();
    assertThat(counter(SessionMetrics.RENEWALS, "outcome", "rejected")).isEqualTo(1);
    assertThat(registry.get(SessionMetrics.RENEWAL).tags("outcome", "rejected").timer().count())
        .isEqualTo(1);
    assertThat(counter(SessionMetrics.ENDED, "reason", "renewal_rejected")).isEqualTo(1);
    assertThat(active()).isZero();
  }

  @Test
  void tags_neverHoldASubjectSidIssuerOrKey() {
    SessionManager manager = manager();
    CreatedSession alice = login(manager, "alice");
    renew(manager, alice);
    manager.endBySubject(TestTokens.ISSUER, "alice");

    Set<String> tagKeys = registry.getMeters().stream()
        .flatMap(m -> m.getId().getTags().stream()).map(Tag::getKey).collect(Collectors.toSet());
    assertThat(tagKeys).containsExactlyInAnyOrder("reason", "outcome");
    String scrape = registry.getMetersAsString();
    assertThat(scrape).doesNotContain("alice", "sid-", TestTokens.ISSUER, "secret",
        alice.session().key().value(), alice.session().key().fingerprint());
  }

  @Test
  void store_withoutACheapCount_getsNoActiveGauge() {
    SessionStore opaque = opaque(store);
    SessionMetrics noGauge = SessionMetrics.builder().store(opaque).build();
    noGauge.bindTo(registry);
    assertThat(registry.find(SessionMetrics.ACTIVE).meter()).isNull();
    assertThat(registry.find(SessionMetrics.CREATED).counter()).isNotNull();
  }

  @Test
  void builder_settingGivenTwice_isIllegalState() {
    assertThatThrownBy(() -> SessionMetrics.builder().store(store).store(store))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("store was already set to " + store);
    assertThatThrownBy(() -> SessionMetrics.builder().clock(meterClock).clock(meterClock))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("clock was already set to " + meterClock);
  }

  @Test
  void timed_returnsWhatTheRenewerReturnsAndRethrowsWhatItThrows() throws Exception {
    metrics.bindTo(registry);
    TokenSet tokens = TestTokens.tokens("alice", T0, HOUR, DAY);
    assertThat(metrics.timed(current -> tokens).renew(tokens)).isSameAs(tokens);
    TokenRenewalException refused = TokenRenewalException.terminal("invalid_grant");
    assertThatThrownBy(() -> metrics.timed(current -> {
      throw refused;
    }).renew(tokens)).isSameAs(refused);
    IllegalStateException bug = new IllegalStateException("renewer bug");
    assertThatThrownBy(() -> metrics.timed(current -> {
      throw bug;
    }).renew(tokens)).isSameAs(bug);
    assertThat(registry.get(SessionMetrics.RENEWAL).tags("outcome", "transient_failure").timer()
        .count()).isEqualTo(1);
  }

  /** Prints the meters after a day's sample of traffic: the report's sample output. */
  @Test
  void scrape_afterSampleTraffic_printsTheMeters() {
    SessionManager manager = manager();
    CreatedSession alice = login(manager, "alice");
    CreatedSession bob = login(manager, "bob");
    login(manager, "carol");
    renew(manager, alice);
    manager.end(bob.handle().cookieValue(), EndReason.LOGGED_OUT);

    String scrape = registry.getMetersAsString();
    log.info("registry after 3 logins, 1 renewal, 1 logout:\n{}", scrape);
    assertThat(registry.getMeters()).extracting(Meter::getId)
        .extracting(id -> id.getName()).contains(SessionMetrics.CREATED, SessionMetrics.ACTIVE);
    assertThat(scrape).contains("oidc.session.created(COUNTER)[]; count=3.0")
        .contains("oidc.session.active(GAUGE)[]; value=2.0");
  }

  /** A real token endpoint on loopback (the JDK's HTTP server) answering each POST in turn. */
  @Test
  void httpInterceptor_timesRefreshGrantsOnly_byOutcome() throws Exception {
    metrics.bindTo(registry);
    int[] codes = {200, 400, 503};
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/token", exchange -> {
      exchange.getRequestBody().readAllBytes();
      meterClock.add(50, TimeUnit.MILLISECONDS);
      int code = exchange.getRequestURI().getQuery() != null ? 200 : codes[next.getAndIncrement()];
      exchange.sendResponseHeaders(code, -1);
      exchange.close();
    });
    server.start();
    try {
      okhttp3.OkHttpClient client =
          new okhttp3.OkHttpClient.Builder().addInterceptor(metrics.httpInterceptor()).build();
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
      okhttp3.RequestBody refresh = new okhttp3.FormBody.Builder()
          .add("grant_type", "refresh_token").add("refresh_token", "rt-secret-1").build();
      for (int i = 0; i < 3; i++) {
        client.newCall(new okhttp3.Request.Builder().url(url).post(refresh).build()).execute()
            .close();
      }
      okhttp3.RequestBody code = new okhttp3.FormBody.Builder()
          .add("grant_type", "authorization_code").add("code", "c").build();
      client.newCall(new okhttp3.Request.Builder().url(url + "?other").post(code).build())
          .execute().close();
    } finally {
      server.stop(0);
    }
    for (String outcome : new String[] {"success", "rejected", "transient_failure"}) {
      Timer timer = registry.get(SessionMetrics.RENEWAL).tags("outcome", outcome).timer();
      assertThat(timer.count()).as(outcome).isEqualTo(1);
      assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).as(outcome).isEqualTo(50.0);
    }
  }

  /** A store that hides its type, as a Redis store would: no constant-time count. */
  private SessionStore opaque(SessionStore delegate) {
    return (SessionStore) java.lang.reflect.Proxy.newProxyInstance(
        SessionStore.class.getClassLoader(), new Class<?>[] {SessionStore.class},
        (proxy, method, args) -> method.invoke(delegate, args));
  }
}
