package dev.oidcsession.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A bounded cache of decrypted sessions, keyed by store key and valid only for the exact stored
 * bytes it was decoded from. A request still reads the store (one {@code GET}), but an unchanged
 * entry skips AES-GCM decryption and the parsing of its JSON and ID token. A renewal, a
 * last-seen mark, a write by another server or a tampered value all change the bytes, so they are
 * decoded (and authenticated) anew. When full, the oldest entry makes room (O(1)). Thread-safe:
 * each call holds a short lock.
 *
 * <p>A cached session keeps the {@link StoredEntry} it came from (whose bytes never change), not a
 * copy of its bytes: with the in-memory store that is the store's own entry, so the cache adds no
 * second copy of the ciphertext and a hit is an identity check.
 */
final class DecodedSessions {

  static final int DEFAULT_MAX_ENTRIES = 1024;

  private final int maxEntries;
  private final Map<StoreKey, Decoded> entries;

  DecodedSessions(int maxEntries) {
    this.maxEntries = maxEntries;
    this.entries = new LinkedHashMap<>(16, 0.75f, false) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<StoreKey, Decoded> eldest) {
        return size() > DecodedSessions.this.maxEntries;
      }
    };
  }

  /** The session decoded from exactly {@code entry}'s bytes and version, if cached. */
  Optional<Session> get(StoredEntry entry) {
    if (maxEntries == 0) {
      return Optional.empty();
    }
    Decoded hit;
    synchronized (entries) {
      hit = entries.get(entry.key());
    }
    if (hit == null) {
      return Optional.empty();
    }
    if (hit.entry != entry
        && (hit.entry.version() != entry.version() || !entry.hasValue(hit.entry.bytes()))) {
      return Optional.empty();
    }
    return Optional.of(hit.session);
  }

  void put(StoredEntry entry, Session session) {
    if (maxEntries == 0) {
      return;
    }
    Decoded decoded = new Decoded(entry, session);
    synchronized (entries) {
      entries.put(entry.key(), decoded);
    }
  }

  void forget(StoreKey key) {
    synchronized (entries) {
      entries.remove(key);
    }
  }

  private record Decoded(StoredEntry entry, Session session) {}
}
