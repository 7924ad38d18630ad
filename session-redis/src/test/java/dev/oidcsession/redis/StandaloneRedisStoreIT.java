package dev.oidcsession.redis;

import dev.oidcsession.core.SessionStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store contract on one plain redis-server, through a client made from a redis:// URL. */
class StandaloneRedisStoreIT extends RedisStoreContract {

  private static RedisProcesses redis;
  private static RedisSessionStore store;

  @BeforeAll
  static void startRedis() {
    redis = new RedisProcesses();
    RedisProcesses.Node node = redis.server();
    store = RedisSessionStore.create(RedisConfig.fromUrl("redis://127.0.0.1:" + node.port + "/2"));
  }

  @AfterAll
  static void stopRedis() {
    if (store != null) {
      store.close();
    }
    redis.close();
  }

  @Override
  protected SessionStore store() {
    return store;
  }
}
