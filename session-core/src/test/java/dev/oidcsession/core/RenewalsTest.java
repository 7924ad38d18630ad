package dev.oidcsession.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcsession.core.RenewalOutcome.Ended;
import dev.oidcsession.core.RenewalOutcome.Kept;
import dev.oidcsession.core.RenewalOutcome.Renewed;
import dev.oidcsession.core.TestScheduler.Mode;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The renewal state machine on its own: its phases, and one outcome type that always arrives. */
class RenewalsTest {

  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  final ManualClock clock = new ManualClock(T0);
  final InMemorySessionStore store = new InMemorySessionStore(clock);
  final ScriptedRenewer renewer = new ScriptedRenewer(clock);
  final SessionPolicy policy = SessionPolicy.defaults();
  /** Monotonic time of the renewals, moved by hand. */
  final AtomicLong nanos = new AtomicLong();
  final StoredSessions stored = new StoredSessions(
      store, policy, clock, new DecodedSessions(16), null, SessionListener.NONE);

  Renewals renewals(ScheduledExecutorService scheduler) {
    SplittableRandom random = new SplittableRandom(7);
    return new Renewals(Renewal.Context.create(stored, renewer, policy, clock,
        new Backoff(policy.renewalRetryInitialDelay(), policy.renewalRetryMaxDelay(), random),
        new RenewalSpread(random, policy.renewalInterval(), policy.renewalJitter()), scheduler,
        nanos::get));
  }

  /** A stored session, due for renewal now. */
  Stored due() {
    SessionHandle handle = SessionHandle.generate(new SecureRandom());
    TokenSet tokens = TestTokens.tokens("alice", T0, Duration.ofHours(1), Duration.ofDays(1));
    Instant renewAt = T0.plus(Duration.ofMinutes(15));
    Session session = new Session(handle.storeKey(), tokens, T0, T0, T0,
        policy.expiresAt(tokens, T0), renewAt, 1, Map.of());
    assertThat(stored.insert(session, handle.encryptionKey())).isTrue();
    clock.set(renewAt);
    return new Stored(handle, session);
  }

  record Stored(SessionHandle handle, Session session) {}

  @Test
  void renewal_providerAnswers_phaseRenewingThenOutcomeRenewed() {
    TestScheduler scheduler = new TestScheduler(Mode.QUEUED, clock);
    Renewals renewals = renewals(scheduler);
    Stored s = due();
    CompletableFuture<RenewalOutcome> outcome =
        renewals.start(s.session(), s.handle().encryptionKey());
    assertThat(renewals.phase(s.session().key())).contains(Renewal.Phase.LEASING);
    assertThat(outcome).isNotDone();
    scheduler.runDue();
    assertThat(outcome.join()).isInstanceOf(Renewed.class);
    assertThat(outcome.join().served().orElseThrow().version()).isEqualTo(2);
    assertThat(renewals.phase(s.session().key())).isEmpty(); // done and unregistered
  }

  @Test
  void renewal_leaseHeldByAnotherNode_waitsForItAndKeepsTheTokensWhenItStoresNothing() {
    TestScheduler scheduler = new TestScheduler(Mode.QUEUED, clock);
    Renewals renewals = renewals(scheduler);
    Stored s = due();
    assertThat(store.tryLease(s.session().key(), policy.renewalLease())).isPresent();
    CompletableFuture<RenewalOutcome> outcome =
        renewals.start(s.session(), s.handle().encryptionKey());
    scheduler.runDue();
    assertThat(renewals.phase(s.session().key()))
        .contains(Renewal.Phase.WAITING_FOR_OTHER_NODE);
    while (!outcome.isDone() && scheduler.advanceToNext()) {
      // polls the store until the other node's lease must be over
    }
    assertThat(outcome.join()).isEqualTo(new Kept(s.session()));
    assertThat(renewer.calls).hasValue(0);
  }

