package dev.oidcsession.core;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/** Wraps a store and can be switched off, to play an outage: every call then throws. */
public final class SwitchableStore implements SessionStore {

  private final SessionStore delegate;
  private volatile boolean down;

  public SwitchableStore(SessionStore delegate) {
    this.delegate = delegate;
  }

  /** Makes every call fail with {@link SessionStoreUnavailableException} until {@link #up()}. */
  public void down() {
    down = true;
  }

  /** Ends the outage. */
  public void up() {
    down = false;
  }

  private void check() {
    if (down) {
      throw new SessionStoreUnavailableException("store is down", new IOException("refused"));
    }
  }

  @Override
  public Optional<StoredEntry> find(StoreKey key) {
    check();
    return delegate.find(key);
  }

  @Override
  public boolean insert(StoredEntry entry) {
    check();
    return delegate.insert(entry);
  }

  @Override
  public boolean replace(StoredEntry entry, long expectedVersion) {
    check();
    return delegate.replace(entry, expectedVersion);
  }

  @Override
  public boolean delete(StoreKey key) {
    check();
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
  public void release(Lease lease) {
    check();
    delegate.release(lease);
  }
}
