package dev.oidcsession.redis;

import static dev.oidcsession.core.TestKeys.randomIndex;
import static dev.oidcsession.core.TestKeys.randomKey;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.IndexKey;
import dev.oidcsession.core.ReplaceResult;
import dev.oidcsession.core.StoreKey;
import dev.oidcsession.core.StoredEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Security review 2026-11-30 #22: once the entry write committed, a failing index upkeep (here a
 * {@code WRONGTYPE} reply, the index key holding a string) is a WARN and the caller hears the
 * write's real outcome, never "store unavailable" for a write that happened.
 */
@ExpectsWarnings(value = "index upkeep fails on purpose after committed writes", everyTest = true)
class IndexUpkeepFailureIT {

  @RegisterExtension static final RedisTopology redis = RedisTopology.standalone();

  private static RedisSessionStore store;
  private static Jedis admin;

  @BeforeAll
  static void connect() {
    store = redis.store();
    admin = redis.closeAfterAll(redis.admin(redis.primary()));
  }

  @Test
  void replace_indexAddFails_reportsTheCommittedReplaceAndWarns() {
    IndexKey index = randomIndex();
    StoredEntry first = entry(randomKey(), 1, index);
    assertThat(store.insert(first)).isTrue();
    breakIndex(index);
    StoredEntry next = entry(first.key(), 2, index);

    try (LogCapture logs = new LogCapture(RedisSessionStore.class)) {
      assertThat(store.replace(next, 1)).isTrue();
      assertThat(logs.messages(Level.WARN))
          .singleElement()
          .asString()
          .contains("index upkeep after the replace of " + first.key())
          .contains("JedisDataException");
    }
    assertThat(store.find(first.key())).contains(next);
  }

  @Test
  void replaceConfirmed_indexAddFails_reportsStoredAndWarns() {
    IndexKey index = randomIndex();
    StoredEntry first = entry(randomKey(), 1, index);
    assertThat(store.insert(first)).isTrue();
    breakIndex(index);
    StoredEntry next = entry(first.key(), 2, index);

    try (LogCapture logs = new LogCapture(RedisSessionStore.class)) {
      assertThat(store.replaceConfirmed(next, 1)).isEqualTo(ReplaceResult.STORED);
      assertThat(logs.messages(Level.WARN)).singleElement().asString()
          .contains("index upkeep after the replace of " + first.key());
    }
    assertThat(store.find(first.key())).contains(next);
  }

  @Test
  void replace_indexRemovalFails_reportsTheCommittedReplaceAndWarns() {
    IndexKey left = randomIndex();
    StoredEntry first = entry(randomKey(), 1, left);
    assertThat(store.insert(first)).isTrue();
    breakIndex(left);
    StoredEntry next = entry(first.key(), 2);

    try (LogCapture logs = new LogCapture(RedisSessionStore.class)) {
      assertThat(store.replace(next, 1)).isTrue();
      assertThat(logs.messages(Level.WARN)).hasSize(1);
    }
    assertThat(store.find(first.key())).contains(next);
  }

  @Test
  void delete_indexRemovalFails_reportsTheCommittedDeleteAndWarns() {
    IndexKey index = randomIndex();
    StoredEntry entry = entry(randomKey(), 1, index);
    assertThat(store.insert(entry)).isTrue();
    breakIndex(index);

    try (LogCapture logs = new LogCapture(RedisSessionStore.class)) {
      assertThat(store.delete(entry.key())).isTrue();
      assertThat(logs.messages(Level.WARN))
          .singleElement()
          .asString()
          .contains("index upkeep after the delete of " + entry.key());
    }
    assertThat(store.find(entry.key())).isEmpty();
    assertThat(store.delete(entry.key())).isFalse();
  }

  /** Makes every command on {@code index}'s sorted set fail with WRONGTYPE. */
  private static void breakIndex(IndexKey index) {
    admin.set(store.indexKey(index.value()), "not a sorted set");
  }

  private static StoredEntry entry(StoreKey key, long version, IndexKey... indexes) {
    byte[] value = ("value-" + version).getBytes(StandardCharsets.US_ASCII);
    return new StoredEntry(key, value, version, Instant.now().plusSeconds(600), Set.of(indexes));
  }
}
