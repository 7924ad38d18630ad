package dev.oidcsession.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.oidcsession.core.TestScheduler.Mode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * No surprise logouts and no lost renewals under faults (issue 14; numbers in the names of the
 * nested classes are those of the security review of 2026-11-30).
 */
class SessionReliabilityTest {

  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  static final Duration HOUR = Duration.ofHours(1);
  static final Duration DAY = Duration.ofDays(1);

  final ManualClock clock = new ManualClock(T0);
  final InMemorySessionStore store = new InMemorySessionStore(clock);
  final ScriptedRenewer renewer = new ScriptedRenewer(clock);
  final RecordingListener listener = new RecordingListener();
  /** Refresh tokens presented to the provider; a second use is refused. */
  final Set<TokenSecret> spent = ConcurrentHashMap.newKeySet();
  final AtomicInteger reuses = new AtomicInteger();

  SessionManager manager(SessionStore on, TestScheduler scheduler, SessionPolicy policy) {
    return SessionManager.builder().store(on).renewer(renewer).policy(policy).clock(clock)
        .random(new SplittableRandom(42)).listener(listener).executor(scheduler).build();
  }

  TokenSet tokens(String sid, Duration accessLife, Duration idLife) {
    Instant now = clock.instant();
    return TokenSet.fromTokenResponse(TestTokens.jwtAccessToken(now.plus(accessLife), 0),
        accessLife, TestTokens.idToken("alice", sid, now, now.plus(idLife)),
        TestTokens.refreshToken(), "openid", now);
  }

  /** A provider that rotates refresh tokens and answers invalid_grant to a token used twice. */
  void refuseReusedRefreshTokens() {
    renewer.behaviour = current -> {
      if (!spent.add(current.refreshToken().orElseThrow())) {
        reuses.incrementAndGet();
        throw TokenRenewalException.terminal("invalid_grant: refresh token used twice");
      }
      return renewer.fresh(current);
    };
  }

  /** Review #2. */
  @Nested
  class SidAcrossRenewals {

    @Test
    void backChannel_renewedIdTokenWithoutSid_logoutByTheLoginSidStillEndsIt() {
      SessionManager manager = manager(store, new TestScheduler(Mode.DIRECT, clock),
          SessionPolicy.defaults());
      CreatedSession created = manager.create(tokens("sid-1", HOUR, DAY));
      String cookie = created.handle().cookieValue();
      renewer.behaviour = current -> tokens(null, HOUR, DAY);
      clock.set(created.session().renewAt());
      Session renewed = manager.resolve(cookie).orElseThrow();
      assertThat(renewed.version()).isEqualTo(2);
      assertThat(renewed.tokens().idToken().sid()).isEmpty();
      assertThat(renewed.sid()).contains("sid-1");
      // Another server reads the stored session: the login's sid is in it.
      SessionManager other = manager(store, new TestScheduler(Mode.QUEUED, clock),
          SessionPolicy.defaults());
      assertThat(other.resolve(cookie).orElseThrow().sid()).contains("sid-1");

      assertThat(manager.endBySid(TestTokens.ISSUER, "sid-1")).isEqualTo(1);
      assertThat(manager.resolve(cookie)).isEmpty();
    }

    @Test
    void backChannel_renewedIdTokenWithAnotherSid_logoutByTheLoginSidStillEndsIt() {
      SessionManager manager = manager(store, new TestScheduler(Mode.DIRECT, clock),
          SessionPolicy.defaults());
      CreatedSession created = manager.create(tokens("sid-1", HOUR, DAY));
      String cookie = created.handle().cookieValue();
      renewer.behaviour = current -> tokens("sid-2", HOUR, DAY);
      clock.set(created.session().renewAt());
      assertThat(manager.resolve(cookie).orElseThrow().sid()).contains("sid-1");
      assertThat(manager.endBySid(TestTokens.ISSUER, "sid-1")).isEqualTo(1);
      assertThat(manager.resolve(cookie)).isEmpty();
    }
  }

