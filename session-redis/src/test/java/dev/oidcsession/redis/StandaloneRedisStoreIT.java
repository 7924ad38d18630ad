package dev.oidcsession.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcsession.core.StoredEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** The store contract on one plain redis-server, through a client made from a redis:// URL. */
class StandaloneRedisStoreIT extends RedisStoreContract {

  @RegisterExtension static final RedisTopology redis = RedisTopology.standalone();

  @Override
  protected RedisTopology topology() {
    return redis;
  }

  @Test
  void url_withDatabase_keepsEntriesInThatDatabase() {
    RedisSessionStore inDatabase2 =
        redis.closeAfterAll(RedisSessionStore.create(RedisConfig.fromUrl(redis.url() + "/2")));
    StoredEntry entry = entry(randomKey(), 1, now().plusSeconds(60));
    assertThat(inDatabase2.insert(entry)).isTrue();
    try (Jedis admin = redis.admin(redis.primary())) {
      assertThat(admin.exists(inDatabase2.entryKey(entry.key()))).isFalse();
      admin.select(2);
      assertThat(admin.exists(inDatabase2.entryKey(entry.key()))).isTrue();
    }
  }
}
