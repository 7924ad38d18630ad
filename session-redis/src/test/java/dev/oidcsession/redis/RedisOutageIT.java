package dev.oidcsession.redis;

import static dev.oidcsession.core.TestKeys.randomIndex;
import static dev.oidcsession.core.TestKeys.randomKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.oidcsession.core.NoSecretsInLogs;
import dev.oidcsession.core.SessionStoreUnavailableException;
import dev.oidcsession.core.StoredEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Redis dies while the store is in use: every call reports the store unavailable (never "absent"),
 * and the same store instance works again once a server is back on the same port.
 */
class RedisOutageIT {

  private static final String PASSWORD = "outage-pass-7Qx";

  @RegisterExtension
  static final RedisTopology redis = RedisTopology.standalone().withPassword(PASSWORD);

  private static RedisSessionStore store;

  @BeforeAll
  static void connect() {
    store =
        redis.closeAfterAll(
            RedisSessionStore.create(
                redis
                    .config()
                    .connectTimeout(Duration.ofMillis(300))
                    .socketTimeout(Duration.ofMillis(300))
                    .build()));
  }

  @Test
  void serverKilled_everyCallIsUnavailable_thenTheSameStoreRecoversWhenItIsBack() {
    NoSecretsInLogs.forbid(PASSWORD);
    StoredEntry before = entry();
    assertThat(store.insert(before)).isTrue();
    assertThat(store.find(before.key())).contains(before);

    redis.primary().kill();

    unavailable(() -> store.find(before.key()), "find");
    unavailable(() -> store.insert(entry()), "insert");
    unavailable(() -> store.replace(next(before), 1), "replace");
    unavailable(() -> store.delete(before.key()), "delete");
    unavailable(() -> store.findKeys(randomIndex()), "findKeys");
    unavailable(() -> store.tryLease(before.key(), Duration.ofSeconds(5)), "tryLease");

    redis.primary().restart(); // same port, empty: nothing is persisted

    StoredEntry after = entry();
    await("the same store works again")
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(50))
        .ignoreException(SessionStoreUnavailableException.class)
        .until(() -> store.insert(after));
    assertThat(store.find(after.key())).contains(after);
    assertThat(store.find(before.key())).isEmpty(); // a real answer now: the server lost it
  }

  private static void unavailable(ThrowingCallable call, String operation) {
    assertThatThrownBy(call)
        .isInstanceOf(SessionStoreUnavailableException.class)
        .hasMessageStartingWith("Redis session store: " + operation + " failed (")
        .satisfies(
            e -> {
              for (Throwable t = e; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(PASSWORD);
              }
            });
  }

  private static StoredEntry entry() {
    return new StoredEntry(
        randomKey(),
        "header..iv.ciphertext.tag".getBytes(StandardCharsets.US_ASCII),
        1,
        Instant.now().plusSeconds(600),
        Set.of(randomIndex()));
  }

  private static StoredEntry next(StoredEntry entry) {
    return new StoredEntry(
        entry.key(), entry.value(), entry.version() + 1, entry.expiresAt(), entry.indexKeys());
  }
}
