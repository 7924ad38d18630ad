package dev.oidcsession.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oidcsession.core.SessionStoreUnavailableException;
import dev.oidcsession.core.StoredEntry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The client-side cache behind Sentinel (a master, a replica, two sentinels). The master's byte
 * counters also count the sentinels' and the replica's traffic, so only commands are compared.
 * Plus a failover: once the client follows the new master, the whole cache is gone.
 */
class SentinelClientSideCacheIT extends ClientSideCacheContract {

  @RegisterExtension static final RedisTopology redis = RedisTopology.sentinel();

  @Override
  protected RedisTopology topology() {
    return redis;
  }

  @Override
  protected List<RedisProcesses.Node> dataNodes() {
    return List.of(redis.primary());
  }

  @Override
  protected boolean quietNodes() {
    return false;
  }

  /**
   * A read on the old master's pool can end after Jedis switched to the new master and flushed:
   * its reply is served, but kept only if it came from the client's current master. Shown with a
   * client on the replica, whose replies come from a node other than the current master.
   */
  @Test
  void replyFromANodeOtherThanTheCurrentMaster_servedNotKept() {
    String key = "csc-node-test:{k1}:s";
    try (Jedis primary = redis.admin(redis.primary())) {
      primary.set(key, "v1");
      assertThat(primary.waitReplicas(1, 5000)).isEqualTo(1);
    }
    HostAndPort replica = new HostAndPort("127.0.0.1", redis.replica().port);
    AtomicReference<HostAndPort> current =
        new AtomicReference<>(new HostAndPort("127.0.0.1", redis.primary().port));
    JedisClientConfig config =
        DefaultJedisClientConfig.builder().protocol(RedisProtocol.RESP3).build();
    try (EntryCache cache = new EntryCache(10, "csc-node-test:", config, true, Duration.ofSeconds(1));
        RedisClient onReplica =
            RedisClient.builder().hostAndPort(replica).clientConfig(config).cache(cache).build()) {
      cache.followCurrentNode(current::get);
      for (int i = 0; i < 3; i++) {
        assertThat(onReplica.get(key)).isEqualTo("v1"); // served
      }
      assertThat(cache.getSize()).as("nothing kept from a node the client has left").isZero();
      assertThat(cache.listeners()).as("and no listener opened to it").isEmpty();

      current.set(replica); // the same replies, now from the current node: kept
      await("kept once the node is current")
          .atMost(Duration.ofSeconds(10))
          .until(() -> "v1".equals(onReplica.get(key)) && cache.getSize() == 1);
    }
  }

  @Test
  @Order(Integer.MAX_VALUE) // last: the master changes
  void failover_clientFollowsTheNewMaster_wholeCacheDropped() {
    StoredEntry changed = entry(randomKey(), 1, now().plusSeconds(600));
    StoredEntry unchanged = entry(randomKey(), 1, now().plusSeconds(600));
    assertThat(writer().insert(changed)).isTrue();
    assertThat(writer().insert(unchanged)).isTrue();
    await("node A reads and caches both")
        .atMost(Duration.ofSeconds(10))
        .ignoreException(SessionStoreUnavailableException.class) // connections of the kill test
        .until(
            () -> cached().find(changed.key()).isPresent()
                && cached().find(unchanged.key()).isPresent());
    int oldMaster = currentMaster();
    try (Jedis primary = redis.admin(oldMaster)) {
      assertThat(primary.waitReplicas(1, 5000)).isEqualTo(1);
    }

    await("sentinel accepts the failover")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .ignoreException(JedisDataException.class)
        .until(
            () -> {
              try (Jedis sentinel = redis.admin(redis.sentinels().get(0))) {
                return "OK".equals(sentinel.sentinelFailover(RedisTopology.MASTER));
              }
            });
    await("node A follows the new master (a tracking connection there)")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .ignoreException(SessionStoreUnavailableException.class)
        .until(
            () -> {
              int master = currentMaster();
              cached().find(randomKey()); // a miss: goes to node A's current pool
              try (Jedis primary = redis.admin(master)) {
                return master != oldMaster && primary.clientList().contains("flags=t");
              }
            });
    int newMaster = currentMaster();
    await("node B writes on the new master")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .ignoreException(SessionStoreUnavailableException.class)
        .until(
            () -> {
              StoredEntry renewed = entry(changed.key(), 2, now().plusSeconds(900));
              writer().replace(renewed, 1);
              try (Jedis primary = redis.admin(newMaster)) {
                return primary.get(writer().entryKey(changed.key())).startsWith("2 ");
              }
            });

    Map<String, Long> before = gets(oldMaster, newMaster);
    assertThat(cached().find(unchanged.key())).contains(unchanged); // read again: dropped
    assertThat(cached().find(changed.key())).hasValueSatisfying(e -> assertThat(e.version()).isEqualTo(2));
    Map<String, Long> after = gets(oldMaster, newMaster);
    assertThat(after.get("new") - before.get("new")).isEqualTo(2);
    assertThat(after.get("old") - before.get("old")).isZero();
    for (int i = 0; i < 100; i++) {
      assertThat(cached().find(changed.key())).hasValueSatisfying(e -> assertThat(e.version()).isEqualTo(2));
    }
  }

  private static Map<String, Long> gets(int oldMaster, int newMaster) {
    return Map.of("old", getCalls(oldMaster), "new", getCalls(newMaster));
  }

  private static long getCalls(int port) {
    try (Jedis admin = redis.admin(port)) {
      for (String line : admin.info("commandstats").split("\\R")) {
        if (line.startsWith("cmdstat_get:")) {
          return Long.parseLong(line.replaceFirst("^[^:]+:calls=(\\d+),.*", "$1"));
        }
      }
      return 0;
    }
  }

  private static int currentMaster() {
    try (Jedis sentinel = redis.admin(redis.sentinels().get(0))) {
      return Integer.parseInt(sentinel.sentinelGetMasterAddrByName(RedisTopology.MASTER).get(1));
    }
  }
}
