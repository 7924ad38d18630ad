package dev.oidcsession.core;

import dev.oidcsession.core.RenewalOutcome.Ended;
import dev.oidcsession.core.RenewalOutcome.Kept;
import dev.oidcsession.core.RenewalOutcome.Renewed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import javax.crypto.SecretKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session's renewal, from the first attempt to success, a terminal failure, or the last retry
 * that fits before {@code expiresAt}, as a state machine over {@link Phase}. Attempts never
 * overlap: each runs as one task, and the next is scheduled only when the previous ended. Every
 * attempt's future completes with a {@link RenewalOutcome}, never exceptionally.
 *
 * <p>Guarantees kept here: the session is re-read under the lease and renewed from what was read
 * (never from a refresh token read before waiting); a terminal failure ends the session only after
 * a re-read shows no other renewal succeeded (oauth2-proxy #1992); transient failures back off with
 * full jitter, clamped to before {@code expiresAt}; tokens obtained but not yet stored are kept in
 * memory, with the lease held, until they are stored; after a provider call that may have been
 * processed without its answer arriving (the provider may have rotated the refresh token), the
 * lease is held through the backoff and a later {@code invalid_grant} keeps the session until
 * {@code expiresAt} instead of ending it (issue 14, fault case 2).
 */
final class Renewal {

  private static final Logger log = LoggerFactory.getLogger(Renewal.class);

  /** How long before {@code expiresAt} the last retry of a failing renewal runs at the latest. */
  static final Duration RETRY_MARGIN = Duration.ofSeconds(1);

  /** How soon a write of tokens already obtained from the provider is tried again. */
  static final Duration UNSTORED_RETRY_DELAY = Duration.ofMillis(500);

  /** How often a server waiting for another server's renewal re-reads the store. */
  static final Duration LEASE_POLL_INTERVAL = Duration.ofMillis(50);

  /** Where a renewal is. An attempt starts in {@link #LEASING} or {@link #STORING_UNSTORED}. */
  enum Phase {
    /** Taking the store's lease, so that one server renews. */
    LEASING,
    /** Another server holds the lease: re-reading the store until its result shows. */
    WAITING_FOR_OTHER_NODE,
    /** Holding the lease, calling the provider. */
    RENEWING,
    /** The provider answered; storing its tokens, which exist only in this JVM until stored. */
    STORING_UNSTORED,
    /** A transient failure: the next attempt is scheduled; waiters got the current tokens. */
    BACKING_OFF,
    /** No retry fits before {@code expiresAt}: the current tokens serve until then. */
    GIVEN_UP,
    /** Finished with an outcome and removed from the registry. */
    DONE
  }

  /**
   * What every renewal of one manager shares.
   *
   * @param nanoTime monotonic time for measuring how long an attempt runs ({@code System::nanoTime}
   *     outside tests)
   */
  record Context(StoredSessions stored, TokenRenewer renewer, SessionPolicy policy, Clock clock,
      Backoff backoff, RenewalSpread spread, ScheduledExecutorService executor,
      LongSupplier nanoTime, WarningDigest failures, WarningDigest refusedCredentials,
      WarningDigest lostRotations) {

    /** A context whose two failure digests log through {@code Renewal}'s logger. */
    static Context create(StoredSessions stored, TokenRenewer renewer, SessionPolicy policy,
        Clock clock, Backoff backoff, RenewalSpread spread, ScheduledExecutorService executor,
        LongSupplier nanoTime) {
      // Issue 14 item 13: a provider outage fails every session's renewal; one line a minute.
      WarningDigest failures = new WarningDigest(log, clock, "{} renewal attempt(s) failed"
          + " transiently since {}; the sessions keep their tokens and retry with backoff until"
          + " they expire; last failure: {}");
      // Issue 14 item 9: nothing is wrong with the sessions; someone must fix the client.
      WarningDigest refused = new WarningDigest(log, clock, "{} renewal attempt(s) since {}: the"
          + " provider refused the client's credentials ({}); the sessions are kept and retried"
          + " with backoff, but none renews until the client id and secret are right (a secret"
          + " rotation half done?)");
      // Issue 14 fault case 2: the users will have to log in again when their tokens expire.
      WarningDigest lostRotations = new WarningDigest(log, clock, "{} session(s) since {}: the"
          + " provider refused the refresh token (invalid_grant) after an earlier refresh with it"
          + " got no answer, in which the provider may have rotated it; the sessions are kept"
          + " without renewing until their tokens expire, then the users log in again; last: {}");
      return new Context(stored, renewer, policy, clock, backoff, spread, executor, nanoTime,
          failures, refused, lostRotations);
    }
  }

  private final StoreKey storeKey;
  private final SecretKey key;
  private final Context context;
  private final Consumer<Renewal> onDone;

  private volatile Phase phase = Phase.LEASING;
  /** The running attempt, which waiters join; null while backing off or after giving up. */
  private volatile CompletableFuture<RenewalOutcome> attempt;
  private volatile long attemptStartedNanos;
  /** When the running provider call started (monotonic), valid in {@link Phase#RENEWING}. */
  private volatile long callStartedNanos;
  /** The store lease this renewal holds while tokens wait to be stored; null when none. */
  private volatile Lease lease;
  /** Tokens obtained from the provider but not yet stored (store outage): never lose them. */
  private volatile TokenSet unstored;
  /** Set when retries stopped; the renewal stays registered until then so none restarts it. */
  private volatile Instant givenUpUntil;
  /**
   * Set when a provider call failed in a way the provider may have processed: it may have rotated
   * the refresh token, so an {@code invalid_grant} for the old one does not mean a revoked session.
   */
  private volatile boolean mayHaveRotated;
  private int failures;

  /** @param onDone called once when the renewal finishes, to unregister it */
  Renewal(StoreKey storeKey, SecretKey key, Context context, Consumer<Renewal> onDone) {
    this.storeKey = storeKey;
    this.key = key;
    this.context = context;
    this.onDone = onDone;
    // Before the renewal is visible to other threads: a request that joins it at once finds an
    // attempt to wait for.
    newAttempt();
  }

  StoreKey storeKey() {
    return storeKey;
  }

  Phase phase() {
    return phase;
  }

  /** Starts the first attempt; the returned future is never null. */
  CompletableFuture<RenewalOutcome> begin(Session seen) {
    CompletableFuture<RenewalOutcome> first = attempt;
    submit(() -> run(seen), Duration.ZERO, seen);
    return first;
  }

  /** The running attempt to join, or {@code Kept(seen)} while backing off or given up. */
  CompletableFuture<RenewalOutcome> join(Session seen) {
    CompletableFuture<RenewalOutcome> running = attempt;
    return running != null ? running : CompletableFuture.completedFuture(new Kept(seen));
  }

  /**
   * A renewal whose retries are over and whose session expired, or whose task was lost. A provider
   * call that has started is never taken for lost while it can still return (review #13): only
   * when the renewer declares its {@link TokenRenewer#maxCallDuration()} (which the lease exceeds)
   * and the lease has passed since the call started. A queued attempt that never ran may be taken
   * for lost: if it runs late, the store's lease keeps it from renewing a second time.
   */
  boolean stale() {
    SessionPolicy policy = context.policy();
    long now = context.nanoTime().getAsLong();
    return switch (phase) {
      case GIVEN_UP -> !context.clock().instant().isBefore(givenUpUntil);
      case BACKING_OFF -> false; // a retry is scheduled
      case DONE -> true;
      case RENEWING -> context.renewer().maxCallDuration().isPresent()
          && now - callStartedNanos > policy.renewalLease().toNanos();
      case LEASING, WAITING_FOR_OTHER_NODE, STORING_UNSTORED ->
          now - attemptStartedNanos > policy.renewalLease().plus(policy.renewalWaitTimeout())
              .toNanos();
    };
  }

  private void newAttempt() {
    attemptStartedNanos = context.nanoTime().getAsLong();
    attempt = new CompletableFuture<>();
  }

  private void submit(Runnable task, Duration delay, Session current) {
    try {
      if (delay.isZero()) {
        context.executor().execute(task);
      } else {
        context.executor().schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
      }
    } catch (RejectedExecutionException e) {
      log.warn("renewal executor rejected the renewal of session {}; current tokens kept",
          storeKey);
      finish(new Kept(current));
    }
  }

  /** Ends this renewal: unregisters it and gives waiters {@code outcome}. */
  private void finish(RenewalOutcome outcome) {
    releaseLease();
    phase = Phase.DONE;
    onDone.accept(this);
    CompletableFuture<RenewalOutcome> waiting = attempt;
    attempt = null;
    if (waiting != null) {
      waiting.complete(outcome);
    }
  }

  /** One attempt; the phase says where it starts. */
  private void run(Session seen) {
    try {
      switch (phase) {
        case LEASING -> lease(seen);
        // The provider already rotated the refresh token: only these tokens are good, so no other
        // server can renew successfully. Store them (a compare-and-set), the lease still held.
        case STORING_UNSTORED -> {
          holdLease();
          underLease(seen);
        }
        case WAITING_FOR_OTHER_NODE, RENEWING, BACKING_OFF, GIVEN_UP, DONE ->
            throw new IllegalStateException("an attempt cannot start in phase " + phase);
      }
    } catch (RuntimeException e) {
      // A renewer or store bug must not log anyone out: keep the tokens, retry later.
      retryLater(seen, TokenRenewalException.transientFailure(
          "renewal failed unexpectedly: " + e.getClass().getName(), e));
    } catch (Error e) {
      // Not retried, but not left looking as if it were still running either.
      finish(new Kept(seen));
      throw e;
    }
  }

  /**
   * Keeps other servers away while renewed tokens wait to be stored (review #6): extends the lease
   * this renewal holds (owner-checked), or takes it again if it ran out and nobody took it. If
   * another server holds it now, storing goes on all the same: the compare-and-set guards the
   * data.
   */
  private void holdLease() {
    Duration ttl = context.policy().renewalLease();
    try {
      Lease held = lease;
      if (held != null && context.stored().extendLease(held, ttl)) {
        return;
      }
      lease = context.stored().tryLease(storeKey, ttl).orElse(null);
      if (lease == null) {
        log.debug("renewal lease of session {} is held elsewhere while renewed tokens wait to be"
            + " stored here", storeKey);
      }
    } catch (SessionStoreUnavailableException e) {
      log.debug("renewal lease of session {} not extended ({})", storeKey, e.getMessage());
    }
  }

  /** Gives back the lease this renewal holds, if any. */
  private void releaseLease() {
    Lease held = lease;
    lease = null;
    if (held != null) {
      context.stored().release(held);
    }
  }

  private void lease(Session seen) {
    Optional<Lease> lease;
    try {
      lease = heldThroughBackoff()
          .or(() -> context.stored().tryLease(storeKey, context.policy().renewalLease()));
    } catch (SessionStoreUnavailableException e) {
      retryLater(seen, TokenRenewalException.transientFailure("session store unavailable", e));
      return;
    }
    if (lease.isEmpty()) {
      // Another server renews: wait for its result instead of calling the provider.
      phase = Phase.WAITING_FOR_OTHER_NODE;
      long polls = Math.max(1,
          context.policy().renewalLease().toNanos() / LEASE_POLL_INTERVAL.toNanos());
      submit(() -> poll(seen, polls), LEASE_POLL_INTERVAL, seen);
      return;
    }
    this.lease = lease.get();
    try {
      underLease(seen);
    } finally {
      // While the only valid refresh token is in this JVM, keep the lease (extended by each
      // storing attempt), so no other server presents the rotated-out one and gets the session
      // ended by invalid_grant. Likewise through the backoff after a call the provider may have
      // processed: the refresh token it rotated then is lost, so the old one must not be
      // presented by another server in the meantime.
      if (unstored == null && !(mayHaveRotated && phase == Phase.BACKING_OFF)) {
        releaseLease();
      }
    }
  }

  /**
   * The lease this renewal kept through its backoff, extended for this attempt; empty when none
   * was kept or it ran out (then the attempt competes for it as usual).
   */
  private Optional<Lease> heldThroughBackoff() {
    Lease held = lease;
    if (held == null) {
      return Optional.empty();
    }
    if (context.stored().extendLease(held, context.policy().renewalLease())) {
      return Optional.of(held);
    }
    lease = null;
    return Optional.empty();
  }

  private void underLease(Session seen) {
    StoredSessions stored = context.stored();
    boolean storing = phase == Phase.STORING_UNSTORED;
    Optional<Session> read;
    try {
      read = stored.read(storeKey, () -> key); // re-read under the lease: never renew stale tokens
    } catch (SessionStoreUnavailableException e) {
      retryLater(seen, TokenRenewalException.transientFailure("session store unavailable", e));
      return;
    }
    if (read.isEmpty()) {
      finish(new Ended()); // ended elsewhere meanwhile
      return;
    }
    Session current = read.get();
    if (!storing && !current.tokens().equals(seen.tokens())) {
      finish(new Renewed(current)); // another renewal already replaced the tokens
      return;
    }
    switch (context.policy().assess(current, stored.now())) {
      case EXPIRED, IDLE -> {
        finish(new Ended());
        return;
      }
      case VALID -> {
        finish(new Kept(current));
        return;
      }
      case RENEW_AND_WAIT, RENEW_IN_BACKGROUND -> { } // still due: renew
    }
    TokenSet fresh = storing ? unstored : obtain(current);
    if (fresh == null) {
      return; // obtain() already retried or rejected
    }
    try {
      RenewalOutcome outcome = store(current, fresh);
      unstored = null;
      finish(outcome);
    } catch (SessionStoreUnavailableException e) {
      retryLater(current, TokenRenewalException.transientFailure(
          "session store unavailable while storing renewed tokens; they are kept for the retry",
          e));
    }
  }

  /** Calls the provider; on success the tokens are {@link #unstored} until stored. */
  private TokenSet obtain(Session current) {
    callStartedNanos = context.nanoTime().getAsLong();
    phase = Phase.RENEWING;
    TokenSet fresh;
    try {
      fresh = context.renewer().renew(current.tokens());
    } catch (TokenRenewalException e) {
      if (e.isTransient()) {
        mayHaveRotated |= e.mayHaveBeenProcessed();
        retryLater(current, e);
      } else if (mayHaveRotated && e.errorCode().filter("invalid_grant"::equals).isPresent()) {
        keepUntilExpiry(current, e);
      } else {
        reject(current, e);
      }
      return null;
    }
    Objects.requireNonNull(fresh, "TokenRenewer returned null");
    // OIDC Core 12.2: iss, sub and aud of a refreshed ID token must be the originals. The protocol
    // layer checks this too; this copy guards against any other TokenRenewer.
    if (!fresh.idToken().sameIdentityAs(current.tokens().idToken())) {
      reject(current, TokenRenewalException.terminal(
          "refreshed ID token changed iss, sub or aud (OIDC Core 12.2)"));
      return null;
    }
    unstored = fresh;
    phase = Phase.STORING_UNSTORED;
    return fresh;
  }

  /** Writes the renewed session; re-bases on concurrent last-seen marks. */
  private RenewalOutcome store(Session previous, TokenSet fresh) {
    StoredSessions stored = context.stored();
    SessionPolicy policy = context.policy();
    Instant now = stored.now();
    Instant expiresAt = policy.expiresAt(fresh, previous.createdAt());
    // Review #21: no renewal is scheduled that could not move expiresAt.
    boolean idTokenReplaced = !fresh.idToken().equals(previous.tokens().idToken());
    boolean renewable = fresh.refreshToken().isPresent()
        && policy.canExtend(fresh, previous.createdAt(), expiresAt, idTokenReplaced);
    Instant renewAt = policy.renewAt(now, expiresAt, renewable, context.spread().next(now));
    Session base = previous;
    while (true) {
      Session renewed = base.renewed(fresh, now, expiresAt, renewAt);
      ReplaceResult result = stored.replace(renewed, key, base.version());
      if (result.replaced()) {
        if (result == ReplaceResult.STORED_UNCONFIRMED) {
          // Issue 14 item 1: the provider rotated the refresh token, and a failover could still
          // bring back the entry holding the old one. Keep the new tokens here until confirmed.
          stored.hold(renewed, base.tokens());
          log.debug("session {} renewed, write not yet confirmed by a replica; tokens held",
              storeKey);
        }
        log.debug("session {} renewed, expires {}, renews {}", storeKey, expiresAt, renewAt);
        stored.fire(l -> l.renewed(previous, renewed));
        return new Renewed(renewed);
      }
      Optional<Session> latest = stored.read(storeKey, () -> key);
      if (latest.isEmpty()) {
        log.debug("session {} ended while it was being renewed", storeKey);
        return new Ended();
      }
      if (!latest.get().tokens().equals(previous.tokens())) {
        log.warn("session {} was renewed twice (a lease outlived by a slow refresh?);"
            + " keeping the other renewal's tokens", storeKey);
        return new Renewed(latest.get());
      }
      base = latest.get(); // only lastSeenAt moved: write again on top of it
    }
  }

  /** A terminal failure: end the session unless another renewal succeeded (oauth2-proxy #1992). */
  private void reject(Session current, TokenRenewalException failure) {
    StoredSessions stored = context.stored();
    Optional<Session> latest = stored.read(storeKey, () -> key);
    if (latest.isPresent() && !latest.get().tokens().equals(current.tokens())) {
      finish(new Renewed(latest.get()));
      return;
    }
    log.debug("renewal of session {} rejected: {}", storeKey, failure.getMessage());
    stored.fire(l -> l.renewalFailed(current, failure, false));
    stored.end(current, EndReason.RENEWAL_REJECTED);
    finish(new Ended());
  }

  /**
   * Issue 14, fault case 2: {@code invalid_grant} after a call the provider may have processed
   * without its answer arriving. The provider most likely rotated the refresh token in that call
   * (and now refuses the old one, or revoked the family on its reuse), so the session was not
   * ended by anyone: its access token stays valid. Keep it until {@code expiresAt}, and store
   * {@code renewAt = expiresAt} so that no server presents the refused token again; the session
   * then ends as {@link EndReason#EXPIRED}.
   */
  private void keepUntilExpiry(Session current, TokenRenewalException failure) {
    StoredSessions stored = context.stored();
    Session kept = current;
    try {
      Optional<Session> latest = stored.read(storeKey, () -> key);
      if (latest.isEmpty()) {
        finish(new Ended()); // ended elsewhere meanwhile
        return;
      }
      if (!latest.get().tokens().equals(current.tokens())) {
        finish(new Renewed(latest.get())); // another renewal succeeded after all
        return;
      }
      kept = stopRenewing(latest.get());
    } catch (SessionStoreUnavailableException e) {
      // This node still never presents the token again: the renewal stays given up.
      log.debug("session {}: renewals not stopped in the store ({})", storeKey, e.getMessage());
    }
    log.debug("renewal of session {} refused after a lost answer ({}); kept until {}", storeKey,
        failure.getMessage(), kept.expiresAt());
    context.lostRotations().record(failure.getMessage());
    stored.fire(l -> l.renewalFailed(current, failure, false));
    giveUp(kept);
  }

  /** Stores {@code latest} with {@code renewAt = expiresAt}; re-bases on last-seen marks. */
  private Session stopRenewing(Session latest) {
    StoredSessions stored = context.stored();
    Session base = latest;
    while (true) {
      Session stopped = base.renewingNoMore();
      if (stored.replace(stopped, key, base.version()).replaced()) {
        return stopped;
      }
      Optional<Session> again = stored.read(storeKey, () -> key);
      if (again.isEmpty() || !again.get().tokens().equals(latest.tokens())) {
        return base; // ended or renewed meanwhile: nothing left to stop
      }
      base = again.get();
    }
  }

  /** No more attempts: waiters get {@code serve}; registered until it expires, so none restarts. */
  private void giveUp(Session serve) {
    releaseLease();
    givenUpUntil = serve.expiresAt();
    phase = Phase.GIVEN_UP;
    CompletableFuture<RenewalOutcome> waiting = attempt;
    attempt = null;
    if (waiting != null) {
      waiting.complete(new Kept(serve));
    }
  }

  /** A transient failure: serve waiters with the current tokens, retry with backoff. */
  private void retryLater(Session current, TokenRenewalException failure) {
    // Tokens already obtained wait in memory: store them again soon, not after a long backoff.
    Duration delay = unstored != null
        ? UNSTORED_RETRY_DELAY
        : context.backoff().delay(failures++, failure.retryAfter());
    // Never past expiresAt: the last retry is clamped to just before it rather than dropped.
    Duration left =
        Duration.between(context.stored().now(), current.expiresAt()).minus(RETRY_MARGIN);
    if (delay.compareTo(left) > 0) {
      delay = left;
    }
    boolean retry = !delay.isNegative() && !delay.isZero();
    log.debug("renewal of session {} failed ({}); {}", storeKey, failure.getMessage(),
        retry ? "retrying in " + delay : "no retry fits before expiry " + current.expiresAt());
    // One WARN a minute for all sessions, not one per attempt (issue 14 item 13).
    (failure.isCredentialsRefused() ? context.refusedCredentials() : context.failures())
        .record(failure.getMessage());
    context.stored().fire(l -> l.renewalFailed(current, failure, retry));
    if (!retry) {
      giveUp(current);
      return;
    }
    phase = Phase.BACKING_OFF;
    if (mayHaveRotated) {
      holdThroughBackoff(delay);
    }
    CompletableFuture<RenewalOutcome> waiting = attempt;
    attempt = null;
    if (waiting != null) {
      waiting.complete(new Kept(current));
    }
    submit(() -> {
      newAttempt();
      phase = unstored != null ? Phase.STORING_UNSTORED : Phase.LEASING;
      run(current);
    }, delay, current);
  }

  /**
   * Extends the lease over {@code delay} and the next attempt, so that no other server presents
   * the refresh token the provider may have rotated out meanwhile; best effort (if the lease is
   * lost, another server may renew, and its {@code invalid_grant} ends the session).
   */
  private void holdThroughBackoff(Duration delay) {
    Lease held = lease;
    if (held == null) {
      return;
    }
    try {
      if (!context.stored().extendLease(held, delay.plus(context.policy().renewalLease()))) {
        lease = null;
      }
    } catch (SessionStoreUnavailableException e) {
      log.debug("renewal lease of session {} not extended ({})", storeKey, e.getMessage());
    }
  }

  /** Waits for another server's renewal by re-reading; gives up when its lease must be over. */
  private void poll(Session seen, long pollsLeft) {
    Optional<Session> latest;
    try {
      latest = context.stored().read(storeKey, () -> key);
    } catch (SessionStoreUnavailableException e) {
      finish(new Kept(seen));
      return;
    }
    if (latest.isEmpty()) {
      finish(new Ended());
    } else if (!latest.get().tokens().equals(seen.tokens())) {
      finish(new Renewed(latest.get()));
    } else if (pollsLeft <= 1) {
      finish(new Kept(latest.get()));
    } else {
      submit(() -> poll(seen, pollsLeft - 1), LEASE_POLL_INTERVAL, seen);
    }
  }
}
