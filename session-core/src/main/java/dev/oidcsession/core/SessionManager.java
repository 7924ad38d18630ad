package dev.oidcsession.core;

import dev.oidcsession.core.internal.Backoff;
import dev.oidcsession.core.internal.Digests;
import dev.oidcsession.core.internal.RenewalSpread;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import javax.crypto.SecretKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates, resolves, renews and ends login sessions: the lifecycle of {@link SessionPolicy} applied
 * to sessions in a {@link SessionStore}.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li><b>Refresh-ahead.</b> A request that finds its session's renewal due is served at once with
 *       the current tokens while the renewal runs on the manager's executor. Only a request whose
 *       access token has less than {@code minTokenTtl} left waits, at most {@code
 *       renewalWaitTimeout}, and is then served with whatever tokens are valid.
 *   <li><b>Single flight.</b> At most one renewal per session runs at a time: requests in this JVM
 *       that find one in flight join it, and servers sharing the store coordinate through the
 *       store's lease. The renewal re-reads the session under the lease and renews from what it
 *       reads, so a rotated refresh token is never used twice.
 *   <li><b>No surprise logouts.</b> A transient failure (network, 5xx, 429, store outage) keeps the
 *       session and its tokens; the renewal is retried with exponential backoff and full jitter,
 *       never past {@code expiresAt}. A terminal failure ends the session only after a re-read
 *       shows no other renewal succeeded meanwhile.
 *   <li><b>Unreadable is absent.</b> A cookie value that is malformed, unknown, tampered with, or
 *       names a session of another format resolves to empty; it is never an exception.
 * </ul>
 *
 * <p>A store outage is the one exception callers see: {@link SessionStoreUnavailableException}
 * from {@link #create}, {@link #resolve} and {@link #end}, to be answered with a 503, never a
 * logout. Thread-safe. {@link #close()} stops the executor if the manager created it.
 */
public final class SessionManager implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SessionManager.class);

  /** How long before {@code expiresAt} the last retry of a failing renewal runs at the latest. */
  static final Duration RETRY_MARGIN = Duration.ofSeconds(1);

  /** How soon a write of tokens already obtained from the provider is tried again. */
  static final Duration UNSTORED_RETRY_DELAY = Duration.ofMillis(500);

  /** Every this many renewals started, given-up and lost renewals are swept from memory. */
  static final int SWEEP_EVERY = 256;

  /** How often a server waiting for another server's renewal re-reads the store. */
  static final Duration LEASE_POLL_INTERVAL = Duration.ofMillis(50);

  private static final byte[] PUBLIC_INDEX_KEY =
      "oidc-session/v1/index".getBytes(StandardCharsets.US_ASCII);

  private final SessionStore store;
  private final TokenRenewer renewer;
  private final SessionPolicy policy;
  private final Clock clock;
  private final SecureRandom secureRandom;
  private final SessionListener listener;
  private final ScheduledExecutorService executor;
  private final boolean ownsExecutor;
  private final byte[] indexKey;
  private final RenewalSpread spread;
  private final Backoff backoff;
  private final ConcurrentHashMap<StoreKey, Renewal> renewals = new ConcurrentHashMap<>();
  private final AtomicInteger renewalsStarted = new AtomicInteger();
  private final DecodedSessions decoded;

  private SessionManager(Builder b) {
    this.clock = b.clock != null ? b.clock : Clock.systemUTC();
    this.store = b.store != null ? b.store : new InMemorySessionStore(clock);
    this.renewer = b.renewer;
    this.policy = b.policy != null ? b.policy : SessionPolicy.defaults();
    this.secureRandom = b.secureRandom != null ? b.secureRandom : new SecureRandom();
    RandomGenerator random =
        b.random != null ? b.random : RandomGenerator.of("L64X128MixRandom");
    this.listener = b.listener != null ? b.listener : SessionListener.NONE;
    this.ownsExecutor = b.executor == null;
    this.executor = b.executor != null ? b.executor : defaultExecutor();
    this.indexKey = b.indexSecret != null ? b.indexSecret.clone() : PUBLIC_INDEX_KEY;
    this.spread = new RenewalSpread(random);
    this.decoded = new DecodedSessions(b.decodedCacheSize != null
        ? b.decodedCacheSize : DecodedSessions.DEFAULT_MAX_ENTRIES);
    this.backoff =
        new Backoff(policy.renewalRetryInitialDelay(), policy.renewalRetryMaxDelay(), random);
    log.info("oidc-session manager started: {}, store {}", policy, store);
    if (b.indexSecret == null) {
      log.info(
          "no indexSecret set: back-channel logout indexes are unkeyed SHA-256 hashes of"
              + " (issuer, sid) and (issuer, subject)");
    }
  }

  /** A builder; only {@link Builder#renewer} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The policy in force. */
  public SessionPolicy policy() {
    return policy;
  }

  /**
   * Creates a session for tokens that the protocol layer has validated.
   *
   * @param tokens the login's tokens
   * @param attributes a few application strings to keep with the session
   * @return the handle for the cookie and the stored session
   * @throws IllegalArgumentException if the tokens have already expired
   * @throws SessionStoreUnavailableException if the store cannot be reached
   */
  public CreatedSession create(TokenSet tokens, Map<String, String> attributes) {
    Objects.requireNonNull(tokens, "tokens");
    Objects.requireNonNull(attributes, "attributes");
    Instant now = now();
    Instant expiresAt = policy.expiresAt(tokens, now);
    if (!expiresAt.isAfter(now)) {
      throw new IllegalArgumentException(
          "tokens must not be expired, but the session would end at " + expiresAt + ", now is " + now);
    }
    Instant renewAt = policy.renewAt(now, expiresAt, tokens.refreshToken().isPresent(), spread.next());
    for (int tries = 0; tries < 3; tries++) {
      SessionHandle handle = SessionHandle.generate(secureRandom);
      Session session =
          new Session(handle.storeKey(), tokens, now, now, now, expiresAt, renewAt, 1, attributes);
      // A collision of 256-bit random values does not happen; the loop keeps insert's contract.
      if (store.insert(entry(session, handle.encryptionKey()))) {
        log.debug("session {} created, expires {}, renews {}", session.key(), expiresAt, renewAt);
        fire(l -> l.created(session));
        return new CreatedSession(handle, session);
      }
    }
    throw new IllegalStateException("store refused three fresh 256-bit keys; is it broken?");
  }

  /** Creates a session without attributes; see {@link #create(TokenSet, Map)}. */
  public CreatedSession create(TokenSet tokens) {
    return create(tokens, Map.of());
  }

  /**
   * Resolves a cookie value to its session, applying the lifecycle: an expired or idle session is
   * ended and gives empty; a due renewal starts in the background; a required one is waited for.
   * One store read in the steady state (plus one write per tenth of the idle timeout, when set).
   *
   * @param cookieValue the session cookie's value, possibly {@code null}
   * @return the session to serve the request with, or empty when there is none
   * @throws SessionStoreUnavailableException if the store cannot be reached: not a logout
   */
  public Optional<Session> resolve(String cookieValue) {
    return resolve(cookieValue, false);
  }

  /**
   * Like {@link #resolve(String)}, but a due renewal is waited for (at most {@code
   * renewalWaitTimeout}) instead of run in the background: for a browser helper that asks on
   * purpose to renew, and wants the new {@code renewAt} in the answer.
   *
   * @throws SessionStoreUnavailableException if the store cannot be reached: not a logout
   */
  public Optional<Session> resolveAndRenew(String cookieValue) {
    return resolve(cookieValue, true);
  }

  private Optional<Session> resolve(String cookieValue, boolean awaitDueRenewal) {
    Optional<SessionHandle> parsed = SessionHandle.parse(cookieValue);
    if (parsed.isEmpty()) {
      return Optional.empty();
    }
    SessionHandle handle = parsed.get();
    Optional<Session> found = read(handle.storeKey(), handle::encryptionKey);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Session session = found.get();
    // Derived only now: a decoded-cache hit on a valid session never needs it.
    Supplier<SecretKey> key = handle::encryptionKey;
    Instant now = now();
    SessionState state = policy.assess(session, now);
    Optional<Session> served = switch (state) {
      case EXPIRED, IDLE -> {
        endStored(session, state.endReason().orElseThrow());
        yield Optional.empty();
      }
      case RENEW_AND_WAIT -> awaitRenewal(renewalFor(session, key.get()), session);
      case RENEW_IN_BACKGROUND -> {
        CompletableFuture<Optional<Session>> renewal = renewalFor(session, key.get());
        if (awaitDueRenewal) {
          yield awaitRenewal(renewal, session);
        }
        if (renewal != null && renewal.isDone() && !renewal.isCompletedExceptionally()) {
          yield renewal.join(); // the executor ran it inline
        }
        yield Optional.of(session);
      }
      case VALID -> Optional.of(session);
    };
    // One write path: every request served, waiting or not, counts as seen for the idle timeout.
    return served.map(s -> markSeen(s, key, now));
  }

  /**
   * Ends the session of a cookie value, for logout.
   *
   * @param reason why; usually {@link EndReason#LOGGED_OUT}
   * @return the session as it was (for revoking its refresh token and for {@code id_token_hint}),
   *     or empty when there was none or it could not be read (it is deleted all the same)
   * @throws SessionStoreUnavailableException if the store cannot be reached
   */
  public Optional<Session> end(String cookieValue, EndReason reason) {
    Objects.requireNonNull(reason, "reason");
    Optional<SessionHandle> parsed = SessionHandle.parse(cookieValue);
    if (parsed.isEmpty()) {
      return Optional.empty();
    }
    SessionHandle handle = parsed.get();
    Optional<Session> session = read(handle.storeKey(), handle::encryptionKey);
    decoded.forget(handle.storeKey());
    if (store.delete(handle.storeKey())) {
      renewals.remove(handle.storeKey());
      log.debug("session {} ended: {}", handle.storeKey(), reason);
      fire(l -> l.ended(new EndedSession(handle.storeKey(), reason, session)));
    }
    return session;
  }

  /**
   * Ends every session of the provider session {@code (issuer, sid)}: a back-channel logout with a
   * {@code sid}. Sessions are found by index, without being decrypted.
   *
   * @return how many sessions ended
   * @throws SessionStoreUnavailableException if the store cannot be reached
   */
  public int endBySid(String issuer, String sid) {
    return endByIndex(indexKey("sid", issuer, sid), EndReason.BACKCHANNEL_LOGOUT);
  }

  /**
   * Ends every session of the end-user {@code (issuer, subject)}: a back-channel logout without a
   * {@code sid}.
   *
   * @return how many sessions ended
   * @throws SessionStoreUnavailableException if the store cannot be reached
   */
  public int endBySubject(String issuer, String subject) {
    return endByIndex(indexKey("sub", issuer, subject), EndReason.BACKCHANNEL_LOGOUT);
  }

  /**
   * Stops the renewal executor if this manager created it, letting running renewals finish for up
   * to {@code renewalLease}. A user-supplied executor is left alone. The store is not closed.
   */
  @Override
  public void close() {
    if (!ownsExecutor) {
      return;
    }
    executor.shutdown();
    try {
      if (!executor.awaitTermination(policy.renewalLease().toMillis(), TimeUnit.MILLISECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Reading and writing

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private Optional<Session> read(StoreKey storeKey, SecretKey key) {
    return read(storeKey, () -> key);
  }

  /**
   * Reads and decrypts a session, or takes it from the decoded cache when the stored bytes are
   * exactly those it was decoded from (so a changed or tampered entry is always decrypted anew).
   */
  private Optional<Session> read(StoreKey storeKey, Supplier<SecretKey> key) {
    Optional<StoredEntry> found = store.find(storeKey);
    if (found.isEmpty()) {
      decoded.forget(storeKey);
      return Optional.empty();
    }
    StoredEntry entry = found.get();
    Optional<Session> cached = decoded.get(entry);
    if (cached.isPresent()) {
      return cached;
    }
    Optional<Session> session = SessionCodec.decode(entry, key.get());
    if (session.isEmpty()) {
      // Tampered, truncated or of another format: a clean logout for this user.
      log.debug("session {} is unreadable (bad ciphertext or unknown format); deleting it", storeKey);
      decoded.forget(storeKey);
      store.delete(storeKey);
    } else {
      decoded.put(entry, session.get());
    }
    return session;
  }

  private StoredEntry entry(Session session, SecretKey key) {
    Set<IndexKey> indexes = new HashSet<>();
    indexes.add(indexKey("sub", session.issuer(), session.subject()));
    session.sid().ifPresent(sid -> indexes.add(indexKey("sid", session.issuer(), sid)));
    return new StoredEntry(
        session.key(),
        SessionCodec.encode(session, key),
        session.version(),
        policy.storeExpiry(session),
        indexes);
  }

  /** A keyed (when {@code indexSecret} is set) hash of {@code (kind, issuer, value)}. */
  private IndexKey indexKey(String kind, String issuer, String value) {
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(value, "value");
    // Length-prefixed, so no two (issuer, value) pairs share an input.
    String input = kind + ":" + issuer.length() + ":" + issuer + value;
    return new IndexKey(
        Digests.base64Url(Digests.hmacSha256(indexKey, input.getBytes(StandardCharsets.UTF_8))));
  }

  private Session markSeen(Session session, Supplier<SecretKey> key, Instant now) {
    if (!policy.shouldMarkSeen(session, now)) {
      return session;
    }
    Session marked = withVersion(session, session.tokens(), session.renewedAt(), now,
        session.expiresAt(), session.renewAt(), session.version() + 1);
    // Losing this race to a renewal or another request's mark is fine: theirs is as recent.
    return store.replace(entry(marked, key.get()), session.version()) ? marked : session;
  }

  private static Session withVersion(Session s, TokenSet tokens, Instant renewedAt,
      Instant lastSeenAt, Instant expiresAt, Instant renewAt, long version) {
    return new Session(s.key(), tokens, s.createdAt(), renewedAt, lastSeenAt, expiresAt, renewAt,
        version, s.attributes());
  }

  private void endStored(Session session, EndReason reason) {
    renewals.remove(session.key());
    decoded.forget(session.key());
    if (store.delete(session.key())) {
      log.debug("session {} ended: {}", session.key(), reason);
      fire(l -> l.ended(new EndedSession(session.key(), reason, Optional.of(session))));
    }
  }

  private int endByIndex(IndexKey index, EndReason reason) {
    int ended = 0;
    for (StoreKey key : store.findKeys(index)) {
      decoded.forget(key);
      if (store.delete(key)) {
        ended++;
        renewals.remove(key);
        log.debug("session {} ended: {}", key, reason);
        fire(l -> l.ended(new EndedSession(key, reason, Optional.empty())));
      }
    }
    return ended;
  }

  private void fire(Consumer<SessionListener> event) {
    try {
      event.accept(listener);
    } catch (RuntimeException e) {
      log.warn("session listener threw; ignored", e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Renewal

  /**
   * Starts or joins the renewal of {@code seen}'s session.
   *
   * @return the running attempt, or null while the renewal backs off after a failure
   */
  private CompletableFuture<Optional<Session>> renewalFor(Session seen, SecretKey key) {
    Renewal[] created = {null};
    Renewal renewal =
        renewals.compute(
            seen.key(),
            (k, current) -> {
              if (current != null && !current.stale()) {
                return current;
              }
              created[0] = new Renewal(seen.key(), key);
              return created[0];
            });
    if (created[0] != null) {
      if (renewalsStarted.incrementAndGet() % SWEEP_EVERY == 0) {
        // Given-up renewals of sessions nobody came back to, and renewals whose task was lost.
        renewals.values().removeIf(Renewal::stale);
      }
      // Outside compute(): a direct executor runs the attempt right here.
      return created[0].begin(seen);
    }
    return renewal.attempt;
  }

  private Optional<Session> awaitRenewal(
      CompletableFuture<Optional<Session>> attempt, Session seen) {
    if (attempt == null) {
      return Optional.of(seen); // backing off after a transient failure: tokens still valid
    }
    try {
      return attempt.get(policy.renewalWaitTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | ExecutionException e) {
      log.debug("renewal of session {} not finished in time; serving current tokens", seen.key());
      return Optional.of(seen);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of(seen);
    }
  }

  /**
   * One session's renewal, from the first attempt to success, a terminal failure, or the last retry
   * that fits before {@code expiresAt}. Attempts of one renewal never overlap: each runs as one
   * task, and the next is scheduled only when the previous ended.
   */
  private final class Renewal {

    private final StoreKey storeKey;
    private final SecretKey key;
    /** The running attempt, which waiters join; null while backing off or after giving up. */
    private volatile CompletableFuture<Optional<Session>> attempt;
    private volatile long attemptStartedNanos;
    /** Tokens obtained from the provider but not yet stored (store outage): never lose them. */
    private volatile TokenSet unstored;
    /** Set when retries stopped; the entry stays until then so requests do not restart it. */
    private volatile Instant givenUpUntil;

    private int failures;

    Renewal(StoreKey storeKey, SecretKey key) {
      this.storeKey = storeKey;
      this.key = key;
      // Before the renewal is visible to other threads: a request that joins it right away
      // finds an attempt to wait for.
      newAttempt();
    }

    /** A renewal whose task was lost (discarded by an executor) or whose retries are over. */
    boolean stale() {
      Instant until = givenUpUntil;
      if (until != null) {
        return !clock.instant().isBefore(until);
      }
      long maxNanos = policy.renewalLease().plus(policy.renewalWaitTimeout()).toNanos();
      return attempt != null && System.nanoTime() - attemptStartedNanos > maxNanos;
    }

    CompletableFuture<Optional<Session>> begin(Session seen) {
      CompletableFuture<Optional<Session>> first = attempt;
      submit(() -> run(seen), Duration.ZERO);
      return first;
    }

    private CompletableFuture<Optional<Session>> newAttempt() {
      CompletableFuture<Optional<Session>> next = new CompletableFuture<>();
      attemptStartedNanos = System.nanoTime();
      attempt = next;
      return next;
    }

    private void submit(Runnable task, Duration delay) {
      try {
        if (delay.isZero()) {
          executor.execute(task);
        } else {
          executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        }
      } catch (RejectedExecutionException e) {
        log.warn("renewal executor rejected the renewal of session {}; current tokens kept",
            storeKey);
        finish(null);
      }
    }

    /** Ends this renewal: waiters get {@code result} (or their own session, when null). */
    private void finish(Optional<Session> result) {
      renewals.remove(storeKey, this);
      CompletableFuture<Optional<Session>> waiting = attempt;
      attempt = null;
      if (waiting != null) {
        if (result != null) {
          waiting.complete(result);
        } else {
          waiting.completeExceptionally(new IllegalStateException("renewal did not run"));
        }
      }
    }

    private void run(Session seen) {
      if (unstored != null) {
        // The provider already rotated the refresh token: only these tokens are good, so no other
        // server can renew successfully. Store them (a compare-and-set) without waiting for a lease.
        try {
          attemptUnderLease(seen);
        } catch (RuntimeException e) {
          retryLater(seen, TokenRenewalException.transientFailure(
              "renewal failed unexpectedly: " + e.getClass().getName(), e));
        }
        return;
      }
      Optional<Lease> lease;
      try {
        lease = store.tryLease(storeKey, policy.renewalLease());
      } catch (SessionStoreUnavailableException e) {
        retryLater(seen, TokenRenewalException.transientFailure("session store unavailable", e));
        return;
      }
      if (lease.isEmpty()) {
        // Another server renews: wait for its result instead of calling the provider.
        long polls = Math.max(1, policy.renewalLease().toNanos() / LEASE_POLL_INTERVAL.toNanos());
        submit(() -> poll(seen, polls), LEASE_POLL_INTERVAL);
        return;
      }
      try {
        attemptUnderLease(seen);
      } catch (RuntimeException e) {
        // A renewer or store bug must not log anyone out: keep the tokens, retry later.
        retryLater(seen, TokenRenewalException.transientFailure(
            "renewal failed unexpectedly: " + e.getClass().getName(), e));
      } finally {
        if (unstored == null) {
          try {
            store.release(lease.get());
          } catch (RuntimeException e) {
            log.debug("could not release the renewal lease of session {}; it expires by itself",
                storeKey);
          }
        }
        // else: keep the lease while the only valid refresh token is in this JVM, so no other
        // server presents the rotated-out one and gets the session ended by invalid_grant.
      }
    }

    private void attemptUnderLease(Session seen) {
      Optional<Session> read;
      try {
        read = read(storeKey, key);
      } catch (SessionStoreUnavailableException e) {
        retryLater(seen, TokenRenewalException.transientFailure("session store unavailable", e));
        return;
      }
      if (read.isEmpty()) {
        finish(Optional.empty()); // ended elsewhere meanwhile
        return;
      }
      Session current = read.get();
      if (!current.tokens().equals(seen.tokens()) && unstored == null) {
        finish(Optional.of(current)); // another renewal already replaced the tokens
        return;
      }
      SessionState state = policy.assess(current, now());
      if (state.ended()) {
        finish(Optional.empty());
        return;
      }
      if (state == SessionState.VALID) {
        finish(Optional.of(current));
        return;
      }
      TokenSet fresh = unstored;
      if (fresh == null) {
        try {
          fresh = renewer.renew(current.tokens());
        } catch (TokenRenewalException e) {
          if (e.isTransient()) {
            retryLater(current, e);
          } else {
            reject(current, e);
          }
          return;
        }
        Objects.requireNonNull(fresh, "TokenRenewer returned null");
        if (!fresh.idToken().sameIdentityAs(current.tokens().idToken())) {
          // OIDC Core 12.2: iss, sub and aud of a refreshed ID token must be the originals.
          reject(current, TokenRenewalException.terminal(
              "refreshed ID token changed iss, sub or aud (OIDC Core 12.2)"));
          return;
        }
        unstored = fresh;
      }
      try {
        Optional<Session> stored = store(current, fresh);
        unstored = null;
        finish(stored);
      } catch (SessionStoreUnavailableException e) {
        retryLater(current, TokenRenewalException.transientFailure(
            "session store unavailable while storing renewed tokens; they are kept for the retry",
            e));
      }
    }

    /** Writes the renewed session; re-bases on concurrent last-seen marks. */
    private Optional<Session> store(Session previous, TokenSet fresh) {
      Instant now = now();
      Instant expiresAt = policy.expiresAt(fresh, previous.createdAt());
      Instant renewAt =
          policy.renewAt(now, expiresAt, fresh.refreshToken().isPresent(), spread.next());
      Session base = previous;
      while (true) {
        Session renewed =
            withVersion(base, fresh, now, base.lastSeenAt(), expiresAt, renewAt, base.version() + 1);
        if (store.replace(entry(renewed, key), base.version())) {
          log.debug("session {} renewed, expires {}, renews {}", storeKey, expiresAt, renewAt);
          Session before = previous;
          fire(l -> l.renewed(before, renewed));
          return Optional.of(renewed);
        }
        Optional<Session> latest = read(storeKey, key);
        if (latest.isEmpty()) {
          log.debug("session {} ended while it was being renewed", storeKey);
          return Optional.empty();
        }
        if (!latest.get().tokens().equals(previous.tokens())) {
          log.warn("session {} was renewed twice (a lease outlived by a slow refresh?);"
              + " keeping the other renewal's tokens", storeKey);
          return latest;
        }
        base = latest.get(); // only lastSeenAt moved: write again on top of it
      }
    }

    /** A terminal failure: end the session unless another renewal succeeded (oauth2-proxy #1992). */
    private void reject(Session current, TokenRenewalException failure) {
      Optional<Session> latest = read(storeKey, key);
      if (latest.isPresent() && !latest.get().tokens().equals(current.tokens())) {
        finish(latest);
        return;
      }
      log.debug("renewal of session {} rejected: {}", storeKey, failure.getMessage());
      fire(l -> l.renewalFailed(current, failure, false));
      endStored(current, EndReason.RENEWAL_REJECTED);
      finish(Optional.empty());
    }

    /** A transient failure: serve waiters with the current tokens, retry with backoff. */
    private void retryLater(Session current, TokenRenewalException failure) {
      // Tokens already obtained wait in memory: store them again soon, not after a long backoff.
      Duration delay = unstored != null
          ? UNSTORED_RETRY_DELAY
          : backoff.delay(failures++, failure.retryAfter());
      // Never past expiresAt: the last retry is clamped to just before it rather than dropped.
      Duration left = Duration.between(now(), current.expiresAt()).minus(RETRY_MARGIN);
      if (delay.compareTo(left) > 0) {
        delay = left;
      }
      boolean retry = !delay.isNegative() && !delay.isZero();
      log.warn("renewal of session {} failed ({}); {}", storeKey, failure.getMessage(),
          retry ? "retrying in " + delay : "no retry fits before expiry " + current.expiresAt());
      fire(l -> l.renewalFailed(current, failure, retry));
      CompletableFuture<Optional<Session>> waiting = attempt;
      attempt = null;
      if (waiting != null) {
        waiting.complete(Optional.of(current));
      }
      if (!retry) {
        givenUpUntil = current.expiresAt();
        return;
      }
      submit(() -> {
        newAttempt();
        run(current);
      }, delay);
    }

    /** Waits for another server's renewal by re-reading; gives up when its lease must be over. */
    private void poll(Session seen, long pollsLeft) {
      Optional<Session> latest;
      try {
        latest = read(storeKey, key);
      } catch (SessionStoreUnavailableException e) {
        finish(Optional.of(seen));
        return;
      }
      if (latest.isEmpty()) {
        finish(Optional.empty());
      } else if (!latest.get().tokens().equals(seen.tokens()) || pollsLeft <= 1) {
        finish(latest);
      } else {
        submit(() -> poll(seen, pollsLeft - 1), LEASE_POLL_INTERVAL);
      }
    }
  }

  private static ScheduledExecutorService defaultExecutor() {
    AtomicInteger count = new AtomicInteger();
    ThreadFactory threads =
        runnable -> {
          Thread thread = new Thread(runnable, "oidc-session-renewal-" + count.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        };
    ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(4, threads);
    pool.setRemoveOnCancelPolicy(true);
    // close() lets running renewals finish; pending retries are dropped (the sessions stay valid).
    pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    return Executors.unconfigurableScheduledExecutorService(pool);
  }

  @Override
  public String toString() {
    return "SessionManager[" + policy + ", store=" + store + "]";
  }

  /**
   * Builds a {@link SessionManager}. Each setter may be called once; {@link #build()} requires a
   * {@link #renewer} and leaves the builder as it was.
   */
  public static final class Builder {

    private SessionStore store;
    private TokenRenewer renewer;
    private SessionPolicy policy;
    private Clock clock;
    private RandomGenerator random;
    private SecureRandom secureRandom;
    private SessionListener listener;
    private ScheduledExecutorService executor;
    private byte[] indexSecret;
    private Integer decodedCacheSize;

    private Builder() {}

    /**
     * How many decoded sessions to keep in memory, so that a request for an unchanged session
     * skips decryption and parsing (it still reads the store, and compares the stored bytes with
     * those the cached session came from). 0 turns the cache off; at most 1,000,000. Default 1,024
     * (a few MB with 1 KB tokens).
     */
    public Builder decodedCacheSize(int value) {
      if (value < 0 || value > DecodedSessions.MAX_ENTRIES) {
        throw new IllegalArgumentException("decodedCacheSize must be between 0 and "
            + DecodedSessions.MAX_ENTRIES + ", but was " + value);
      }
      decodedCacheSize = set(decodedCacheSize, value, "decodedCacheSize");
      return this;
    }

    /** Where sessions live. Default: an {@link InMemorySessionStore} on {@link #clock}. */
    public Builder store(SessionStore value) {
      store = set(store, value, "store");
      return this;
    }

    /** Renews tokens with the provider. Required. */
    public Builder renewer(TokenRenewer value) {
      renewer = set(renewer, value, "renewer");
      return this;
    }

    /** The lifecycle rules. Default: {@link SessionPolicy#defaults()}. */
    public Builder policy(SessionPolicy value) {
      policy = set(policy, value, "policy");
      return this;
    }

    /** Wall time for every expiry and renewal time. Default: {@link Clock#systemUTC()}. */
    public Builder clock(Clock value) {
      clock = set(clock, value, "clock");
      return this;
    }

    /** Randomness for renewal jitter and backoff (not for secrets). Default: L64X128MixRandom. */
    public Builder random(RandomGenerator value) {
      random = set(random, value, "random");
      return this;
    }

    /** Randomness for session handles. Default: a new {@link SecureRandom}. */
    public Builder secureRandom(SecureRandom value) {
      secureRandom = set(secureRandom, value, "secureRandom");
      return this;
    }

    /** Hears session events. Default: {@link SessionListener#NONE}. */
    public Builder listener(SessionListener value) {
      listener = set(listener, value, "listener");
      return this;
    }

    /**
     * Runs renewals and their retries. The manager does not shut down an executor it was given.
     * Default: 4 daemon threads named {@code oidc-session-renewal-N}, stopped by {@link #close()}.
     */
    public Builder executor(ScheduledExecutorService value) {
      executor = set(executor, value, "executor");
      return this;
    }

    /**
     * Keys the hashes that index sessions by {@code (issuer, sid)} and {@code (issuer, subject)},
     * so that a copy of the store does not reveal who is logged in. The same on every server that
     * shares the store; at least 32 bytes. Default: none (unkeyed SHA-256).
     */
    public Builder indexSecret(byte[] value) {
      Objects.requireNonNull(value, "indexSecret");
      if (value.length < 32) {
        throw new IllegalArgumentException(
            "indexSecret must be at least 32 bytes, but was " + value.length + " bytes");
      }
      indexSecret = set(indexSecret, value.clone(), "indexSecret");
      return this;
    }

    /**
     * Builds the manager.
     *
     * @throws IllegalStateException if no renewer was set
     */
    public SessionManager build() {
      if (renewer == null) {
        throw new IllegalStateException("renewer must be set, but was not");
      }
      return new SessionManager(this);
    }

    private static <T> T set(T current, T value, String name) {
      Objects.requireNonNull(value, name);
      if (current != null) {
        throw new IllegalStateException(name + " was already set");
      }
      return value;
    }
  }
}
