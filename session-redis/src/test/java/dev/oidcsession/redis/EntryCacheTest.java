package dev.oidcsession.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.CommandObjects;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.csc.CacheEntry;
import redis.clients.jedis.csc.CacheKey;

/** {@link EntryCache} without a server: what it admits, and no stale fill after a race. */
class EntryCacheTest {

  private final CommandObjects commands = new CommandObjects(RedisProtocol.RESP3);

  @Test
  void cacheable_onlyGetsOfEntryKeysUnderThePrefix() {
    EntryCache cache = new EntryCache(10, "app:");
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
  void set_afterAnInvalidationDuringTheMiss_isNotKept() {
    EntryCache cache = new EntryCache(10, "oidcs:");
    CacheKey<String> key = new CacheKey<>(commands.get("oidcs:{k1}:s"));

    assertThat(cache.get(key)).isNull();
    cache.set(key, new CacheEntry<>(key, "value", null)); // a quiet miss: kept
    assertThat(cache.getSize()).isEqualTo(1);
    cache.flush();

    assertThat(cache.get(key)).isNull(); // the miss begins
    cache.deleteByRedisKeys(List.of("oidcs:{k1}:s".getBytes(StandardCharsets.UTF_8)));
    cache.set(key, new CacheEntry<>(key, "old value", null)); // the reply read before it
    assertThat(cache.getSize()).isZero();

    assertThat(cache.get(key)).isNull();
    cache.flush(); // a connection lost during the miss
    cache.set(key, new CacheEntry<>(key, "old value", null));
    assertThat(cache.getSize()).isZero();
  }
}
