package dev.oidcsession.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The {@link SessionStore} contract. Every store runs it by subclassing: build the store, say what
 * time it is for the store, and make time pass. Where a topology changes a rule, override that one
 * test visibly.
 */
public abstract class SessionStoreContract {

  private static final int THREADS = 16;

  /** The store under test; the same instance for the whole test method. */
  protected abstract SessionStore store();

  /** The store's current time. */
  protected abstract Instant now();

  /** Returns once the store's time is at or past {@code instant}. */
  protected abstract void passTime(Instant instant);

  /**
   * A life short enough for {@link #passTime} to reach quickly, long enough that an entry written
   * now is certainly still live when read right after.
   */
  protected Duration shortLife() {
    return Duration.ofSeconds(30);
  }

  protected static StoreKey randomKey() {
    return TestKeys.randomKey();
  }

  protected static IndexKey randomIndex() {
    return TestKeys.randomIndex();
  }

  protected StoredEntry entry(StoreKey key, long version, Instant expiresAt, IndexKey... indexes) {
    byte[] value = ("value-" + key.value() + "-" + version).getBytes(StandardCharsets.US_ASCII);
    return new StoredEntry(key, value, version, expiresAt, Set.of(indexes));
  }

  private Instant later() {
    return now().plus(Duration.ofHours(1));
  }

  @Test
  void find_absentKey_returnsEmpty() {
    assertThat(store().find(randomKey())).isEmpty();
  }

  @Test
  void insert_newKey_isFoundAsWritten() {
    StoredEntry entry = entry(randomKey(), 1, later(), randomIndex());
    assertThat(store().insert(entry)).isTrue();
    assertThat(store().find(entry.key())).contains(entry);
  }

  @Test
  void insert_liveKey_returnsFalseAndKeepsTheFirst() {
    StoreKey key = randomKey();
    StoredEntry first = entry(key, 1, later());
    assertThat(store().insert(first)).isTrue();
    StoredEntry second =
        new StoredEntry(key, "other".getBytes(StandardCharsets.US_ASCII), 1, later(), Set.of());
    assertThat(store().insert(second)).isFalse();
    assertThat(store().find(key)).contains(first);
  }

