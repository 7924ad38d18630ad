package dev.oidcsession.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcsession.core.StoreKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The store contract on a Redis Cluster of three masters (slots assigned with CLUSTER ADDSLOTS,
 * joined with CLUSTER MEET), through a client made from a redis-cluster:// URL with two seeds.
 */
class ClusterRedisStoreIT extends RedisStoreContract {

  private static final int SLOTS = 16384;

  @RegisterExtension static final RedisTopology redis = RedisTopology.cluster();

  @Override
  protected RedisTopology topology() {
    return redis;
  }

  @Test
  void cluster_entryAndLease_shareASlot_andEntriesSpreadOverTheMasters() {
    RedisSessionStore store = redis.store();
    Set<Integer> masters = new HashSet<>();
    List<StoreKey> keys = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      StoreKey key = randomKey();
      keys.add(key);
      int slot = JedisClusterCRC16.getSlot(store.entryKey(key));
      assertThat(JedisClusterCRC16.getSlot(store.leaseKey(key))).isEqualTo(slot);
      masters.add(slot * redis.clusterNodes().size() / SLOTS);
    }
    assertThat(masters).hasSize(3);
    for (StoreKey key : keys) {
      store.insert(entry(key, 1, now().plusSeconds(60), randomIndex()));
      assertThat(store.find(key)).isPresent();
      assertThat(store.tryLease(key, Duration.ofSeconds(5))).isPresent();
    }
  }

  @Test
  void replace_onAPrimaryWithAReplica_waitsOnThatPrimarysConnectionOnly() {
    RedisSessionStore store = redis.store();
    RedisProcesses.Node first = redis.clusterNodes().get(0); // slots 0 to 5460
    redis.addClusterReplica(first);
    StoreKey onFirst = keyWhoseSlot(store, true);
    StoreKey elsewhere = keyWhoseSlot(store, false);
    store.insert(entry(onFirst, 1, now().plusSeconds(60)));
    store.insert(entry(elsewhere, 1, now().plusSeconds(60)));
    for (RedisProcesses.Node node : redis.clusterNodes()) {
      try (Jedis admin = redis.admin(node)) {
        admin.configResetStat();
      }
    }

    assertThat(store.replace(entry(onFirst, 2, now().plusSeconds(60)), 1)).isTrue();
    assertThat(store.replace(entry(elsewhere, 2, now().plusSeconds(60)), 1)).isTrue();

    List<String> stats = new ArrayList<>();
    for (RedisProcesses.Node node : redis.clusterNodes()) {
      try (Jedis admin = redis.admin(node)) {
        stats.add(admin.info("commandstats"));
      }
    }
    assertThat(stats.get(0)).contains("cmdstat_eval:calls=1,").contains("cmdstat_wait:calls=1,");
    assertThat(String.join("", stats.subList(1, 3)))
        .contains("cmdstat_eval:calls=1,")
        .doesNotContain("cmdstat_wait");
  }

  /** A random key whose entry lives on the first master ({@code onFirst}) or on another one. */
  private static StoreKey keyWhoseSlot(RedisSessionStore store, boolean onFirst) {
    while (true) {
      StoreKey key = randomKey();
      int slot = JedisClusterCRC16.getSlot(store.entryKey(key));
      if ((slot < SLOTS / redis.clusterNodes().size()) == onFirst) {
        return key;
      }
    }
  }
}
