package dev.oidcsession.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcsession.core.StoreKey;
import dev.oidcsession.core.StoredEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.CommandObjects;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.csc.CacheEntry;
import redis.clients.jedis.csc.CacheKey;

/**
 * {@link EntryCache} without a server: what it admits, and nothing kept (reply or decoded entry)
 * without an invalidation connection.
 */
class EntryCacheTest {

  private final CommandObjects commands = new CommandObjects(RedisProtocol.RESP3);

  @Test
  void cacheable_onlyGetsOfEntryKeysUnderThePrefix() {
    EntryCache cache = new EntryCache(10, "app:", DefaultJedisClientConfig.builder().build(), true, Duration.ofSeconds(1));
    assertThat(cache.isCacheable(new CacheKey<>(commands.get("app:{k1}:s")))).isTrue();
    assertThat(cache.isCacheable(new CacheKey<>(commands.get("app:{k1}:l")))).isFalse();
    assertThat(cache.isCacheable(new CacheKey<>(commands.get("app:{i1}:i")))).isFalse();
    assertThat(cache.isCacheable(new CacheKey<>(commands.get("oidcs:{k1}:s")))).isFalse();
    assertThat(cache.isCacheable(new CacheKey<>(commands.get("app:{k1}:s".getBytes(StandardCharsets.UTF_8)))))
        .isTrue();
    assertThat(cache.isCacheable(new CacheKey<>(commands.exists("app:{k1}:s")))).isFalse();
    assertThat(cache.isCacheable(new CacheKey<>(commands.zrangeByScore("app:{i1}:i", 0, 1))))
        .isFalse();
    assertThat(
            cache.isCacheable(
                new CacheKey<>(commands.eval("return 1", List.of("app:{k1}:s"), List.of()))))
        .isFalse();
    assertThat(cache.compatibilityMode()).isTrue();
  }

  @Test
  void set_withoutAnInvalidationConnection_isNotKept() {
    EntryCache cache =
        new EntryCache(
            10, "oidcs:", DefaultJedisClientConfig.builder().build(), true, Duration.ofSeconds(1));
    CacheKey<String> key = new CacheKey<>(commands.get("oidcs:{k1}:s"));

    assertThat(cache.get(key)).isNull();
    cache.set(key, new CacheEntry<>(key, "value", null)); // no connection read it
    assertThat(cache.getSize()).isZero();
    assertThat(cache.listeners()).isEmpty();

    cache.set(key, new CacheEntry<>(key, "value", null)); // no miss began
    assertThat(cache.getSize()).isZero();
  }

  @Test
  void keep_withoutAHeldReply_keepsNothing() {
    EntryCache cache =
        new EntryCache(
            10, "oidcs:", DefaultJedisClientConfig.builder().build(), true, Duration.ofSeconds(1));
    StoreKey storeKey = new StoreKey("k".repeat(16));
    String entryKey = "oidcs:{" + storeKey.value() + "}:s";
    StoredEntry entry =
        new StoredEntry(storeKey, new byte[] {1}, 1, Instant.now().plusSeconds(60), Set.of());

    cache.keep(entryKey, storeKey.value(), entry); // no read began
    assertThat(cache.decoded(storeKey.value())).isNull();

    CacheKey<byte[]> key = new CacheKey<>(commands.get(entryKey.getBytes(StandardCharsets.UTF_8)));
    assertThat(cache.get(key)).isNull();
    cache.set(key, new CacheEntry<>(key, new byte[] {1}, null)); // refused: no connection read it
    cache.keep(entryKey, storeKey.value(), entry);
    assertThat(cache.decoded(storeKey.value())).isNull();
    assertThat(cache.decodedCount()).isZero();
  }
}