  /** Issue 15: an entry of the retired stored format 1 is a clean logout, heard by listeners. */
  @Nested
  class RetiredStoredFormat {

    @Test
    void resolve_entryOfFormat1_endsTheSessionOnceWithStoredFormatRetired() {
      SessionManager manager = manager(store, new TestScheduler(Mode.QUEUED, clock),
          SessionPolicy.defaults());
      CreatedSession created = manager.create(tokens("sid-1", HOUR, DAY));
      StoreKey key = created.session().key();
      StoredEntry v2 = store.find(key).orElseThrow();
      assertThat(store.replace(new StoredEntry(key,
          StoredFormatV1.entry(created, v2).value(), 2, v2.expiresAt(), v2.indexKeys()), 1))
          .isTrue();
      String cookie = created.handle().cookieValue();

      assertThat(manager.resolve(cookie)).isEmpty();
      assertThat(store.find(key)).isEmpty();
      assertThat(listener.events).containsExactly("created", "ended STORED_FORMAT_RETIRED");
      assertThat(listener.ended.get(0).key()).isEqualTo(key);
      assertThat(listener.ended.get(0).session()).isEmpty();

      assertThat(manager.resolve(cookie)).isEmpty();
      assertThat(listener.events).hasSize(2);
    }

    @Test
    void logout_entryOfFormat1_endsItWithStoredFormatRetired() {
      SessionManager manager = manager(store, new TestScheduler(Mode.QUEUED, clock),
          SessionPolicy.defaults());
      CreatedSession created = manager.create(tokens("sid-1", HOUR, DAY));
      StoreKey key = created.session().key();
      StoredEntry v2 = store.find(key).orElseThrow();
      store.replace(new StoredEntry(key, StoredFormatV1.entry(created, v2).value(), 2,
          v2.expiresAt(), v2.indexKeys()), 1);

      assertThat(manager.end(created.handle().cookieValue(), EndReason.LOGGED_OUT)).isEmpty();
      assertThat(store.find(key)).isEmpty();
      assertThat(listener.events).containsExactly("created", "ended STORED_FORMAT_RETIRED");
    }

    @Test
    void resolve_unreadableEntryOfNoKnownFormat_endsSilently() {
      SessionManager manager = manager(store, new TestScheduler(Mode.QUEUED, clock),
          SessionPolicy.defaults());
      CreatedSession created = manager.create(tokens("sid-1", HOUR, DAY));
      StoreKey key = created.session().key();
      StoredEntry v2 = store.find(key).orElseThrow();
      byte[] garbage = "eyJ.not.a.jwe".getBytes(StandardCharsets.US_ASCII);
      store.replace(new StoredEntry(key, garbage, 2, v2.expiresAt(), v2.indexKeys()), 1);

      assertThat(manager.resolve(created.handle().cookieValue())).isEmpty();
      assertThat(store.find(key)).isEmpty();
      assertThat(listener.events).containsExactly("created");
    }
  }

  /** Review #5: best-effort writes never turn a readable session (or no session) into a 503. */
  @ExpectsWarnings(value = "best-effort store writes fail on purpose", everyTest = true)
  @Nested
  class BestEffortWrites {

    @Test
    void idleMark_writeFails_servesTheSessionsWithOneWarning() {
      SwitchableStore flaky = new SwitchableStore(store);
      SessionPolicy idle = SessionPolicy.builder().idleTimeout(Duration.ofMinutes(30)).build();
      SessionManager manager = manager(flaky, new TestScheduler(Mode.QUEUED, clock), idle);
      List<CreatedSession> sessions = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        sessions.add(manager.create(tokens("sid-1", HOUR, DAY)));
      }
      clock.advance(Duration.ofMinutes(3)); // a tenth of the idle timeout: a mark is due
      flaky.failWrites();
      try (LogLines logs = LogLines.engine()) {
        for (CreatedSession s : sessions) {
          assertThat(manager.resolve(s.handle().cookieValue())).contains(s.session());
        }
        assertThat(logs.at(Level.WARN)).singleElement().asString().contains("last-seen mark");
      }
      flaky.up();
      Session marked = manager.resolve(sessions.get(0).handle().cookieValue()).orElseThrow();
      assertThat(marked.lastSeenAt()).isEqualTo(clock.instant());
    }

