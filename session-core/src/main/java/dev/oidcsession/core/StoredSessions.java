package dev.oidcsession.core;

import dev.oidcsession.core.internal.Digests;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.crypto.SecretKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions as the store keeps them: read (decoded cache, else decrypt; an unreadable entry is
 * deleted), written (encrypted, with index keys and the store expiry), marked seen, and ended with
 * the listener told. The one place that computes what goes into a {@link StoredEntry}.
 * Thread-safe; every method may throw {@link SessionStoreUnavailableException}.
 */
final class StoredSessions {

  private static final Logger log = LoggerFactory.getLogger(StoredSessions.class);

  private static final byte[] PUBLIC_INDEX_KEY =
      "oidc-session/v1/index".getBytes(StandardCharsets.US_ASCII);

  private final SessionStore store;
  private final SessionPolicy policy;
  private final Clock clock;
  private final DecodedSessions decoded;
  private final byte[] indexKey;
  private final SessionListener listener;
  /** Renewals of this JVM whose write no replica confirmed, by session: see {@link #hold}. */
  private final ConcurrentHashMap<StoreKey, Unconfirmed> unconfirmed = new ConcurrentHashMap<>();
  private final WarningDigest markFailures;
  private final WarningDigest cleanupFailures;
  private final WarningDigest restored;
  private final WarningDigest holdsFull;

  /**
   * @param indexSecret keys the index hashes; null for unkeyed SHA-256
   * @param listener hears every event; what it throws is logged and ignored
   */
  StoredSessions(SessionStore store, SessionPolicy policy, Clock clock, DecodedSessions decoded,
      byte[] indexSecret, SessionListener listener) {
    this.store = store;
    this.policy = policy;
    this.clock = clock;
    this.decoded = decoded;
    this.indexKey = indexSecret != null ? indexSecret.clone() : PUBLIC_INDEX_KEY;
    this.listener = listener;
    this.markFailures = new WarningDigest(log, clock, "{} last-seen mark write(s) failed since {};"
        + " the sessions were served, a later request marks them; last failure: {}");
    this.cleanupFailures = new WarningDigest(log, clock, "{} deletion(s) of unreadable or ended"
        + " sessions failed since {}; they were treated as absent and the store drops them at"
        + " their expiry; last failure: {}");
    this.restored = new WarningDigest(log, clock, "{} session(s) found at the version before a"
        + " renewal whose write no replica had acknowledged (a store failover?) since {}; their"
        + " renewed tokens were written again; last: {}");
    this.holdsFull = new WarningDigest(log, clock, "{} unconfirmed renewal(s) not held in memory"
        + " since {} (already " + MAX_UNCONFIRMED + " held); a failover now could lose them;"
        + " last: {}");
  }

  /** At most this many unconfirmed renewals are held (a few KB each). */
  static final int MAX_UNCONFIRMED = 10_000;

  /** At most this many token sets an unconfirmed renewal remembers as superseded. */
  private static final int MAX_SUPERSEDED = 8;

  /**
   * Renewed tokens whose write is not confirmed, and the tokens they superseded: a read that finds
   * one of those instead has met a store that lost the write.
   */
  private record Unconfirmed(Session renewed, List<TokenSet> superseded) {}

  /** Wall time, in whole milliseconds like every stored time. */
  Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  /**
   * Reads and decrypts a session, or takes it from the decoded cache when the stored bytes are
   * exactly those it was decoded from (so a changed or tampered entry is always decrypted anew).
   * An entry that cannot be decoded is deleted: a clean logout for that user.
   */
  Optional<Session> read(StoreKey storeKey, Supplier<SecretKey> key) {
    for (int tries = 0; ; tries++) {
      Optional<Session> session = readOnce(storeKey, key);
      Unconfirmed held = unconfirmed.get(storeKey);
      if (session.isEmpty() || held == null) {
        return session;
      }
      Optional<Session> reconciled = reconcile(session.get(), held, key.get());
      if (reconciled.isPresent() || tries >= 2) {
        return reconciled.or(() -> session);
      }
      // Written by someone else meanwhile: read again.
    }
  }

