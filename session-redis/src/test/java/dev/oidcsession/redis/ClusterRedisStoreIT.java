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
}
