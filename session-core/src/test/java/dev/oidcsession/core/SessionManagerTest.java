package dev.oidcsession.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.oidcsession.core.TestScheduler.Mode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SessionManagerTest {

  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  static final Duration HOUR = Duration.ofHours(1);
  static final Duration DAY = Duration.ofDays(1);

  final ManualClock clock = new ManualClock(T0);
  final InMemorySessionStore store = new InMemorySessionStore(clock);
  final ScriptedRenewer renewer = new ScriptedRenewer(clock);
  final RecordingListener listener = new RecordingListener();

  SessionManager manager(Mode mode, SessionPolicy policy) {
    return manager(new TestScheduler(mode, clock), policy);
  }

  SessionManager manager(TestScheduler scheduler, SessionPolicy policy) {
    return SessionManager.builder()
        .store(store)
        .renewer(renewer)
        .policy(policy)
        .clock(clock)
        .random(new SplittableRandom(42))
        .listener(listener)
        .executor(scheduler)
        .build();
  }

  /** A session with access token 1 h and ID token 1 day: expires T0+1h, renews near T0+15min. */
  CreatedSession login(SessionManager manager) {
    return manager.create(TestTokens.tokens("alice", clock.instant(), HOUR, DAY));
  }

  @Nested
  class CreateAndResolve {

    final SessionManager manager = manager(Mode.QUEUED, SessionPolicy.defaults());

    @Test
    void create_thenResolve_returnsTheSession() {
      CreatedSession created = login(manager);
      Optional<Session> resolved = manager.resolve(created.handle().cookieValue());
      assertThat(resolved).contains(created.session());
      assertThat(created.session().expiresAt()).isEqualTo(T0.plus(HOUR));
      assertThat(created.session().renewAt())
          .isBetween(T0.plus(Duration.ofMinutes(13).plusSeconds(30)), T0.plus(Duration.ofMinutes(16).plusSeconds(30)));
      assertThat(listener.events).containsExactly("created");
    }

    @Test
    void create_expiredTokens_isRejected() {
      TokenSet old = TestTokens.tokens("alice", T0.minus(DAY), HOUR, HOUR);
      assertThatThrownBy(() -> manager.create(old))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("tokens must not be expired");
    }

    @Test
    void resolve_malformedOrUnknownCookie_isNoSession() {
      for (String bad :
          new String[] {null, "", "x", "a".repeat(42), "a".repeat(44), "!".repeat(43), "A".repeat(42) + "B"}) {
        assertThat(manager.resolve(bad)).as("cookie %s", bad).isEmpty();
      }
      assertThat(manager.resolve("A".repeat(43))).isEmpty();
    }

    @Test
    void resolve_boundaryTriple_expiresAt() {
      CreatedSession created = manager.create(
          TestTokens.tokensWithoutRefresh("alice", T0, HOUR, DAY));
      String cookie = created.handle().cookieValue();
      clock.set(T0.plus(HOUR).minusMillis(1));
      assertThat(manager.resolve(cookie)).isPresent();
      clock.set(T0.plus(HOUR));
      assertThat(manager.resolve(cookie)).isEmpty();
      clock.set(T0.plus(HOUR).plusMillis(1));
      assertThat(manager.resolve(cookie)).isEmpty();
    }

    @Test
    void end_loggedOut_deletesAndReturnsTheSession() {
      CreatedSession created = login(manager);
      String cookie = created.handle().cookieValue();
      assertThat(manager.end(cookie, EndReason.LOGGED_OUT)).contains(created.session());
      assertThat(manager.resolve(cookie)).isEmpty();
      assertThat(manager.end(cookie, EndReason.LOGGED_OUT)).isEmpty();
      assertThat(listener.events).containsExactly("created", "ended LOGGED_OUT");
    }

    @Test
    void handles_areRememberedWhileTheSessionLives_andForgottenWhenItEnds() {
      CreatedSession loggedOut = login(manager);
      CreatedSession expiring = manager.create(
          TestTokens.tokensWithoutRefresh("bob", T0, HOUR, DAY));
      String cookie = loggedOut.handle().cookieValue();
      assertThat(manager.handles().find(cookie)).as("not before it is found").isNull();
      assertThat(manager.resolve(cookie)).isPresent();
      SessionHandle remembered = manager.handles().find(cookie);
      assertThat(remembered).isEqualTo(loggedOut.handle());
      assertThat(manager.resolve(cookie)).isPresent();
      assertThat(manager.handles().find(cookie)).isSameAs(remembered);
      manager.end(cookie, EndReason.LOGGED_OUT);
      assertThat(manager.handles().find(cookie)).as("after logout").isNull();

      String other = expiring.handle().cookieValue();
      assertThat(manager.resolve(other)).isPresent();
      clock.set(T0.plus(HOUR));
      assertThat(manager.resolve(other)).isEmpty();
      assertThat(manager.handles().find(other)).as("after expiry").isNull();
      String unknown = SessionHandle.generate(new java.security.SecureRandom()).cookieValue();
      assertThat(manager.resolve(unknown)).isEmpty();
      assertThat(manager.handles().find(unknown)).as("never found, never kept").isNull();
    }

    @ExpectsWarnings("the listener throws on purpose")
    @Test
    void listener_throws_isIgnoredAndTheSessionServed() {
      SessionManager throwing = SessionManager.builder().store(store).renewer(renewer).clock(clock)
          .listener(new SessionListener() {
            @Override
            public void created(Session session) {
              throw new IllegalStateException("listener bug");
            }
          }).executor(new TestScheduler(Mode.QUEUED, clock)).build();
      CreatedSession created = login(throwing);
      assertThat(throwing.resolve(created.handle().cookieValue())).isPresent();
    }
  }

  @Nested
  class Idle {

    final SessionManager manager =
        manager(Mode.QUEUED, SessionPolicy.builder().idleTimeout(Duration.ofMinutes(10)).build());

    @Test
    void resolve_marksLastSeenAtMostOncePerTenthOfTheIdleTimeout() {
      CreatedSession created = login(manager);
      String cookie = created.handle().cookieValue();
      clock.advance(Duration.ofSeconds(59));
      assertThat(manager.resolve(cookie).orElseThrow().version()).isEqualTo(1);
      clock.advance(Duration.ofSeconds(1));
      Session marked = manager.resolve(cookie).orElseThrow();
      assertThat(marked.version()).isEqualTo(2);
      assertThat(marked.lastSeenAt()).isEqualTo(T0.plusSeconds(60));
      assertThat(manager.resolve(cookie).orElseThrow().version()).isEqualTo(2);
    }

    @Test
    void resolve_boundaryTriple_idleTimeout() {
      // Three sessions last seen at T0, each asked once: a request marks its session seen.
      String before = login(manager).handle().cookieValue();
      String at = login(manager).handle().cookieValue();
      String after = login(manager).handle().cookieValue();
      Instant idleAt = T0.plus(Duration.ofMinutes(10));
      clock.set(idleAt.minusMillis(1));
      assertThat(manager.resolve(before)).isPresent();
      clock.set(idleAt);
      assertThat(manager.resolve(at)).isEmpty();
      clock.set(idleAt.plusMillis(1));
      assertThat(manager.resolve(after)).isEmpty();
    }

    @Test
    void idleTimeout_requestMarksSeen_movesTheDeadlineToTheMark() {
      String cookie = login(manager).handle().cookieValue();
      clock.set(T0.plus(Duration.ofMinutes(10)).minusMillis(1));
      assertThat(manager.resolve(cookie)).isPresent(); // and marks it seen
      clock.set(T0.plus(Duration.ofMinutes(20)).minusMillis(2));
      assertThat(manager.resolve(cookie)).isPresent();
      clock.set(T0.plus(Duration.ofMinutes(30)).minusMillis(2));
      assertThat(manager.resolve(cookie)).isEmpty();
    }
  }

  /** A request that waits for a renewal is a request: it counts as seen for the idle timeout. */
  @Nested
  class SeenWhileWaiting {

    // Longer than the session (1 h), so only the mark is under test, not the idle end.
    final SessionPolicy idle = SessionPolicy.builder().idleTimeout(Duration.ofHours(2)).build();

    @Test
    void idleMark_requestWaitsForARequiredRenewal_movesLastSeenAt() {
      SessionManager manager = manager(Mode.DIRECT, idle);
      CreatedSession created = login(manager);
      clock.set(created.session().accessTokenExpiresAt().minusSeconds(29));
      Session served = manager.resolve(created.handle().cookieValue()).orElseThrow();
      assertThat(served.tokens()).isNotEqualTo(created.session().tokens());
      assertThat(served.lastSeenAt()).isEqualTo(clock.instant());
      assertThat(manager.resolve(created.handle().cookieValue()).orElseThrow().lastSeenAt())
          .isEqualTo(clock.instant());
    }

    @Test
    void idleMark_resolveAndRenewWaitsForADueRenewal_movesLastSeenAt() {
      SessionManager manager = manager(Mode.DIRECT, idle);
      CreatedSession created = login(manager);
      clock.set(created.session().renewAt());
      Session served = manager.resolveAndRenew(created.handle().cookieValue()).orElseThrow();
      assertThat(served.tokens()).isNotEqualTo(created.session().tokens());
      assertThat(served.lastSeenAt()).isEqualTo(clock.instant());
    }

    @Test
    void idleMark_dueRenewalRunInlineByADirectExecutor_movesLastSeenAt() {
      SessionManager manager = manager(Mode.DIRECT, idle);
      CreatedSession created = login(manager);
      clock.set(created.session().renewAt());
      Session served = manager.resolve(created.handle().cookieValue()).orElseThrow();
      assertThat(served.tokens()).isNotEqualTo(created.session().tokens());
      assertThat(served.lastSeenAt()).isEqualTo(clock.instant());
    }
  }

  @Nested
  class Renewal {

    @Test
    void renewalDue_servesCurrentTokensAndRenewsOnceInTheBackground() {
      TestScheduler scheduler = new TestScheduler(Mode.QUEUED, clock);
      SessionManager manager = manager(scheduler, SessionPolicy.defaults());
      CreatedSession created = login(manager);
      String cookie = created.handle().cookieValue();
      clock.set(created.session().renewAt());

      assertThat(manager.resolve(cookie)).contains(created.session());
      assertThat(manager.resolve(cookie)).contains(created.session());
      assertThat(renewer.calls).hasValue(0);

      scheduler.runDue();
      assertThat(renewer.calls).hasValue(1);
      Session renewed = manager.resolve(cookie).orElseThrow();
      assertThat(renewed.tokens()).isNotEqualTo(created.session().tokens());
      assertThat(renewed.renewedAt()).isEqualTo(clock.instant());
      // JWT exp has whole seconds.
      assertThat(renewed.expiresAt()).isEqualTo(clock.instant().truncatedTo(ChronoUnit.SECONDS).plus(HOUR));
      assertThat(renewed.renewAt()).isAfter(clock.instant().plus(Duration.ofMinutes(13)));
      assertThat(renewed.createdAt()).isEqualTo(T0);
      assertThat(renewed.version()).isEqualTo(2);
      assertThat(listener.events).containsExactly("created", "renewed");
    }

    @Test
    void resolveAndRenew_dueSession_waitsForTheRenewal() throws Exception {
      ScheduledExecutorService pool = Executors.newScheduledThreadPool(4);
      try (SessionManager manager = SessionManager.builder().store(store).renewer(renewer)
          .clock(clock).executor(pool).build()) {
        CreatedSession created = login(manager);
        clock.set(created.session().renewAt());
        Session served = manager.resolveAndRenew(created.handle().cookieValue()).orElseThrow();
        assertThat(served.version()).isEqualTo(2);
        assertThat(served.renewAt()).isAfter(clock.instant());
      } finally {
        pool.shutdownNow();
      }
    }

    @Test
    void renewalRequired_requestWaitsAndGetsTheNewTokens() {
      SessionManager manager = manager(Mode.DIRECT, SessionPolicy.defaults());
      CreatedSession created = login(manager);
      clock.set(created.session().accessTokenExpiresAt().minusSeconds(29));
      Session served = manager.resolve(created.handle().cookieValue()).orElseThrow();
      assertThat(served.tokens()).isNotEqualTo(created.session().tokens());
      assertThat(renewer.calls).hasValue(1);
    }

    @Test
    void renewal_keepsARotatedRefreshTokenAndTheOldOneWhenNoneIsReturned() {
      SessionManager manager = manager(Mode.DIRECT, SessionPolicy.defaults());
      CreatedSession created = login(manager);
      TokenSecret original = created.session().tokens().refreshToken().orElseThrow();
      renewer.behaviour = current -> {
        TokenSet fresh = renewer.fresh(current);
        return new TokenSet(fresh.accessToken(), fresh.accessTokenExpiresAt(), current.idToken(),
            current.refreshToken(), fresh.scope());
      };
      clock.set(created.session().renewAt());
      Session renewed = manager.resolve(created.handle().cookieValue()).orElseThrow();
      assertThat(renewed.tokens().refreshToken()).contains(original);
      // The old ID token still bounds the session.
      assertThat(renewed.expiresAt())
          .isEqualTo(clock.instant().truncatedTo(ChronoUnit.SECONDS).plus(HOUR));
      assertThat(renewed.tokens().idToken()).isEqualTo(created.session().tokens().idToken());
    }

    @Test
    void singleFlight_64ThreadsOnADueSession_exactlyOneRenewerCall() throws Exception {
      ScheduledExecutorService pool = Executors.newScheduledThreadPool(4);
      try (SessionManager manager = SessionManager.builder().store(store).renewer(renewer)
          .clock(clock).executor(pool).build()) {
        CreatedSession created = login(manager);
        clock.set(created.session().renewAt());
        CountDownLatch release = new CountDownLatch(1);
        renewer.behaviour = current -> {
          awaitUninterruptibly(release);
          return renewer.fresh(current);
        };
        List<Optional<Session>> served = race(64, () -> manager.resolve(created.handle().cookieValue()));
        assertThat(served).allSatisfy(s -> assertThat(s).contains(created.session()));
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(
            () -> store.find(created.session().key()).orElseThrow().version() == 2);
        race(64, () -> manager.resolve(created.handle().cookieValue()));
        assertThat(renewer.calls).hasValue(1);
      } finally {
        pool.shutdownNow();
      }
    }

    @Test
    void singleFlight_twoNodesSharingAStore_64ThreadsEach_exactlyOneRenewerCall() throws Exception {
      ScheduledExecutorService poolA = Executors.newScheduledThreadPool(4);
      ScheduledExecutorService poolB = Executors.newScheduledThreadPool(4);
      try (SessionManager nodeA = SessionManager.builder().store(store).renewer(renewer)
              .clock(clock).executor(poolA).build();
          SessionManager nodeB = SessionManager.builder().store(store).renewer(renewer)
              .clock(clock).executor(poolB).build()) {
        CreatedSession created = login(nodeA);
        String cookie = created.handle().cookieValue();
        // Required, not just due: every request on both nodes waits for the one renewal.
        clock.set(created.session().accessTokenExpiresAt().minusSeconds(20));
        CountDownLatch release = new CountDownLatch(1);
        renewer.behaviour = current -> {
          awaitUninterruptibly(release);
          return renewer.fresh(current);
        };
        ExecutorService requests = Executors.newFixedThreadPool(128);
        try {
          CountDownLatch start = new CountDownLatch(1);
          List<Future<Optional<Session>>> futures = new ArrayList<>();
          for (int i = 0; i < 128; i++) {
            SessionManager node = i % 2 == 0 ? nodeA : nodeB;
            futures.add(requests.submit(() -> {
              start.await();
              return node.resolve(cookie);
            }));
          }
          start.countDown();
          await().atMost(Duration.ofSeconds(10)).until(() -> renewer.calls.get() == 1);
          release.countDown();
          for (Future<Optional<Session>> f : futures) {
            assertThat(f.get(30, TimeUnit.SECONDS)).isPresent();
          }
        } finally {
          requests.shutdownNow();
        }
        assertThat(renewer.calls).hasValue(1);
        Session stored = nodeB.resolve(cookie).orElseThrow();
        assertThat(stored.version()).isEqualTo(2);
      } finally {
        poolA.shutdownNow();
        poolB.shutdownNow();
      }
    }

    @ExpectsWarnings("the provider fails transiently: one rate-limited renewal warning")
    @Test
    void transientFailure_keepsTheSessionUntilExpiresAt_withGrowingJitteredBackoff() {
      for (long seed = 1; seed <= 20; seed++) {
        World world = World.forSeed(seed);
        ManualClock seedClock = world.clock;
        TestScheduler scheduler = world.scheduler;
        ScriptedRenewer failing = world.renewer;
        failing.behaviour = current -> {
          throw TokenRenewalException.transientFailure("connect timed out", null);
        };
        RecordingListener events = world.listener;
        SessionManager manager = world.manager;
        CreatedSession created = manager.create(TestTokens.tokens("alice", T0, HOUR, DAY));
        String cookie = created.handle().cookieValue();
        Instant expiresAt = created.session().expiresAt();
        seedClock.set(created.session().renewAt());

        assertThat(manager.resolve(cookie)).isPresent();
        scheduler.runDue();
        while (scheduler.advanceToNext()) {
          assertThat(seedClock.instant()).as("seed %d: a retry ran at or after expiry", seed)
              .isBefore(expiresAt);
          assertThat(manager.resolve(cookie)).as("seed %d at %s", seed, seedClock.instant())
              .isPresent();
        }
        List<Duration> delays = scheduler.delays();
        SessionPolicy policy = SessionPolicy.defaults();
        for (int n = 0; n < delays.size(); n++) {
          Duration cap = policy.renewalRetryInitialDelay().multipliedBy(1L << Math.min(n, 20));
          cap = cap.compareTo(policy.renewalRetryMaxDelay()) > 0 ? policy.renewalRetryMaxDelay() : cap;
          assertThat(delays.get(n)).as("seed %d delay %d", seed, n).isLessThanOrEqualTo(cap);
        }
        assertThat(delays).as("seed %d: jittered, not the caps", seed).doesNotHaveDuplicates();
        assertThat(sum(delays.subList(5, 10))).as("seed %d: later delays are longer", seed)
            .isGreaterThan(sum(delays.subList(0, 5)));
        assertThat(events.events).last().isEqualTo("renewalFailed TRANSIENT willRetry=false");

        seedClock.set(expiresAt);
        assertThat(manager.resolve(cookie)).isEmpty();
        assertThat(failing.calls.get()).isEqualTo(delays.size() + 1);
      }
    }

    @ExpectsWarnings("the provider fails transiently: one rate-limited renewal warning")
    @Test
    void transientFailure_shortTokens_retriesUntilJustBeforeExpiry_andRecovers() {
      for (long seed = 1; seed <= 20; seed++) {
        World world = World.forSeed(seed);
        ManualClock seedClock = world.clock;
        TestScheduler scheduler = world.scheduler;
        ScriptedRenewer flaky = world.renewer;
        // Five failures: their backoff caps add up to 31 s, more than the 30 s left, so without
        // clamping the last retry to the time left the renewal would be dropped.
        int[] outage = {5};
        flaky.behaviour = current -> {
          if (outage[0]-- > 0) {
            throw TokenRenewalException.transientFailure("HTTP 503", null);
          }
          return flaky.fresh(current);
        };
        SessionManager manager = world.manager;
        // A 60-second access token: renewal due at 30 s, 30 s of retries before expiry.
        CreatedSession created = manager.create(
            TestTokens.tokens("alice", T0, Duration.ofSeconds(60), DAY));
        seedClock.set(created.session().renewAt());
        manager.resolve(created.handle().cookieValue());
        scheduler.runDue();
        while (flaky.calls.get() <= 5 && scheduler.advanceToNext()) {
          assertThat(seedClock.instant()).as("seed %d", seed)
              .isBefore(created.session().expiresAt());
        }
        assertThat(flaky.calls.get()).as("seed %d: retried until the provider answered", seed)
            .isEqualTo(6);
        assertThat(manager.resolve(created.handle().cookieValue()).orElseThrow().version())
            .as("seed %d", seed).isEqualTo(2);
      }
    }

    @ExpectsWarnings("the provider fails transiently: one rate-limited renewal warning")
    @Test
    void transientFailure_retryAfter_isHonoured() {
      TestScheduler scheduler = new TestScheduler(Mode.QUEUED, clock);
      SessionManager manager = manager(scheduler, SessionPolicy.defaults());
      CreatedSession created = login(manager);
      renewer.behaviour = current -> {
        throw new TokenRenewalException(TokenRenewalException.Kind.TRANSIENT, "HTTP 429",
            Duration.ofSeconds(42), null);
      };
      clock.set(created.session().renewAt());
      manager.resolve(created.handle().cookieValue());
      scheduler.runDue();
      assertThat(scheduler.delays()).containsExactly(Duration.ofSeconds(42));
    }

    @Test
    void terminalFailure_endsTheSessionAtOnce() {
      SessionManager manager = manager(Mode.DIRECT, SessionPolicy.defaults());
      CreatedSession created = login(manager);
      renewer.behaviour = current -> {
        throw TokenRenewalException.terminal("invalid_grant");
      };
      clock.set(created.session().renewAt());
      assertThat(manager.resolve(created.handle().cookieValue())).isEmpty();
      assertThat(store.find(created.session().key())).isEmpty();
      assertThat(listener.events).containsExactly(
          "created", "renewalFailed TERMINAL willRetry=false", "ended RENEWAL_REJECTED");
    }

    @Test
    void terminalFailure_afterAnotherRenewalSucceeded_keepsTheSession() {
      // gh oauth2-proxy #1992: the loser of a refresh race must not log a valid user out.
      SessionManager manager = manager(Mode.DIRECT, SessionPolicy.defaults());
      CreatedSession created = login(manager);
      TokenSet winner = TestTokens.tokens("alice", T0.plusSeconds(1), HOUR, DAY);
      renewer.behaviour = current -> {
        Session s = created.session();
        Session other = s.renewed(winner, clock.instant(), s.expiresAt(), s.expiresAt());
        store.replace(new StoredEntry(s.key(),
            SessionCodec.encode(other, created.handle().encryptionKey()), 2, s.expiresAt(),
            store.find(s.key()).orElseThrow().indexKeys()), 1);
        throw TokenRenewalException.terminal("invalid_grant");
      };
      clock.set(created.session().renewAt());
      Session served = manager.resolve(created.handle().cookieValue()).orElseThrow();
      assertThat(served.tokens()).isEqualTo(winner);
      assertThat(listener.events).containsExactly("created");
    }

    @Test
    void refreshedIdTokenForAnotherSubject_endsTheSession() {
      SessionManager manager = manager(Mode.DIRECT, SessionPolicy.defaults());
      CreatedSession created = login(manager);
      renewer.behaviour = current -> renewer.fresh(current, "mallory");
      clock.set(created.session().renewAt());
      assertThat(manager.resolve(created.handle().cookieValue())).isEmpty();
      assertThat(listener.ended).singleElement()
          .extracting(EndedSession::reason).isEqualTo(EndReason.RENEWAL_REJECTED);
    }

    @ExpectsWarnings("the store fails after the provider answered")
    @Test
    void storeOutageAfterTheProviderAnswered_keepsTheNewTokensForTheRetry() {
      TestScheduler scheduler = new TestScheduler(Mode.QUEUED, clock);
      SwitchableStore flaky = new SwitchableStore(store);
      SessionManager manager = SessionManager.builder().store(flaky).renewer(renewer).clock(clock)
          .random(new SplittableRandom(3)).executor(scheduler).build();
      CreatedSession created = login(manager);
      TokenSet[] issued = new TokenSet[1];
      renewer.behaviour = current -> {
        issued[0] = renewer.fresh(current);
        flaky.down(); // Redis fails over right after the provider rotated the refresh token
        return issued[0];
      };
      clock.set(created.session().renewAt());
      manager.resolve(created.handle().cookieValue());
      scheduler.runDue();
      flaky.up();
      scheduler.advanceToNext();
      assertThat(renewer.calls).hasValue(1);
      assertThat(manager.resolve(created.handle().cookieValue()).orElseThrow().tokens())
          .isEqualTo(issued[0]);
    }

    private Duration sum(List<Duration> delays) {
      return delays.stream().reduce(Duration.ZERO, Duration::plus);
    }
  }

  /** STYLE habit 16: every executor mode, none may lose a session or log a user out. */
  @Nested
  class HostileExecutors {

    final SessionPolicy shortWait = SessionPolicy.builder()
        .renewalWaitTimeout(Duration.ofMillis(50)).build();

    @ExpectsWarnings("the rejecting executor refuses renewals")
    @ParameterizedTest
    @EnumSource(Mode.class)
    void renewal_anyExecutor_servesEveryRequestAndLogsNobodyOut(Mode mode) {
      TestScheduler scheduler = new TestScheduler(mode, clock);
      SessionManager manager = manager(scheduler, shortWait);
      CreatedSession created = login(manager);
      String cookie = created.handle().cookieValue();
      clock.set(created.session().renewAt());
      Session due = manager.resolve(cookie).orElseThrow();
      clock.set(created.session().accessTokenExpiresAt().minusSeconds(10));
      Session required = manager.resolve(cookie).orElseThrow();
      assertThat(store.find(created.session().key())).isPresent();
      assertThat(listener.ended).isEmpty();
      switch (mode) {
        case DIRECT -> {
          // Renewed inline, without deadlock, and again when the renewed tokens fell due.
          assertThat(due.version()).isEqualTo(2);
          assertThat(required.version()).isEqualTo(3);
          assertThat(renewer.calls).hasValue(2);
        }
        case QUEUED -> {
          // The renewal waits in the queue: both requests keep the current tokens until it runs.
          assertThat(due).isEqualTo(created.session());
          assertThat(required).isEqualTo(created.session());
          assertThat(renewer.calls).hasValue(0);
          scheduler.runDue();
          assertThat(renewer.calls).hasValue(1);
          assertThat(manager.resolve(cookie).orElseThrow().version()).isEqualTo(2);
        }
        case DISCARDING, REJECTING -> {
          assertThat(due).isEqualTo(created.session());
          assertThat(required).isEqualTo(created.session());
          assertThat(renewer.calls).hasValue(0);
        }
      }
    }

    @ExpectsWarnings("the provider fails transiently; the rejecting executor refuses renewals")
    @ParameterizedTest
    @EnumSource(Mode.class)
    void transientFailure_anyExecutor_keepsTheSession(Mode mode) {
      TestScheduler scheduler = new TestScheduler(mode, clock);
      SessionManager manager = manager(scheduler, shortWait);
      CreatedSession created = login(manager);
      renewer.behaviour = current -> {
        throw TokenRenewalException.transientFailure("HTTP 503", null);
      };
      String cookie = created.handle().cookieValue();
      clock.set(created.session().accessTokenExpiresAt().minusSeconds(10));
      assertThat(manager.resolve(cookie)).contains(created.session());
      scheduler.runDue();
      assertThat(manager.resolve(cookie)).contains(created.session());
      assertThat(store.find(created.session().key())).isPresent();
      assertThat(listener.ended).isEmpty();
    }
  }

  @Nested
  class BackChannel {

    final SessionManager manager = manager(Mode.QUEUED, SessionPolicy.defaults());

    CreatedSession login(String subject, String sid) {
      return manager.create(TokenSet.fromTokenResponse(
          TestTokens.jwtAccessToken(T0.plus(HOUR), 0), null,
          TestTokens.idToken(subject, sid, T0, T0.plus(DAY)), TestTokens.refreshToken(), "openid", T0));
    }

    @Test
    void endBySid_endsEverySessionOfThatSidOnly() {
      CreatedSession a1 = login("alice", "sid-1");
      CreatedSession a2 = login("alice", "sid-1");
      CreatedSession a3 = login("alice", "sid-2");
      assertThat(manager.endBySid(TestTokens.ISSUER, "sid-1")).isEqualTo(2);
      assertThat(manager.resolve(a1.handle().cookieValue())).isEmpty();
      assertThat(manager.resolve(a2.handle().cookieValue())).isEmpty();
      assertThat(manager.resolve(a3.handle().cookieValue())).isPresent();
      assertThat(manager.endBySid("https://other.example.test", "sid-2")).isZero();
      assertThat(listener.ended).extracting(EndedSession::reason)
          .containsExactly(EndReason.BACKCHANNEL_LOGOUT, EndReason.BACKCHANNEL_LOGOUT);
    }

    @Test
    void endBySid_forgetsTheEndedSessionsHandles_only() {
      CreatedSession ended = login("alice", "sid-1");
      CreatedSession kept = login("alice", "sid-2");
      String endedCookie = ended.handle().cookieValue();
      String keptCookie = kept.handle().cookieValue();
      assertThat(manager.resolve(endedCookie)).isPresent();
      assertThat(manager.resolve(keptCookie)).isPresent();
      assertThat(manager.handles().find(endedCookie)).isNotNull();
      assertThat(manager.endBySid(TestTokens.ISSUER, "sid-1")).isEqualTo(1);
      assertThat(manager.handles().find(endedCookie)).isNull();
      assertThat(manager.handles().find(keptCookie)).isNotNull();
    }

    @Test
    void endBySubject_endsEverySessionOfThatSubject() {
      CreatedSession a1 = login("alice", "sid-1");
      CreatedSession a2 = login("alice", null);
      CreatedSession b = login("bob", "sid-3");
      assertThat(manager.endBySubject(TestTokens.ISSUER, "alice")).isEqualTo(2);
      assertThat(manager.resolve(a1.handle().cookieValue())).isEmpty();
      assertThat(manager.resolve(a2.handle().cookieValue())).isEmpty();
      assertThat(manager.resolve(b.handle().cookieValue())).isPresent();
    }

    @Test
    void indexKeys_indexSecretSet_areKeyed() {
      InMemorySessionStore keyedStore = new InMemorySessionStore(clock);
      SessionManager keyed = SessionManager.builder().store(keyedStore)
          .renewer(renewer).clock(clock).indexSecret(new byte[32])
          .executor(new TestScheduler(Mode.QUEUED, clock)).build();
      Session plain = manager.create(TestTokens.tokens("alice", T0, HOUR, DAY)).session();
      Session withSecret = keyed.create(TestTokens.tokens("alice", T0, HOUR, DAY)).session();
      java.util.Set<IndexKey> unkeyed = store.find(plain.key()).orElseThrow().indexKeys();
      java.util.Set<IndexKey> keyedIndexes = keyedStore.find(withSecret.key()).orElseThrow().indexKeys();
      assertThat(unkeyed).hasSize(2);
      assertThat(keyedIndexes).hasSize(2).doesNotContainAnyElementsOf(unkeyed);
    }
  }

  @Nested
  class Outage {

    @Test
    void storeOutage_isUnavailableNotAnonymous_andRecovers() {
      SwitchableStore flaky = new SwitchableStore(store);
      SessionManager manager = SessionManager.builder().store(flaky).renewer(renewer).clock(clock)
          .executor(new TestScheduler(Mode.QUEUED, clock)).build();
      CreatedSession created = login(manager);
      flaky.down();
      assertThatThrownBy(() -> manager.resolve(created.handle().cookieValue()))
          .isInstanceOf(SessionStoreUnavailableException.class);
      flaky.up();
      assertThat(manager.resolve(created.handle().cookieValue())).isPresent();
    }

  }

  @Nested
  class Builder {

    @Test
    void builder_withoutRenewer_isIllegalState() {
      assertThatThrownBy(() -> SessionManager.builder().build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("renewer must be set, but was not");
    }

    @Test
    void builder_settingSetTwice_isIllegalStateNamingTheEarlierValue() {
      assertThatThrownBy(() -> SessionManager.builder().clock(clock).clock(clock))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("clock was already set to " + clock);
    }

    @Test
    void builder_indexSecretSetTwice_isIllegalStateWithoutTheSecret() {
      assertThatThrownBy(() -> SessionManager.builder().indexSecret(new byte[32])
              .indexSecret(new byte[32]))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("indexSecret was already set to (a secret, not shown)");
    }

    @Test
    void builder_indexSecretShorterThan32Bytes_isRejected() {
      assertThat(SessionManager.builder().indexSecret(new byte[32])).isNotNull();
      assertThatThrownBy(() -> SessionManager.builder().indexSecret(new byte[31]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("indexSecret must be at least 32 bytes, but was 31 bytes");
    }

    @Test
    void builder_decodedCacheSize_bothSidesOfEachBound() {
      assertThat(SessionManager.builder().decodedCacheSize(0)).isNotNull();
      assertThat(SessionManager.builder().decodedCacheSize(1_000_000)).isNotNull();
      assertThatThrownBy(() -> SessionManager.builder().decodedCacheSize(-1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("decodedCacheSize must be between 0 and 1000000, but was -1");
      assertThatThrownBy(() -> SessionManager.builder().decodedCacheSize(1_000_001))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("decodedCacheSize must be between 0 and 1000000, but was 1000001");
    }
  }

  static void awaitUninterruptibly(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new AssertionError("latch not released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static <T> List<T> race(int threads, java.util.concurrent.Callable<T> action) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        futures.add(pool.submit(() -> {
          start.await();
          return action.call();
        }));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get(30, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  /** One node's world for one seed: clock, store, virtual scheduler, renewer, listener, manager. */
  static final class World {
    final ManualClock clock = new ManualClock(T0);
    final InMemorySessionStore store = new InMemorySessionStore(clock);
    final TestScheduler scheduler = new TestScheduler(Mode.QUEUED, clock);
    final ScriptedRenewer renewer = new ScriptedRenewer(clock);
    final RecordingListener listener = new RecordingListener();
    final SessionManager manager;

    private World(long seed) {
      manager = SessionManager.builder().store(store).renewer(renewer).clock(clock)
          .random(new SplittableRandom(seed)).listener(listener).executor(scheduler).build();
    }

    static World forSeed(long seed) {
      return new World(seed);
    }
  }

}
