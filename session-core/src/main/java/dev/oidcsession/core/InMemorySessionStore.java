package dev.oidcsession.core;

import dev.oidcsession.core.internal.Digests;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The default store: sessions in this JVM's heap. The right choice for a single server; sessions
 * do not survive a restart and are not shared between servers (use the Redis store for that).
 *
 * <p>Reads ({@link #find}) are a single lock-free map lookup and never write. Expired entries and
 * leases are invisible at once and removed by the next write, in order of expiry, without a thread
 * or timer per entry: each entry and lease has exactly one node in an expiry queue, so memory per
 * session is bounded by its encrypted value plus a constant. Thread-safe; every method is atomic.
 */
public final class InMemorySessionStore implements SessionStore {

  private static final Comparator<Expiry> EXPIRY_ORDER =
      Comparator.comparing(Expiry::at).thenComparingLong(Expiry::stamp);

  private final Clock clock;
  private final ConcurrentHashMap<StoreKey, Held> entries = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<IndexKey, Set<StoreKey>> indexes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<StoreKey, HeldLease> leases = new ConcurrentHashMap<>();
  private final ConcurrentSkipListSet<Expiry> expiries = new ConcurrentSkipListSet<>(EXPIRY_ORDER);
  private final AtomicLong stamps = new AtomicLong();
  private final SecureRandom ownerRandom = new SecureRandom();

  /**
   * Creates an empty store.
   *
   * @param clock the clock that decides expiry; the session manager's clock
   */
  public InMemorySessionStore(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Optional<StoredEntry> find(StoreKey key) {
    Objects.requireNonNull(key, "key");
    Held held = entries.get(key);
    return held == null || held.expired(clock.instant())
        ? Optional.empty()
        : Optional.of(held.entry);
  }

  @Override
  public boolean insert(StoredEntry entry) {
    Objects.requireNonNull(entry, "entry");
    entry.requireNew();
    Instant now = clock.instant();
    sweep(now);
    boolean[] inserted = {false};
    entries.compute(
        entry.key(),
        (key, current) -> {
          if (current != null && !current.expired(now)) {
            return current;
          }
          if (current != null) {
            forget(current);
          }
          inserted[0] = true;
          return remember(entry);
        });
    return inserted[0];
  }

  @Override
  public boolean replace(StoredEntry entry, long expectedVersion) {
    Objects.requireNonNull(entry, "entry");
    entry.requireSuccessorOf(expectedVersion);
    Instant now = clock.instant();
    sweep(now);
    boolean[] replaced = {false};
    entries.computeIfPresent(
        entry.key(),
        (key, current) -> {
          if (current.expired(now) || current.entry.version() != expectedVersion) {
            return current;
          }
          // Index the new entry before unindexing the old one, so findKeys never misses it.
          Held next = remember(entry);
          expiries.remove(current.expiry);
          unindex(current.entry, entry.indexKeys());
          replaced[0] = true;
          return next;
        });
    return replaced[0];
  }

  @Override
  public boolean delete(StoreKey key) {
    Objects.requireNonNull(key, "key");
    Instant now = clock.instant();
    boolean[] deleted = {false};
    entries.computeIfPresent(
        key,
        (k, current) -> {
          deleted[0] = !current.expired(now);
          forget(current);
          return null;
        });
    sweep(now);
    return deleted[0];
  }

  @Override
  public Set<StoreKey> findKeys(IndexKey index) {
    Objects.requireNonNull(index, "index");
    Set<StoreKey> keys = indexes.get(index);
    if (keys == null) {
      return Set.of();
    }
    Instant now = clock.instant();
    return keys.stream()
        .filter(
            key -> {
              Held held = entries.get(key);
              return held != null
                  && !held.expired(now)
                  && held.entry.indexKeys().contains(index);
            })
        .collect(Collectors.toUnmodifiableSet());
  }

  @Override
  public Optional<Lease> tryLease(StoreKey key, Duration ttl) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("lease ttl must be positive, but was " + ttl);
    }
    Instant now = clock.instant();
    sweep(now);
    byte[] ownerBytes = new byte[16];
    ownerRandom.nextBytes(ownerBytes);
    Lease wanted = new Lease(key, Digests.base64Url(ownerBytes));
    HeldLease result =
        leases.compute(
            key,
            (k, current) -> {
              if (current != null && current.expiresAt.isAfter(now)) {
                return current;
              }
              if (current != null) {
                expiries.remove(current.expiry);
              }
              Expiry expiry = new Expiry(now.plus(ttl), key, stamps.incrementAndGet(), true);
              expiries.add(expiry);
              return new HeldLease(wanted, now.plus(ttl), expiry);
            });
    return result.lease.equals(wanted) ? Optional.of(wanted) : Optional.empty();
  }

  @Override
  public boolean extendLease(Lease lease, Duration ttl) {
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("lease ttl must be positive, but was " + ttl);
    }
    Instant now = clock.instant();
    sweep(now);
    boolean[] extended = {false};
    leases.computeIfPresent(
        lease.key(),
        (k, current) -> {
          if (!current.lease.equals(lease) || !current.expiresAt.isAfter(now)) {
            return current;
          }
          expiries.remove(current.expiry);
          Expiry expiry = new Expiry(now.plus(ttl), k, stamps.incrementAndGet(), true);
          expiries.add(expiry);
          extended[0] = true;
          return new HeldLease(lease, now.plus(ttl), expiry);
        });
    return extended[0];
  }

  @Override
  public void release(Lease lease) {
    Objects.requireNonNull(lease, "lease");
    leases.computeIfPresent(
        lease.key(),
        (k, current) -> {
          if (!current.lease.equals(lease)) {
            return current;
          }
          expiries.remove(current.expiry);
          return null;
        });
  }

  /** The number of live and not yet swept entries; for tests and metrics. */
  public int size() {
    return entries.size();
  }

  /** Removes every entry and lease whose expiry is at or before {@code now}, oldest first. */
  private void sweep(Instant now) {
    for (Expiry next = first(); next != null && !next.at.isAfter(now); next = first()) {
      Expiry head = next;
      if (!expiries.remove(head)) {
        continue; // another thread took it
      }
      if (head.lease) {
        leases.computeIfPresent(
            head.key, (k, current) -> current.expiry.equals(head) ? null : current);
      } else {
        entries.computeIfPresent(
            head.key,
            (k, current) -> {
              if (!current.expiry.equals(head)) {
                return current;
              }
              unindex(current.entry);
              return null;
            });
      }
    }
  }

  private Expiry first() {
    try {
      return expiries.first();
    } catch (java.util.NoSuchElementException e) {
      return null; // emptied by another thread
    }
  }

  private Held remember(StoredEntry entry) {
    Expiry expiry = new Expiry(entry.expiresAt(), entry.key(), stamps.incrementAndGet(), false);
    expiries.add(expiry);
    for (IndexKey index : entry.indexKeys()) {
      indexes.compute(
          index,
          (k, keys) -> {
            Set<StoreKey> set = keys != null ? keys : ConcurrentHashMap.newKeySet();
            set.add(entry.key());
            return set;
          });
    }
    return new Held(entry, expiry);
  }

  private void forget(Held held) {
    expiries.remove(held.expiry);
    unindex(held.entry);
  }

  private void unindex(StoredEntry entry) {
    unindex(entry, Set.of());
  }

  /** Removes {@code entry} from its indexes, except those in {@code keep}. */
  private void unindex(StoredEntry entry, Set<IndexKey> keep) {
    for (IndexKey index : entry.indexKeys()) {
      if (keep.contains(index)) {
        continue;
      }
      indexes.computeIfPresent(
          index,
          (k, keys) -> {
            keys.remove(entry.key());
            return keys.isEmpty() ? null : keys;
          });
    }
  }

  /** One node of the expiry queue; {@code stamp} makes nodes with equal times distinct. */
  private record Expiry(Instant at, StoreKey key, long stamp, boolean lease) {}

  private record Held(StoredEntry entry, Expiry expiry) {
    boolean expired(Instant now) {
      return !entry.expiresAt().isAfter(now);
    }
  }

  private record HeldLease(Lease lease, Instant expiresAt, Expiry expiry) {}

  @Override
  public String toString() {
    return "InMemorySessionStore[entries=" + entries.size() + "]";
  }
}