  private Optional<Session> readOnce(StoreKey storeKey, Supplier<SecretKey> key) {
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
      decoded.forget(storeKey);
      if (SessionCodec.isRetiredFormat(entry)) {
        endRetired(storeKey);
      } else {
        log.debug("session {} is unreadable (bad ciphertext or unknown format); deleting it",
            storeKey);
        deleteQuietly(storeKey);
      }
    } else {
      decoded.put(entry, session.get());
    }
    return session;
  }

  /**
   * Compares what the store holds with a renewal of this JVM whose write was not confirmed. The
   * renewed tokens: still unconfirmed, served. Tokens the renewal superseded: the store lost the
   * write (a failover to a replica that had not received it), so the renewed tokens are written
   * again, since the provider has rotated the refresh token the store now holds. Anything else: a
   * later renewal replaced both, the hold is over.
   *
   * @return the session to serve, or empty when a concurrent write made the store read again
   */
  private Optional<Session> reconcile(Session found, Unconfirmed held, SecretKey key) {
    Session renewed = held.renewed();
    if (found.tokens().equals(renewed.tokens())) {
      return Optional.of(found);
    }
    if (!held.superseded().contains(found.tokens()) || !renewed.expiresAt().isAfter(now())) {
      unconfirmed.remove(found.key(), held);
      return Optional.of(found);
    }
    Session restoring = found.renewed(renewed.tokens(), renewed.renewedAt(), renewed.expiresAt(),
        renewed.renewAt());
    ReplaceResult result;
    try {
      result = replace(restoring, key, found.version());
    } catch (SessionStoreUnavailableException e) {
      // Serve the held tokens at the stored version: a renewal from this session replaces the
      // stored one (compare-and-set on that version) and never presents the superseded token.
      log.debug("session {}: writing the held renewed tokens again failed", found.key());
      return Optional.of(restoring.atVersion(found.version()));
    }
    switch (result) {
      case CONFLICT -> {
        return Optional.empty();
      }
      case STORED_UNCONFIRMED -> unconfirmed.put(found.key(),
          new Unconfirmed(restoring, held.superseded()));
      case STORED -> { } // replace() ended the hold
    }
    restored.record(found.key().toString());
    return Optional.of(restoring);
  }

  /**
   * Keeps the renewed tokens of {@code renewed}, whose write the store stored but could not
   * confirm, until a confirmed write, a later renewal or the session's end: a read that finds the
   * store back at {@code previous} (or at tokens an earlier unconfirmed renewal superseded) writes
   * them again.
   */
  void hold(Session renewed, TokenSet previous) {
    unconfirmed.compute(renewed.key(), (k, earlier) -> {
      List<TokenSet> superseded = new ArrayList<>();
      if (earlier != null) {
        superseded.addAll(earlier.superseded());
      } else if (unconfirmed.size() >= MAX_UNCONFIRMED) {
        holdsFull.record(k.toString());
        return null;
      }
      superseded.add(previous);
      while (superseded.size() > MAX_SUPERSEDED) {
        superseded.remove(0);
      }
      return new Unconfirmed(renewed, List.copyOf(superseded));
    });
  }

  /** Whether a renewal of {@code key} waits for confirmation in this JVM (for tests). */
  boolean holds(StoreKey key) {
    return unconfirmed.containsKey(key);
  }

  /** Stores a new session; false if the key is taken. */
  boolean insert(Session session, SecretKey key) {
    return store.insert(entry(session, key));
  }

  /**
   * Replaces the stored session if its version is still {@code expectedVersion}. A confirmed write
   * ends any hold of unconfirmed renewed tokens of the session: the store now keeps what this JVM
   * last wrote.
   */
  ReplaceResult replace(Session session, SecretKey key, long expectedVersion) {
    ReplaceResult result = store.replaceConfirmed(entry(session, key), expectedVersion);
    if (result == ReplaceResult.STORED) {
      Unconfirmed held = unconfirmed.get(session.key());
      if (held != null && session.tokens().equals(held.renewed().tokens())) {
        unconfirmed.remove(session.key(), held);
      }
    }
    return result;
  }

  /**
   * The session a request at {@code now} is served with: marked seen (one compare-and-set write)
   * when an idle timeout is set and the last mark is a tenth of it old, else as it is.
   */
  Session serve(Session session, Supplier<SecretKey> key, Instant now) {
    if (!policy.shouldMarkSeen(session, now)) {
      return session;
    }
    Session marked = session.seenAt(now);
    try {
      // Losing this race to a renewal or another request's mark is fine: theirs is as recent.
      return replace(marked, key.get(), session.version()).replaced() ? marked : session;
    } catch (SessionStoreUnavailableException e) {
      // Review #5: the mark is best effort; the session was read, so serve it (a later request
      // marks it). Failing here would turn a readable session into a 503 during a failover.
      log.debug("session {}: last-seen mark not written ({})", session.key(), e.getMessage());
      markFailures.record(e.getMessage());
      return session;
    }
  }

  /**
   * Ends a session found expired or idle: as {@link #end(Session, EndReason)}, but a failed delete
   * is logged, not thrown (the session is over either way and the store drops it at its expiry).
   */
  void endExpired(Session session, EndReason reason) {
    try {
      end(session, reason);
    } catch (SessionStoreUnavailableException e) {
      log.debug("session {} ended ({}) but not deleted ({})", session.key(), reason,
          e.getMessage());
      cleanupFailures.record(e.getMessage());
    }
  }

  /** Deletes {@code session} and tells the listener, if it was still stored. */
  void end(Session session, EndReason reason) {
    decoded.forget(session.key());
    unconfirmed.remove(session.key());
    if (store.delete(session.key())) {
      log.debug("session {} ended: {}", session.key(), reason);
      fire(l -> l.ended(new EndedSession(session.key(), reason, Optional.of(session))));
    }
  }

  /**
   * Deletes the session at {@code storeKey} and tells the listener, if it was stored.
   *
   * @return the session as it was, when it could be read
   */
  Optional<Session> end(StoreKey storeKey, Supplier<SecretKey> key, EndReason reason) {
    Optional<Session> session = readOnce(storeKey, key);
    decoded.forget(storeKey);
    unconfirmed.remove(storeKey);
    if (store.delete(storeKey)) {
      log.debug("session {} ended: {}", storeKey, reason);
      fire(l -> l.ended(new EndedSession(storeKey, reason, session)));
    }
    return session;
  }

  /**
   * Ends every session indexed under {@code (kind, issuer, value)}, without decrypting them.
   *
   * @return the keys of the sessions that ended
   */
  List<StoreKey> endByIndex(String kind, String issuer, String value, EndReason reason) {
    List<StoreKey> ended = new ArrayList<>();
    for (StoreKey key : store.findKeys(indexKey(kind, issuer, value))) {
      decoded.forget(key);
      unconfirmed.remove(key);
      if (store.delete(key)) {
        ended.add(key);
        log.debug("session {} ended: {}", key, reason);
        fire(l -> l.ended(new EndedSession(key, reason, Optional.empty())));
      }
    }
    return ended;
  }

  /** Takes the renewal lease of a session; empty when another holder has it. */
  Optional<Lease> tryLease(StoreKey key, Duration ttl) {
    return store.tryLease(key, ttl);
  }

  /** Extends a lease this JVM holds; false when it is no longer held. */
  boolean extendLease(Lease lease, Duration ttl) {
    return store.extendLease(lease, ttl);
  }

  /**
   * Ends a session stored in the retired format 1: deleted, and the listener hears {@link
   * EndReason#STORED_FORMAT_RETIRED} (without the session, which is not decrypted). A failed delete
   * is logged: the entry is no session either way, and the next read tries again.
   */
  private void endRetired(StoreKey storeKey) {
    unconfirmed.remove(storeKey);
    boolean deleted;
    try {
      deleted = store.delete(storeKey);
    } catch (SessionStoreUnavailableException e) {
      log.debug("session {}: deleting the entry of a retired format failed ({})", storeKey,
          e.getMessage());
      cleanupFailures.record(e.getMessage());
      return;
    }
    if (deleted) {
      log.debug("session {} ended: {}", storeKey, EndReason.STORED_FORMAT_RETIRED);
      fire(l -> l.ended(new EndedSession(storeKey, EndReason.STORED_FORMAT_RETIRED,
          Optional.empty())));
    }
  }

  private void deleteQuietly(StoreKey storeKey) {
    try {
      store.delete(storeKey);
    } catch (SessionStoreUnavailableException e) {
      // Review #5: an unreadable entry is no session whether or not it could be deleted now.
      log.debug("session {}: deleting the unreadable entry failed ({})", storeKey, e.getMessage());
      cleanupFailures.record(e.getMessage());
    }
  }

  /** Gives a lease back; a failure is logged, as the lease expires by itself. */
  void release(Lease lease) {
    try {
      store.release(lease);
    } catch (RuntimeException e) {
      log.debug("could not release the renewal lease of session {}; it expires by itself",
          lease.key());
    }
  }

  /** Tells the listener; what it throws is logged at WARN and ignored. */
  void fire(Consumer<SessionListener> event) {
    try {
      event.accept(listener);
    } catch (RuntimeException e) {
      log.warn("session listener threw; ignored", e);
    }
  }

  private StoredEntry entry(Session session, SecretKey key) {
    Set<IndexKey> indexes = new HashSet<>();
    indexes.add(indexKey("sub", session.issuer(), session.subject()));
    // Review #2: the login's sid, kept across renewals; and the current ID token's, if another.
    session.sid().ifPresent(sid -> indexes.add(indexKey("sid", session.issuer(), sid)));
    session.tokens().idToken().sid()
        .ifPresent(sid -> indexes.add(indexKey("sid", session.issuer(), sid)));
    return new StoredEntry(
        session.key(),
        SessionCodec.encode(session, key),
        session.version(),
        policy.storeExpiry(session),
        indexes);
  }

  /** A keyed (when an index secret is set) hash of {@code (kind, issuer, value)}. */
  private IndexKey indexKey(String kind, String issuer, String value) {
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(value, "value");
    // Length-prefixed, so no two (issuer, value) pairs share an input.
    String input = kind + ":" + issuer.length() + ":" + issuer + value;
    return new IndexKey(
        Digests.base64Url(Digests.hmacSha256(indexKey, input.getBytes(StandardCharsets.UTF_8))));
  }

  @Override
  public String toString() {
    return store.toString();
  }
}
