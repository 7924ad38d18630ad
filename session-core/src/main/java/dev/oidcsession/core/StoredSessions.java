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
  }

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
      log.debug("session {} is unreadable (bad ciphertext or unknown format); deleting it", storeKey);
      decoded.forget(storeKey);
      store.delete(storeKey);
    } else {
      decoded.put(entry, session.get());
    }
    return session;
  }

  /** Stores a new session; false if the key is taken. */
  boolean insert(Session session, SecretKey key) {
    return store.insert(entry(session, key));
  }

  /** Replaces the stored session if its version is still {@code expectedVersion}. */
  boolean replace(Session session, SecretKey key, long expectedVersion) {
    return store.replace(entry(session, key), expectedVersion);
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
    // Losing this race to a renewal or another request's mark is fine: theirs is as recent.
    return replace(marked, key.get(), session.version()) ? marked : session;
  }

  /** Deletes {@code session} and tells the listener, if it was still stored. */
  void end(Session session, EndReason reason) {
    decoded.forget(session.key());
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
    Optional<Session> session = read(storeKey, key);
    decoded.forget(storeKey);
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
    session.sid().ifPresent(sid -> indexes.add(indexKey("sid", session.issuer(), sid)));
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
