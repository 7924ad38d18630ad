package dev.oidcsession.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InMemorySessionStoreTest extends SessionStoreContract {

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private InMemorySessionStore store;

  @BeforeEach
  void createStore() {
    store = new InMemorySessionStore(clock);
  }

  @Override
  protected SessionStore store() {
    return store;
  }

  @Override
  protected Instant now() {
    return clock.instant();
  }

  @Override
  protected void passTime(Instant instant) {
    if (instant.isAfter(clock.instant())) {
      clock.set(instant);
    }
  }

  @Test
  void find_oneTickBeforeExpiresAt_isPresent_atAndAfter_isEmpty() {
    Instant expiresAt = clock.instant().plusSeconds(60);
    StoredEntry entry = entry(randomKey(), 1, expiresAt);
    store.insert(entry);
    clock.set(expiresAt.minusMillis(1));
    assertThat(store.find(entry.key())).isPresent();
    clock.set(expiresAt);
    assertThat(store.find(entry.key())).isEmpty();
    clock.set(expiresAt.plusMillis(1));
    assertThat(store.find(entry.key())).isEmpty();
  }

  @Test
  void expiredEntries_areRemovedByTheNextWrite() {
    Instant expiresAt = clock.instant().plusSeconds(60);
    for (int i = 0; i < 100; i++) {
      store.insert(entry(randomKey(), 1, expiresAt, randomIndex()));
    }
    assertThat(store.size()).isEqualTo(100);
    clock.set(expiresAt);
    store.insert(entry(randomKey(), 1, expiresAt.plusSeconds(60)));
    assertThat(store.size()).isEqualTo(1);
  }

  @Test
  void replaceManyTimes_keepsOneExpiryNodePerEntry() {
    StoredEntry first = entry(randomKey(), 1, clock.instant().plusSeconds(3600));
    store.insert(first);
    for (long v = 1; v <= 1000; v++) {
      store.replace(entry(first.key(), v + 1, clock.instant().plusSeconds(3600 + v)), v);
    }
    // Every earlier expiry node was removed on replace: after the last expiry, nothing is left.
    clock.advance(Duration.ofHours(2));
    store.insert(entry(randomKey(), 1, clock.instant().plusSeconds(60)));
    assertThat(store.size()).isEqualTo(1);
  }

  @Test
  void replaceConfirmed_noReplicas_isAlwaysStoredWhenReplaced() {
    StoredEntry first = entry(randomKey(), 1, clock.instant().plusSeconds(60));
    store.insert(first);
    assertThat(store.replaceConfirmed(entry(first.key(), 2, first.expiresAt()), 1))
        .isEqualTo(ReplaceResult.STORED);
  }
}