    @Test
    void unreadableEntry_deleteFails_isNoSessionNotAnError() {
      SwitchableStore flaky = new SwitchableStore(store);
      SessionManager manager = manager(flaky, new TestScheduler(Mode.QUEUED, clock),
          SessionPolicy.defaults());
      CreatedSession created = manager.create(tokens("sid-1", HOUR, DAY));
      StoredEntry current = store.find(created.session().key()).orElseThrow();
      store.replace(new StoredEntry(current.key(), "not-a-jwe".getBytes(StandardCharsets.US_ASCII),
          2, current.expiresAt(), current.indexKeys()), 1);
      flaky.failWrites();
      assertThat(manager.resolve(created.handle().cookieValue())).isEmpty();
      flaky.up();
      assertThat(manager.resolve(created.handle().cookieValue())).isEmpty();
      assertThat(store.find(created.session().key())).isEmpty();
    }
  }

  /** Review #6, issue 14 item 6: renewed tokens waiting to be stored keep the lease. */
  @Nested
  class UnstoredTokens {

    @ExpectsWarnings("store writes fail on node A")
    @Test
    void writesFailOnNodeA_pastTheLeaseTtl_nodeBNeverReusesTheRefreshTokenAndNobodyIsLoggedOut() {
      refuseReusedRefreshTokens();
      SwitchableStore nodeAStore = new SwitchableStore(store);
      TestScheduler schedulerA = new TestScheduler(Mode.QUEUED, clock);
      TestScheduler schedulerB = new TestScheduler(Mode.QUEUED, clock);
      SessionManager nodeA = manager(nodeAStore, schedulerA, SessionPolicy.defaults());
      SessionManager nodeB = manager(store, schedulerB, SessionPolicy.defaults());
      CreatedSession created = nodeA.create(tokens("sid-1", HOUR, DAY));
      String cookie = created.handle().cookieValue();
      TokenSet[] issued = new TokenSet[1];
      renewer.behaviour = current -> {
        spent.add(current.refreshToken().orElseThrow());
        issued[0] = renewer.fresh(current);
        nodeAStore.failWrites(); // node A cannot store what the provider just rotated
        return issued[0];
      };
      clock.set(created.session().renewAt());
      assertThat(nodeA.resolve(cookie)).isPresent();
      schedulerA.runDue();
      refuseReusedRefreshTokens();
      // Node A keeps retrying its write every 500 ms, for longer than the 60 s lease.
      schedulerA.advance(SessionPolicy.DEFAULT_RENEWAL_LEASE.plusSeconds(1));

      assertThat(nodeB.resolve(cookie)).isPresent();
      schedulerB.runDue(); // node B's renewal: the lease must still be node A's
      assertThat(reuses).hasValue(0);
      assertThat(store.find(created.session().key())).isPresent();
      assertThat(listener.ended).isEmpty();

      nodeAStore.up();
      schedulerA.advance(Duration.ofSeconds(1));
      assertThat(nodeB.resolve(cookie).orElseThrow().tokens()).isEqualTo(issued[0]);
      assertThat(renewer.calls).hasValue(1);
      // Released after storing: the next renewal need not wait for the lease to run out.
      assertThat(store.tryLease(created.session().key(), Duration.ofSeconds(1))).isPresent();
    }
  }

  /**
   * Issue 14, fault case 2: the provider rotated the refresh token but its answer was lost (the
   * connection reset after the provider processed the grant); the retry presents the old token and
   * the provider answers {@code invalid_grant}.
   */
  @Nested
  @ExpectsWarnings(
      value = "transient refresh failures and a refused rotated token warn on purpose",
      everyTest = true)
  class LostRotation {

    /** Rotates and loses the answer once; from then on refuses the old token. */
    void rotateThenLoseTheAnswer() {
      renewer.behaviour = current -> {
        spent.add(current.refreshToken().orElseThrow()); // processed: the old token is spent
        renewer.behaviour = again -> {
          if (spent.contains(again.refreshToken().orElseThrow())) {
            reuses.incrementAndGet();
            throw new TokenRenewalException(TokenRenewalException.Kind.TERMINAL,
                "refresh rejected by the provider: invalid_grant", null, "invalid_grant", null);
          }
          return renewer.fresh(again);
        };
        throw TokenRenewalException.transientFailure(
            "token endpoint could not be reached: SocketException",
            new java.net.SocketException("Connection reset"));
      };
    }

    @Test
    void rotatedAnswerLost_oldTokenRefused_servedUntilExpiresAtOnEveryNode_thenEndsAsExpired() {
      TestScheduler scheduler = new TestScheduler(Mode.DIRECT, clock);
      SessionManager nodeA = manager(store, scheduler, SessionPolicy.defaults());
      SessionManager nodeB = manager(store, scheduler, SessionPolicy.defaults());
      CreatedSession created = nodeA.create(tokens("sid-1", Duration.ofMinutes(5), DAY));
      String cookie = created.handle().cookieValue();
      Instant expiresAt = created.session().expiresAt();
      rotateThenLoseTheAnswer();
      clock.set(created.session().renewAt());
      int served = 0;
      while (clock.instant().isBefore(expiresAt)) {
        assertThat(nodeA.resolve(cookie)).as("node A at %s", clock.instant()).isPresent();
        assertThat(nodeB.resolve(cookie)).as("node B at %s", clock.instant()).isPresent();
        served += 2;
        scheduler.advance(Duration.ofMillis(
            Math.min(1000, Duration.between(clock.instant(), expiresAt).toMillis())));
      }
      assertThat(served).isGreaterThan(100);
      assertThat(listener.ended).isEmpty();
      // The lost call, then one retry that met invalid_grant; that token is never presented again.
      assertThat(renewer.calls).hasValue(2);
      assertThat(reuses).hasValue(1);
      assertThat(listener.events).contains("renewalFailed TERMINAL willRetry=false");

      // Gone at expiresAt (the store's entry expires with it), never ended as rejected.
      assertThat(nodeB.resolve(cookie)).isEmpty();
      assertThat(nodeA.resolve(cookie)).isEmpty();
      assertThat(listener.ended)
          .allSatisfy(end -> assertThat(end.reason()).isEqualTo(EndReason.EXPIRED));
      assertThat(renewer.calls).hasValue(2);
    }

    @Test
    void rotationRefusedWithoutALostAnswer_invalidGrant_stillEndsTheSessionAtOnce() {
      TestScheduler scheduler = new TestScheduler(Mode.DIRECT, clock);
      SessionManager manager = manager(store, scheduler, SessionPolicy.defaults());
      CreatedSession created = manager.create(tokens("sid-1", Duration.ofMinutes(5), DAY));
      renewer.behaviour = current -> {
        throw new TokenRenewalException(TokenRenewalException.Kind.TERMINAL,
            "refresh rejected by the provider: invalid_grant", null, "invalid_grant", null);
      };
      clock.set(created.session().renewAt());
      manager.resolve(created.handle().cookieValue());
      assertThat(listener.ended).singleElement()
          .satisfies(end -> assertThat(end.reason()).isEqualTo(EndReason.RENEWAL_REJECTED));
    }

    @Test
    void lostAnswerThatNeverReachedTheProvider_invalidGrantLater_endsTheSession() {
      TestScheduler scheduler = new TestScheduler(Mode.DIRECT, clock);
      SessionManager manager = manager(store, scheduler, SessionPolicy.defaults());
      CreatedSession created = manager.create(tokens("sid-1", Duration.ofMinutes(5), DAY));
      renewer.behaviour = current -> {
        renewer.behaviour = again -> {
          throw new TokenRenewalException(TokenRenewalException.Kind.TERMINAL,
              "refresh rejected by the provider: invalid_grant", null, "invalid_grant", null);
        };
        throw TokenRenewalException.unprocessed("token endpoint could not be reached:"
            + " ConnectException", null, new java.net.ConnectException("Connection refused"));
      };
      clock.set(created.session().renewAt());
      manager.resolve(created.handle().cookieValue());
      scheduler.advance(Duration.ofSeconds(30));
      assertThat(renewer.calls).hasValue(2);
      assertThat(listener.ended).singleElement()
          .satisfies(end -> assertThat(end.reason()).isEqualTo(EndReason.RENEWAL_REJECTED));
    }
  }

  /** Issue 14 item 1: a renewal whose write no replica acknowledged survives a failover. */
  @Nested
  class UnconfirmedWrites {

    @ExpectsWarnings("a failover reverts an unacknowledged renewal")
    @Test
    void renewalUnconfirmed_failoverRevertsTheEntry_nextRequestRestoresTheRenewedTokens() {
      refuseReusedRefreshTokens();
      FailoverStore replicated = new FailoverStore(clock);
      SessionManager manager = manager(replicated, new TestScheduler(Mode.DIRECT, clock),
          SessionPolicy.defaults());
      CreatedSession created = manager.create(tokens("sid-1", HOUR, DAY));
      String cookie = created.handle().cookieValue();
      replicated.freezeReplica();
      clock.set(created.session().renewAt());
      Session renewed = manager.resolve(cookie).orElseThrow();
      assertThat(renewed.version()).isEqualTo(2);
      // A read from the primary shows the write, but does not make it durable.
      clock.advance(Duration.ofSeconds(5));
      assertThat(manager.resolve(cookie)).contains(renewed);

      replicated.failover(); // the replica never saw version 2
      clock.advance(Duration.ofSeconds(5));
      Session served = manager.resolve(cookie).orElseThrow();
      assertThat(served.tokens()).isEqualTo(renewed.tokens());
      assertThat(renewer.calls).hasValue(1);
      assertThat(reuses).hasValue(0);
      assertThat(listener.ended).isEmpty();

      // The restored tokens are stored: the next renewal presents the rotated refresh token.
      clock.set(served.renewAt());
      assertThat(manager.resolve(cookie).orElseThrow().version()).isGreaterThan(served.version());
      assertThat(renewer.calls).hasValue(2);
      assertThat(reuses).hasValue(0);
    }
  }

  /** Issue 14 item 13 (and item 9): a provider outage does not flood the log. */
  @ExpectsWarnings(value = "these tests count the warnings of provider outages", everyTest = true)
  @Nested
  class FailureWarnings {

    @Test
    void providerOutage_1000SessionsFailing_warnLinesBoundedByOnePerMinute() {
      TestScheduler scheduler = new TestScheduler(Mode.QUEUED, clock);
      SessionManager manager = manager(store, scheduler, SessionPolicy.defaults());
      renewer.behaviour = current -> {
        throw TokenRenewalException.transientFailure("HTTP 503 from the token endpoint", null);
      };
      List<String> cookies = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        cookies.add(manager.create(tokens("sid-" + i, HOUR, DAY)).handle().cookieValue());
      }
      clock.set(T0.plus(Duration.ofMinutes(17))); // every session due
      try (LogLines logs = LogLines.engine()) {
        for (String cookie : cookies) {
          assertThat(manager.resolve(cookie)).isPresent();
        }
        scheduler.runDue();
        scheduler.advance(Duration.ofMinutes(10));
        assertThat(renewer.calls.get()).isGreaterThan(5_000);
        List<String> warnings = logs.at(Level.WARN);
        assertThat(warnings).hasSizeBetween(1, 11)
            .allSatisfy(w -> assertThat(w).contains("HTTP 503 from the token endpoint"));
        assertThat(warnings.get(warnings.size() - 1)).containsPattern("\\d{3,} renewal attempt");
      }
      assertThat(listener.ended).isEmpty();
    }

    @Test
    void clientCredentialsRefused_sessionsKeptAndRetriedWithBackoff_oneLoudWarningPerMinute() {
      TestScheduler scheduler = new TestScheduler(Mode.QUEUED, clock);
      SessionManager manager = manager(store, scheduler, SessionPolicy.defaults());
      renewer.behaviour = current -> {
        throw TokenRenewalException.credentialsRefused("invalid_client (HTTP 401)", null, "invalid_client");
      };
      List<CreatedSession> sessions = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        sessions.add(manager.create(tokens("sid-" + i, HOUR, DAY)));
      }
      clock.set(T0.plus(Duration.ofMinutes(17)));
      try (LogLines logs = LogLines.engine()) {
        sessions.forEach(s -> manager.resolve(s.handle().cookieValue()));
        scheduler.runDue();
        scheduler.advance(Duration.ofMinutes(5));
        List<String> warnings = logs.at(Level.WARN);
        assertThat(warnings).hasSizeBetween(1, 6).allSatisfy(w -> assertThat(w)
            .contains("refused the client's credentials").contains("invalid_client (HTTP 401)"));
      }
      assertThat(listener.ended).isEmpty();
      assertThat(sessions).allSatisfy(s -> assertThat(store.find(s.session().key())).isPresent());
      // Backoff, not a hammering: the delays grow past the first cap.
      assertThat(scheduler.delays()).anySatisfy(
          d -> assertThat(d).isGreaterThan(Duration.ofSeconds(30)));
    }
  }

  /** Review #21: no renewal that cannot extend the session. */
  @Nested
  class HardCaps {

    /** (expiresAt before, expiresAt after) of every renewal. */
    final List<Instant[]> moves = new CopyOnWriteArrayList<>();

    SessionManager recording(SessionPolicy policy) {
      return SessionManager.builder().store(store).renewer(renewer).policy(policy).clock(clock)
          .random(new SplittableRandom(42)).executor(new TestScheduler(Mode.DIRECT, clock))
          .listener(new SessionListener() {
            @Override
            public void renewed(Session previous, Session renewed) {
              moves.add(new Instant[] {previous.expiresAt(), renewed.expiresAt()});
            }
          }).build();
    }

    /** Requests at every renewAt until the session ends; returns how many were served. */
    int liveThrough(SessionManager manager, String cookie) {
      for (int served = 0; served < 200; served++) {
        Optional<Session> s = manager.resolve(cookie);
        if (s.isEmpty()) {
          return served;
        }
        clock.set(s.get().renewAt());
        if (s.get().renewAt().equals(s.get().expiresAt())) {
          clock.set(s.get().expiresAt());
        }
      }
      throw new AssertionError("session still renewing after 200 requests");
    }

    @Test
    void renewal_nearMaxLifetime_everyProviderCallExtendsTheSession() {
      SessionManager manager = recording(SessionPolicy.builder().maxLifetime(Duration.ofHours(2))
          .build());
      CreatedSession created = manager.create(tokens("sid-1", HOUR, DAY));
      liveThrough(manager, created.handle().cookieValue());
      assertThat(clock.instant()).isEqualTo(T0.plus(Duration.ofHours(2)));
      assertThat(moves).isNotEmpty().allSatisfy(m -> assertThat(m[1]).isAfter(m[0]));
      assertThat(renewer.calls).hasValue(moves.size());
    }

    @Test
    void renewal_idTokenNotReplacedByRefresh_everyProviderCallExtendsTheSession() {
      SessionManager manager = recording(SessionPolicy.defaults());
      CreatedSession created = manager.create(tokens("sid-1", HOUR, Duration.ofMinutes(90)));
      renewer.behaviour = current -> {
        TokenSet fresh = renewer.fresh(current);
        return new TokenSet(fresh.accessToken(), fresh.accessTokenExpiresAt(), current.idToken(),
            fresh.refreshToken(), fresh.scope());
      };
      liveThrough(manager, created.handle().cookieValue());
      assertThat(clock.instant()).isEqualTo(T0.plus(Duration.ofMinutes(90)));
      assertThat(moves).isNotEmpty().allSatisfy(m -> assertThat(m[1]).isAfter(m[0]));
      assertThat(renewer.calls).hasValue(moves.size());
    }

    @Test
    void renewAt_maxLifetimeOneTickBeforeTheAccessToken_noRenewalScheduled() {
      Session s = recording(SessionPolicy.builder().maxLifetime(HOUR.minusMillis(1)).build())
          .create(tokens("sid-1", HOUR, DAY)).session();
      assertThat(s.expiresAt()).isEqualTo(T0.plus(HOUR).minusMillis(1));
      assertThat(s.renewAt()).isEqualTo(s.expiresAt());
    }

    @Test
    void renewAt_maxLifetimeExactlyTheAccessToken_noRenewalScheduled() {
      Session s = recording(SessionPolicy.builder().maxLifetime(HOUR).build())
          .create(tokens("sid-1", HOUR, DAY)).session();
      assertThat(s.expiresAt()).isEqualTo(T0.plus(HOUR));
      assertThat(s.renewAt()).isEqualTo(s.expiresAt());
    }

    @Test
    void renewAt_maxLifetimeOneTickAfterTheAccessToken_renewsAsUsual() {
      Session s = recording(SessionPolicy.builder().maxLifetime(HOUR.plusMillis(1)).build())
          .create(tokens("sid-1", HOUR, DAY)).session();
      assertThat(s.expiresAt()).isEqualTo(T0.plus(HOUR));
      assertThat(s.renewAt()).isBefore(T0.plus(Duration.ofMinutes(17)));
    }
  }

  /** Review #13, issue 14 item 10: the lease outlives the renewer's longest call. */
  @Nested
  class LeaseAndCallTime {

    TokenRenewer declaring(Duration max) {
      return new TokenRenewer() {
        @Override
        public TokenSet renew(TokenSet current) throws TokenRenewalException {
          return renewer.renew(current);
        }

        @Override
        public Optional<Duration> maxCallDuration() {
          return Optional.of(max);
        }
      };
    }

    SessionManager.Builder builder(Duration maxCall) {
      return SessionManager.builder().renewer(declaring(maxCall)).clock(clock)
          .executor(new TestScheduler(Mode.QUEUED, clock));
    }

    @Test
    void build_renewersMaxCallOneTickShorterThanTheLease_isAccepted() {
      assertThat(builder(SessionPolicy.DEFAULT_RENEWAL_LEASE.minusMillis(1)).build()).isNotNull();
    }

    @Test
    void build_renewersMaxCallEqualToTheLease_isRejected() {
      assertThatThrownBy(() -> builder(SessionPolicy.DEFAULT_RENEWAL_LEASE).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("renewalLease must be longer than the renewer's maxCallDuration (PT1M),"
              + " but was PT1M");
    }

    @Test
    void build_renewersMaxCallOneTickLongerThanTheLease_isRejected() {
      assertThatThrownBy(() -> builder(SessionPolicy.DEFAULT_RENEWAL_LEASE.plusMillis(1)).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("renewalLease must be longer than the renewer's maxCallDuration"
              + " (PT1M0.001S), but was PT1M");
    }
  }
}
