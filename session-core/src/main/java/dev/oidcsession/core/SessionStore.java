package dev.oidcsession.core;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Where sessions live: an atomic, expiring map from {@link StoreKey} to encrypted bytes, with
 * two small extras (indexes for back-channel logout, and renewal leases). The core encodes and
 * encrypts; a store only keeps bytes, so every store is small and encryption is the same in all.
 *
 * <p>Every method is total: absent or expired things give an empty result or {@code false},
 * never {@code null} and never an exception. An entry or lease whose expiry has passed is absent,
 * whether or not it has been physically removed yet. Implementations are thread-safe; every
 * method is atomic. A backend that cannot be reached throws {@link
 * SessionStoreUnavailableException} from any method, never a result that looks like "absent".
 *
 * <p>The behaviour is pinned by the contract test {@code SessionStoreContract} in session-core's
 * test-jar; every store runs it.
 */
public interface SessionStore {

  /**
   * Returns the live entry under {@code key}.
   *
   * @return the entry, or empty when there is none or it has expired
   */
  Optional<StoredEntry> find(StoreKey key);

  /**
   * Stores a new entry with its index memberships, unless the key is already taken by a live
   * entry.
   *
   * @param entry an entry whose {@link StoredEntry#version()} is 1
   * @return {@code true} if stored, {@code false} if a live entry already had the key
   */
  boolean insert(StoredEntry entry);

  /**
   * Replaces the live entry under {@code entry.key()} if its version is {@code expectedVersion};
   * index memberships follow the new entry (indexes it no longer names drop it).
   *
   * @param entry the new entry; its version must be {@code expectedVersion + 1}
   * @param expectedVersion the version the caller read
   * @return {@code true} if replaced; {@code false} if the entry is absent, expired or at
   *     another version (nothing is changed then)
   */
  boolean replace(StoredEntry entry, long expectedVersion);

  /**
   * Like {@link #replace}, and says whether the write is confirmed against a failover of the store.
   * The session manager uses this one for every replace. The default calls {@link #replace} and
   * reports {@link ReplaceResult#STORED} or {@link ReplaceResult#CONFLICT}: right for a store
   * without replicas. A replicated store overrides it (and implements {@link #replace} as {@code
   * replaceConfirmed(..).replaced()}).
   *
   * @param entry the new entry; its version must be {@code expectedVersion + 1}
   * @param expectedVersion the version the caller read
   * @return {@link ReplaceResult#STORED} if replaced and confirmed (or there is nothing to
   *     confirm); {@link ReplaceResult#STORED_UNCONFIRMED} if replaced but no replica
   *     acknowledged it in time; {@link ReplaceResult#CONFLICT} if the entry is absent, expired or
   *     at another version (nothing is changed then). Never null.
   */
  default ReplaceResult replaceConfirmed(StoredEntry entry, long expectedVersion) {
    return replace(entry, expectedVersion) ? ReplaceResult.STORED : ReplaceResult.CONFLICT;
  }

  /**
   * Removes the entry under {@code key} and its index memberships. Does nothing if absent.
   *
   * @return {@code true} if a live entry was removed
   */
  boolean delete(StoreKey key);

  /**
   * Lists the live entries indexed under {@code index}.
   *
   * @return their keys, possibly empty; never lists an expired or deleted entry
   */
  Set<StoreKey> findKeys(IndexKey index);

  /**
   * Takes the renewal lease of {@code key} for {@code ttl}, unless another holder's lease is live.
   * The entry itself need not exist.
   *
   * @param ttl how long the lease lasts unless released; positive
   * @return the lease, or empty when another holder has it
   */
  Optional<Lease> tryLease(StoreKey key, Duration ttl);

  /**
   * Extends {@code lease} to last {@code ttl} from now, if its owner still holds it: for a renewal
   * that must keep other servers away for longer than it first asked (renewed tokens waiting to be
   * stored). Does nothing if the lease expired or another owner holds it.
   *
   * @param ttl how long the lease lasts from now unless released; positive
   * @return {@code true} if extended; {@code false} if the lease was no longer held by its owner
   */
  boolean extendLease(Lease lease, Duration ttl);

  /**
   * Releases {@code lease} if it is still held by its owner. Does nothing if it expired or was
   * taken over by another owner since.
   */
  void release(Lease lease);
}
