package dev.oidcsession.core;

import static dev.oidcsession.core.internal.Settings.between;
import static dev.oidcsession.core.internal.Settings.once;

import dev.oidcsession.core.internal.Settings;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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

  private final SessionStore store;
  private final SessionPolicy policy;
  private final SecureRandom secureRandom;
  private final HandleCache handles;
  private final ScheduledExecutorService executor;
  private final boolean ownsExecutor;
  private final RenewalSpread spread;
  private final StoredSessions stored;
  private final Renewals renewals;

  private SessionManager(Builder b) {
    Clock clock = b.clock != null ? b.clock : Clock.systemUTC();
    this.store = b.store != null ? b.store : new InMemorySessionStore(clock);
    this.policy = b.policy != null ? b.policy : SessionPolicy.defaults();
    this.secureRandom = b.secureRandom != null ? b.secureRandom : new SecureRandom();
    RandomGenerator random =
        b.random != null ? b.random : RandomGenerator.of("L64X128MixRandom");
    SessionListener listener = b.listener != null ? b.listener : SessionListener.NONE;
    this.ownsExecutor = b.executor == null;
    this.executor = b.executor != null ? b.executor : Renewals.defaultExecutor();
    this.spread = new RenewalSpread(random, policy.renewalInterval(), policy.renewalJitter());
    int decodedEntries = b.decodedCacheSize != null
        ? b.decodedCacheSize : DecodedSessions.DEFAULT_MAX_ENTRIES;
    DecodedSessions decoded = new DecodedSessions(decodedEntries);
    this.handles = new HandleCache(decodedEntries, secureRandom);
    this.stored = new StoredSessions(store, policy, clock, decoded, b.indexSecret, listener);
    Backoff backoff =
        new Backoff(policy.renewalRetryInitialDelay(), policy.renewalRetryMaxDelay(), random);
    this.renewals = new Renewals(
        Renewal.Context.create(stored, b.renewer, policy, clock, backoff, spread, executor,
            System::nanoTime));
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
    Instant now = stored.now();
    Instant expiresAt = policy.expiresAt(tokens, now);
    if (!expiresAt.isAfter(now)) {
      throw new IllegalArgumentException(
          "tokens must not be expired, but the session would end at " + expiresAt + ", now is " + now);
    }
    boolean renewable = tokens.refreshToken().isPresent()
        && policy.canExtend(tokens, now, expiresAt, true);
    Instant renewAt = policy.renewAt(now, expiresAt, renewable, spread.next(now));
    for (int tries = 0; tries < 3; tries++) {
      SessionHandle handle = SessionHandle.generate(secureRandom);
      Session session =
          new Session(handle.storeKey(), tokens, now, now, now, expiresAt, renewAt, 1, attributes);
      // A collision of 256-bit random values does not happen; the loop keeps insert's contract.
      if (stored.insert(session, handle.encryptionKey())) {
        log.debug("session {} created, expires {}, renews {}", session.key(), expiresAt, renewAt);
        stored.fire(l -> l.created(session));
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
    SessionHandle remembered = handles.find(cookieValue);
    Optional<SessionHandle> parsed =
        remembered != null ? Optional.of(remembered) : SessionHandle.parse(cookieValue);
    if (parsed.isEmpty()) {
      return Optional.empty();
    }
    SessionHandle handle = parsed.get();
    // Derived only when needed: a decoded-cache hit on a valid session never needs it.
    Supplier<SecretKey> key = handle::encryptionKey;
    Optional<Session> found = stored.read(handle.storeKey(), key);
    if (found.isEmpty()) {
      if (remembered != null) {
        handles.forget(cookieValue);
      }
      return Optional.empty();
    }
    if (remembered == null) {
      handles.remember(cookieValue, handle);
    }
    Session session = found.get();
    Instant now = stored.now();
    SessionState state = policy.assess(session, now);
    Optional<Session> served = switch (state) {
      case EXPIRED, IDLE -> {
        handles.forget(cookieValue);
        end(session, state.endReason().orElseThrow());
        yield Optional.empty();
      }
      case RENEW_AND_WAIT -> renewals.await(renewals.start(session, key.get()), session).served();
      case RENEW_IN_BACKGROUND -> {
        CompletableFuture<RenewalOutcome> renewal = renewals.start(session, key.get());
        // Done already: backing off, or an inline executor ran it; either way nothing to wait for.
        yield awaitDueRenewal || renewal.isDone()
            ? renewals.await(renewal, session).served()
            : Optional.of(session);
      }
      case VALID -> Optional.of(session);
    };
    // Every request served, waiting or not, counts as seen for the idle timeout.
    return served.map(s -> stored.serve(s, key, now));
  }

  /** The memo of found sessions' handles (tests). */
  HandleCache handles() {
    return handles;
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
    handles.forget(cookieValue);
    SessionHandle handle = parsed.get();
    Optional<Session> session = stored.end(handle.storeKey(), handle::encryptionKey, reason);
    renewals.forget(handle.storeKey());
    // Again once deleted: a request resolving it meanwhile may have remembered it after the first.
    handles.forget(cookieValue);
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
    return endByIndex("sid", issuer, sid);
  }

  /**
   * Ends every session of the end-user {@code (issuer, subject)}: a back-channel logout without a
   * {@code sid}.
   *
   * @return how many sessions ended
   * @throws SessionStoreUnavailableException if the store cannot be reached
   */
  public int endBySubject(String issuer, String subject) {
    return endByIndex("sub", issuer, subject);
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

  private void end(Session session, EndReason reason) {
    renewals.forget(session.key());
    stored.endExpired(session, reason);
  }

  private int endByIndex(String kind, String issuer, String value) {
    var ended = stored.endByIndex(kind, issuer, value, EndReason.BACKCHANNEL_LOGOUT);
    ended.forEach(renewals::forget);
    handles.forgetAll(Set.copyOf(ended));
    return ended.size();
  }

  @Override
  public String toString() {
    return "SessionManager[" + policy + ", store=" + store + "]";
  }

  /** The largest {@link Builder#decodedCacheSize}. */
  public static final int MAX_DECODED_CACHE_SIZE = 1_000_000;

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
     * (a few MB with 1 KB tokens). It also sizes the memo of recently found sessions' handles (their
     * derived keys, about 4 slots per entry of 350 bytes each once used; 0 turns it off too).
     */
    public Builder decodedCacheSize(int value) {
      once(decodedCacheSize, "decodedCacheSize");
      decodedCacheSize = between(value, 0, MAX_DECODED_CACHE_SIZE, "decodedCacheSize");
      return this;
    }

    /** Where sessions live. Default: an {@link InMemorySessionStore} on {@link #clock}. */
    public Builder store(SessionStore value) {
      store = once(store, value, "store");
      return this;
    }

    /** Renews tokens with the provider. Required. */
    public Builder renewer(TokenRenewer value) {
      renewer = once(renewer, value, "renewer");
      return this;
    }

    /** The lifecycle rules. Default: {@link SessionPolicy#defaults()}. */
    public Builder policy(SessionPolicy value) {
      policy = once(policy, value, "policy");
      return this;
    }

    /** Wall time for every expiry and renewal time. Default: {@link Clock#systemUTC()}. */
    public Builder clock(Clock value) {
      clock = once(clock, value, "clock");
      return this;
    }

    /** Randomness for renewal jitter and backoff (not for secrets). Default: L64X128MixRandom. */
    public Builder random(RandomGenerator value) {
      random = once(random, value, "random");
      return this;
    }

    /** Randomness for session handles. Default: a new {@link SecureRandom}. */
    public Builder secureRandom(SecureRandom value) {
      secureRandom = once(secureRandom, value, "secureRandom");
      return this;
    }

    /** Hears session events. Default: {@link SessionListener#NONE}. */
    public Builder listener(SessionListener value) {
      listener = once(listener, value, "listener");
      return this;
    }

    /**
     * Runs renewals and their retries. The manager does not shut down an executor it was given.
     * Default: 4 daemon threads named {@code oidc-session-renewal-N}, stopped by {@link #close()}.
     */
    public Builder executor(ScheduledExecutorService value) {
      executor = once(executor, value, "executor");
      return this;
    }

    /**
     * Keys the hashes that index sessions by {@code (issuer, sid)} and {@code (issuer, subject)},
     * so that a copy of the store does not reveal who is logged in. The same on every server that
     * shares the store; at least 32 bytes. Default: none (unkeyed SHA-256).
     */
    public Builder indexSecret(byte[] value) {
      Objects.requireNonNull(value, "indexSecret");
      Settings.onceSecret(indexSecret, "indexSecret");
      if (value.length < 32) {
        throw new IllegalArgumentException(
            "indexSecret must be at least 32 bytes, but was " + value.length + " bytes");
      }
      indexSecret = value.clone();
      return this;
    }

    /**
     * Builds the manager.
     *
     * @throws IllegalStateException if no renewer was set, or the policy's {@code renewalLease} is
     *     not longer than the renewer's {@link TokenRenewer#maxCallDuration()}
     */
    public SessionManager build() {
      if (renewer == null) {
        throw new IllegalStateException("renewer must be set, but was not");
      }
      Duration lease = policy != null ? policy.renewalLease() : SessionPolicy.DEFAULT_RENEWAL_LEASE;
      Optional<Duration> maxCall = renewer.maxCallDuration();
      // Review #13: a call that outlives the lease could spend a rotating refresh token while
      // another server, holding the lease after it ran out, spends it too.
      if (maxCall.isPresent() && lease.compareTo(maxCall.get()) <= 0) {
        throw new IllegalStateException("renewalLease must be longer than the renewer's"
            + " maxCallDuration (" + maxCall.get() + "), but was " + lease);
      }
      return new SessionManager(this);
    }
  }
}
