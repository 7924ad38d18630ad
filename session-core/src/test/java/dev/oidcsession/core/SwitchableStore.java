package dev.oidcsession.core;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Wraps a store and can be switched off, to play an outage: every call then throws. Or only the
 * entry writes ({@code insert}, {@code replace}, {@code delete}) fail, while reads and the lease
 * commands go through: a server whose writes of sessions fail (a write timeout on a large value,
 * a {@code noeviction} store refusing writes that grow it) while small commands still work.
 */
public final class SwitchableStore implements SessionStore {

  private final SessionStore delegate;
  private volatile boolean down;
  private volatile boolean writesDown;

  public SwitchableStore(SessionStore delegate) {
    this.delegate = delegate;
  }

  /** Makes every call fail with {@link SessionStoreUnavailableException} until {@link #up()}. */
  public void down() {
    down = true;
  }

  /**
   * Makes {@code insert}, {@code replace} and {@code delete} fail with {@link
   * SessionStoreUnavailableException} until {@link #up()}; reads and leases keep working.
   */
  public void failWrites() {
    writesDown = true;
  }

  /** Ends the outage, whole or writes only. */
  public void up() {
    down = false;
    writesDown = false;
  }

  private void check() {
    if (down) {
      throw new SessionStoreUnavailableException("store is down", new IOException("refused"));
    }
  }

  private void checkWrite() {
    check();
    if (writesDown) {
      throw new SessionStoreUnavailableException("store refuses writes", new IOException("OOM"));
    }
  }

  @Override
  public Optional<StoredEntry> find(StoreKey key) {
    check();
    return delegate.find(key);
  }

  @Override
  public boolean insert(StoredEntry entry) {
    checkWrite();
    return delegate.insert(entry);
  }

  @Override
  public boolean replace(StoredEntry entry, long expectedVersion) {
    checkWrite();
    return delegate.replace(entry, expectedVersion);
  }

  @Override
  public ReplaceResult replaceConfirmed(StoredEntry entry, long expectedVersion) {
    checkWrite();
    return delegate.replaceConfirmed(entry, expectedVersion);
  }

  @Override
  public boolean delete(StoreKey key) {
    checkWrite();
    return delegate.delete(key);
  }

  @Override
  public Set<StoreKey> findKeys(IndexKey index) {
    check();
    return delegate.findKeys(index);
  }

  @Override
  public Optional<Lease> tryLease(StoreKey key, Duration ttl) {
    check();
    return delegate.tryLease(key, ttl);
  }

  @Override
  public boolean extendLease(Lease lease, Duration ttl) {
    check();
    return delegate.extendLease(lease, ttl);
  }

  @Override
  public void release(Lease lease) {
    check();
    delegate.release(lease);
  }
}
