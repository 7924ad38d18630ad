package dev.oidcsession.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oidcsession.core.SessionStore;
import dev.oidcsession.core.StoreKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The store contract on a Redis Cluster of three masters (slots assigned with CLUSTER ADDSLOTS,
 * joined with CLUSTER MEET), through a client made from a redis-cluster:// URL with two seeds.
 */
class ClusterRedisStoreIT extends RedisStoreContract {

  private static final int SLOTS = 16384;

  private static RedisProcesses redis;
  private static List<RedisProcesses.Node> nodes;
  private static RedisSessionStore store;

  @BeforeAll
  static void startCluster() {
    redis = new RedisProcesses();
    nodes = List.of(redis.clusterNode(), redis.clusterNode(), redis.clusterNode());
    for (int i = 0; i < nodes.size(); i++) {
      int from = SLOTS * i / nodes.size();
      int to = SLOTS * (i + 1) / nodes.size();
      try (Jedis node = admin(nodes.get(i))) {
        node.clusterAddSlots(IntStream.range(from, to).toArray()); // no ADDSLOTSRANGE in 6.2
      }
    }
    try (Jedis first = admin(nodes.get(0))) {
      for (RedisProcesses.Node other : nodes.subList(1, nodes.size())) {
        first.clusterMeet("127.0.0.1", other.port);
      }
    }
    await("cluster_state:ok on every node")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                nodes.stream()
                    .allMatch(
                        n -> {
                          try (Jedis node = admin(n)) {
                            String info = node.clusterInfo();
                            return info.contains("cluster_state:ok")
                                && info.contains("cluster_known_nodes:3");
                          }
                        }));
    store =
        RedisSessionStore.create(
            RedisConfig.fromUrl(
                "redis-cluster://127.0.0.1:" + nodes.get(0).port + ",127.0.0.1:" + nodes.get(1).port));
  }

  @AfterAll
  static void stopCluster() {
    if (store != null) {
      store.close();
    }
    redis.close();
  }

  @Override
  protected SessionStore store() {
    return store;
  }

  @Test
  void cluster_entryAndLease_shareASlot_andEntriesSpreadOverTheMasters() {
    Set<Integer> masters = new HashSet<>();
    List<StoreKey> keys = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      StoreKey key = randomKey();
      keys.add(key);
      int slot = JedisClusterCRC16.getSlot(store.entryKey(key));
      assertThat(JedisClusterCRC16.getSlot(store.leaseKey(key))).isEqualTo(slot);
      masters.add(slot * nodes.size() / SLOTS);
    }
    assertThat(masters).hasSize(3);
    for (StoreKey key : keys) {
      store.insert(entry(key, 1, now().plusSeconds(60), randomIndex()));
      assertThat(store.find(key)).isPresent();
      assertThat(store.tryLease(key, Duration.ofSeconds(5))).isPresent();
    }
  }

  private static Jedis admin(RedisProcesses.Node node) {
    return new Jedis("127.0.0.1", node.port);
  }
}
