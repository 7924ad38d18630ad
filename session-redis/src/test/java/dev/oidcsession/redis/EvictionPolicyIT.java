package dev.oidcsession.redis;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.TestKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** At start the store reads maxmemory-policy where it may, and warns about the risky ones. */
class EvictionPolicyIT {

  @RegisterExtension static final RedisTopology open = RedisTopology.standalone();

  // Like managed services that refuse CONFIG.
  @RegisterExtension
  static final RedisTopology managed = RedisTopology.standalone("--rename-command", "CONFIG", "");

  @ExpectsWarnings("the test checks the eviction-policy warning")
  @Test
  void start_allkeysPolicy_warnsAndRecommendsVolatile() {
    String warning = startWithPolicy("allkeys-lru");
    assertThat(warning)
        .isEqualTo(
            "Redis maxmemory-policy is allkeys-lru: when memory is full Redis evicts any key,"
                + " sessions and their indexes included, and the application's keys without expiry"
                + " alike; use volatile-ttl or volatile-lru");
  }

  @ExpectsWarnings("the test checks the eviction-policy warning")
  @Test
  void start_noeviction_warnsThatWritesFailWhenFull() {
    assertThat(startWithPolicy("noeviction"))
        .isEqualTo(
            "Redis maxmemory-policy is noeviction: when memory is full Redis refuses writes, so"
                + " logins and renewals fail; use volatile-ttl or volatile-lru");
  }

  @Test
  void start_volatilePolicies_logNothingAboveDebug() {
    for (String policy : new String[] {"volatile-ttl", "volatile-lru"}) {
      try (Jedis admin = open.admin(open.primary())) {
        admin.configSet("maxmemory-policy", policy);
      }
      try (LogCapture logs = new LogCapture(RedisSessionStore.class);
          RedisSessionStore store = storeOn(open)) {
        assertThat(logs.messages(Level.WARN)).isEmpty();
        assertThat(logs.messages(Level.INFO)).isEmpty();
      }
    }
  }

  @Test
  void start_configRefused_saysSoAtInfoAndStarts() {
    try (LogCapture logs = new LogCapture(RedisSessionStore.class);
        RedisSessionStore store = storeOn(managed)) {
      assertThat(logs.messages(Level.WARN)).isEmpty();
      assertThat(logs.messages(Level.INFO))
          .singleElement()
          .asString()
          .startsWith("Redis refused CONFIG GET maxmemory-policy (")
          .endsWith("); the eviction policy could not be checked: make sure it is volatile-ttl"
              + " or volatile-lru");
      assertThat(store.find(TestKeys.randomKey())).isEmpty();
    }
  }

  private static String startWithPolicy(String policy) {
    try (Jedis admin = open.admin(open.primary())) {
      admin.configSet("maxmemory-policy", policy);
    }
    try (LogCapture logs = new LogCapture(RedisSessionStore.class);
        RedisSessionStore store = storeOn(open)) {
      assertThat(logs.messages(Level.WARN)).hasSize(1);
      return logs.messages(Level.WARN).get(0);
    } finally {
      try (Jedis admin = open.admin(open.primary())) {
        admin.configSet("maxmemory-policy", "volatile-ttl");
      }
    }
  }

  private static RedisSessionStore storeOn(RedisTopology redis) {
    return RedisSessionStore.create(redis.config().build());
  }
}