  @ExpectsWarnings("the provider fails transiently: one rate-limited renewal warning")
  @Test
  void renewal_transientFailure_backsOffAndEveryJoinerGetsKeptNeverNull() {
    TestScheduler scheduler = new TestScheduler(Mode.QUEUED, clock);
    Renewals renewals = renewals(scheduler);
    renewer.behaviour = current -> {
      throw TokenRenewalException.transientFailure("HTTP 503", null);
    };
    Stored s = due();
    CompletableFuture<RenewalOutcome> first =
        renewals.start(s.session(), s.handle().encryptionKey());
    scheduler.runDue();
    assertThat(first.join()).isEqualTo(new Kept(s.session()));
    assertThat(renewals.phase(s.session().key())).contains(Renewal.Phase.BACKING_OFF);
    CompletableFuture<RenewalOutcome> joined =
        renewals.start(s.session(), s.handle().encryptionKey());
    assertThat(joined).isCompletedWithValue(new Kept(s.session()));
  }

  @ExpectsWarnings("the provider fails transiently: one rate-limited renewal warning")
  @Test
  void renewal_noRetryFitsBeforeExpiry_givesUpAndKeepsTheTokens() {
    TestScheduler scheduler = new TestScheduler(Mode.QUEUED, clock);
    Renewals renewals = renewals(scheduler);
    renewer.behaviour = current -> {
      throw TokenRenewalException.transientFailure("HTTP 503", null);
    };
    Stored s = due();
    clock.set(s.session().expiresAt().minus(Renewal.RETRY_MARGIN));
    CompletableFuture<RenewalOutcome> outcome =
        renewals.start(s.session(), s.handle().encryptionKey());
    scheduler.runDue();
    assertThat(outcome.join()).isEqualTo(new Kept(s.session()));
    assertThat(renewals.phase(s.session().key())).contains(Renewal.Phase.GIVEN_UP);
    assertThat(scheduler.pending()).isZero();
  }

  @Test
  void renewal_terminalFailure_endsTheSessionWithOutcomeEnded() {
    TestScheduler scheduler = new TestScheduler(Mode.QUEUED, clock);
    Renewals renewals = renewals(scheduler);
    renewer.behaviour = current -> {
      throw TokenRenewalException.terminal("invalid_grant");
    };
    Stored s = due();
    CompletableFuture<RenewalOutcome> outcome =
        renewals.start(s.session(), s.handle().encryptionKey());
    scheduler.runDue();
    assertThat(outcome.join()).isEqualTo(new Ended());
    assertThat(store.find(s.session().key())).isEmpty();
  }

  @ExpectsWarnings("a rejecting executor refuses the renewal")
  @Test
  void renewal_rejectingExecutor_completesWithKeptNotExceptionally() {
    Renewals renewals = renewals(new TestScheduler(Mode.REJECTING, clock));
    Stored s = due();
    CompletableFuture<RenewalOutcome> outcome =
        renewals.start(s.session(), s.handle().encryptionKey());
    assertThat(outcome).isCompletedWithValue(new Kept(s.session()));
    assertThat(renewals.phase(s.session().key())).isEmpty();
  }

  @Test
  void renewal_callStillRunningPastLeaseAndWaitTimeout_isJoinedNotStartedAgain() throws Exception {
    // Review #13: the call cannot be known lost while it may still return.
    ScheduledExecutorService pool = Executors.newScheduledThreadPool(2);
    try {
      Renewals renewals = renewals(pool);
      CountDownLatch entered = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      renewer.behaviour = current -> {
        entered.countDown();
        SessionManagerTest.awaitUninterruptibly(release);
        return renewer.fresh(current);
      };
      Stored s = due();
      CompletableFuture<RenewalOutcome> first =
          renewals.start(s.session(), s.handle().encryptionKey());
      SessionManagerTest.awaitUninterruptibly(entered);
      // Far past the lease and the wait timeout, by both clocks; the store's lease ran out.
      nanos.addAndGet(Duration.ofHours(1).toNanos());
      clock.advance(policy.renewalLease().plusSeconds(1));
      CompletableFuture<RenewalOutcome> second =
          renewals.start(s.session(), s.handle().encryptionKey());
      assertThat(second).isSameAs(first);
      assertThat(renewals.phase(s.session().key())).contains(Renewal.Phase.RENEWING);
      release.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS)).isInstanceOf(Renewed.class);
      pool.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      assertThat(renewer.calls).hasValue(1);
    } finally {
      pool.shutdownNow();
    }
  }
}