  @Test
  void insert_versionOtherThanOne_isRejected() {
    assertThatThrownBy(() -> store().insert(entry(randomKey(), 2, later())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a new entry's version must be 1, but was 2");
  }

  @Test
  void replace_versionNotTheSuccessor_isRejected() {
    StoreKey key = randomKey();
    store().insert(entry(key, 1, later()));
    assertThatThrownBy(() -> store().replace(entry(key, 3, later()), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a replacing entry's version must be expectedVersion + 1 = 2, but was 3");
    assertThat(store().find(key).map(StoredEntry::version)).contains(1L);
  }

  @Test
  void replace_expectedVersion_replaces() {
    StoreKey key = randomKey();
    store().insert(entry(key, 1, later()));
    StoredEntry next = entry(key, 2, later().plusSeconds(60));
    assertThat(store().replace(next, 1)).isTrue();
    assertThat(store().find(key)).contains(next);
  }

  @Test
  void replace_otherVersion_returnsFalseAndChangesNothing() {
    StoreKey key = randomKey();
    StoredEntry first = entry(key, 1, later());
    store().insert(first);
    assertThat(store().replace(entry(key, 2, later()), 1)).isTrue();
    assertThat(store().replace(entry(key, 2, later()), 1)).isFalse();
    assertThat(store().find(key).map(StoredEntry::version)).contains(2L);
  }

  @Test
  void replace_absentKey_returnsFalseAndCreatesNothing() {
    StoreKey key = randomKey();
    assertThat(store().replace(entry(key, 2, later()), 1)).isFalse();
    assertThat(store().find(key)).isEmpty();
  }

  @Test
  void replace_movesIndexMemberships() {
    StoreKey key = randomKey();
    IndexKey kept = randomIndex();
    IndexKey dropped = randomIndex();
    IndexKey added = randomIndex();
    store().insert(entry(key, 1, later(), kept, dropped));
    store().replace(entry(key, 2, later(), kept, added), 1);
    assertThat(store().findKeys(kept)).containsExactly(key);
    assertThat(store().findKeys(dropped)).isEmpty();
    assertThat(store().findKeys(added)).containsExactly(key);
  }

  @Test
  void delete_liveEntry_removesItAndItsIndexes() {
    IndexKey index = randomIndex();
    StoredEntry entry = entry(randomKey(), 1, later(), index);
    store().insert(entry);
    assertThat(store().delete(entry.key())).isTrue();
    assertThat(store().find(entry.key())).isEmpty();
    assertThat(store().findKeys(index)).isEmpty();
    assertThat(store().delete(entry.key())).isFalse();
  }

  @Test
  void findKeys_listsEveryLiveEntryOfTheIndex() {
    IndexKey shared = randomIndex();
    StoredEntry a = entry(randomKey(), 1, later(), shared);
    StoredEntry b = entry(randomKey(), 1, later(), shared, randomIndex());
    StoredEntry other = entry(randomKey(), 1, later(), randomIndex());
    store().insert(a);
    store().insert(b);
    store().insert(other);
    assertThat(store().findKeys(shared)).containsExactlyInAnyOrder(a.key(), b.key());
    assertThat(store().findKeys(randomIndex())).isEmpty();
  }

  @Test
  void find_afterExpiresAt_returnsEmpty() {
    Instant expiresAt = now().plus(shortLife());
    StoredEntry entry = entry(randomKey(), 1, expiresAt);
    store().insert(entry);
    assertThat(store().find(entry.key())).isPresent();
    passTime(expiresAt);
    assertThat(store().find(entry.key())).isEmpty();
  }

  @Test
  void expiry_dropsIndexMembershipsAndFreesTheKey() {
    Instant expiresAt = now().plus(shortLife());
    IndexKey index = randomIndex();
    StoredEntry entry = entry(randomKey(), 1, expiresAt, index);
    store().insert(entry);
    passTime(expiresAt);
    assertThat(store().findKeys(index)).isEmpty();
    assertThat(store().replace(entry(entry.key(), 2, later()), 1)).isFalse();
    assertThat(store().insert(entry(entry.key(), 1, later()))).isTrue();
  }

  @Test
  void tryLease_isExclusiveUntilReleasedByItsOwner() {
    StoreKey key = randomKey();
    Optional<Lease> first = store().tryLease(key, Duration.ofMinutes(1));
    assertThat(first).isPresent();
    assertThat(store().tryLease(key, Duration.ofMinutes(1))).isEmpty();

    store().release(new Lease(key, "not-the-owner"));
    assertThat(store().tryLease(key, Duration.ofMinutes(1))).isEmpty();

    store().release(first.get());
    Optional<Lease> second = store().tryLease(key, Duration.ofMinutes(1));
    assertThat(second).isPresent();
    assertThat(second.get().owner()).isNotEqualTo(first.get().owner());
  }

  @Test
  void tryLease_afterTtl_canBeTakenAndTheOldOwnerCannotRelease() {
    StoreKey key = randomKey();
    Lease stale = store().tryLease(key, shortLife()).orElseThrow();
    passTime(now().plus(shortLife()));
    Lease fresh = store().tryLease(key, Duration.ofMinutes(1)).orElseThrow();
    store().release(stale);
    assertThat(store().tryLease(key, Duration.ofMinutes(1))).isEmpty();
    store().release(fresh);
  }

  @Test
  void tryLease_manyThreads_exactlyOneHolder() throws Exception {
    StoreKey key = randomKey();
    List<Optional<Lease>> results = race(() -> store().tryLease(key, Duration.ofMinutes(1)));
    assertThat(results.stream().filter(Optional::isPresent)).hasSize(1);
  }

  @Test
  void replace_manyThreadsFromOneVersion_exactlyOneWinnerPerVersion() throws Exception {
    StoreKey key = randomKey();
    store().insert(entry(key, 1, later()));
    for (long version = 1; version <= 5; version++) {
      long expected = version;
      List<Boolean> results =
          race(() -> store().replace(entry(key, expected + 1, later()), expected));
      assertThat(results.stream().filter(won -> won)).as("winners of version %d", version).hasSize(1);
      assertThat(store().find(key).map(StoredEntry::version)).contains(expected + 1);
    }
  }

  /** Runs {@code action} on {@value #THREADS} threads released at once. */
  private <T> List<T> race(Callable<T> action) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  return action.call();
                }));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> future : futures) {
        results.add(future.get(30, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
