package dev.oidcsession.core;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * A replicated store played with two {@link InMemorySessionStore}s: a primary and a replica that
 * receives every write, until it is {@linkplain #freezeReplica() frozen}. While frozen, writes go
 * to the primary only and a replace reports {@link ReplaceResult#STORED_UNCONFIRMED}, as Redis's
 * {@code WAIT 1} does when no replica acknowledges. {@link #failover()} promotes the replica: the
 * writes it missed (entries and leases) are lost, as in a Redis failover.
 */
final class FailoverStore implements SessionStore {

  private volatile InMemorySessionStore primary;
  private volatile InMemorySessionStore replica;
  private volatile boolean frozen;

  FailoverStore(Clock clock) {
    primary = new InMemorySessionStore(clock);
    replica = new InMemorySessionStore(clock);
  }

  /** The replica stops applying writes. */
  void freezeReplica() {
    frozen = true;
  }

  /** The primary is lost; the replica, with what it had applied, is the only server from now on. */
  void failover() {
    primary = replica;
    replica = null;
    frozen = false;
  }

  private InMemorySessionStore replicating() {
    InMemorySessionStore r = replica;
    return frozen ? null : r;
  }

  @Override
  public Optional<StoredEntry> find(StoreKey key) {
    return primary.find(key);
  }

  @Override
  public boolean insert(StoredEntry entry) {
    boolean inserted = primary.insert(entry);
    InMemorySessionStore r = replicating();
    if (inserted && r != null) {
      r.insert(entry);
    }
    return inserted;
  }

  @Override
  public boolean replace(StoredEntry entry, long expectedVersion) {
    return replaceConfirmed(entry, expectedVersion).replaced();
  }

  @Override
  public ReplaceResult replaceConfirmed(StoredEntry entry, long expectedVersion) {
    if (!primary.replace(entry, expectedVersion)) {
      return ReplaceResult.CONFLICT;
    }
    if (replica == null) {
      return ReplaceResult.STORED; // no replica left to lose it to
    }
    InMemorySessionStore r = replicating();
    if (r == null) {
      return ReplaceResult.STORED_UNCONFIRMED;
    }
    r.replace(entry, expectedVersion);
    return ReplaceResult.STORED;
  }

  @Override
  public boolean delete(StoreKey key) {
    boolean deleted = primary.delete(key);
    InMemorySessionStore r = replicating();
    if (r != null) {
      r.delete(key);
    }
    return deleted;
  }

  @Override
  public Set<StoreKey> findKeys(IndexKey index) {
    return primary.findKeys(index);
  }

  @Override
  public Optional<Lease> tryLease(StoreKey key, Duration ttl) {
    return primary.tryLease(key, ttl); // leases are not replicated here: a failover loses them
  }

  @Override
  public boolean extendLease(Lease lease, Duration ttl) {
    return primary.extendLease(lease, ttl);
  }

  @Override
  public void release(Lease lease) {
    primary.release(lease);
  }
}
