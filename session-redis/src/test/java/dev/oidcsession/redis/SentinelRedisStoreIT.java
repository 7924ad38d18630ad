package dev.oidcsession.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oidcsession.core.SessionStoreUnavailableException;
import dev.oidcsession.core.StoredEntry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The store contract behind Sentinel (a master, a replica, two sentinels), through a client made
 * from a redis-sentinel:// URL; plus a failover while the store is in use.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SentinelRedisStoreIT extends RedisStoreContract {

  private static final Logger log = LoggerFactory.getLogger(SentinelRedisStoreIT.class);
  private static final String MASTER = RedisTopology.MASTER;

  @RegisterExtension static final RedisTopology redis = RedisTopology.sentinel();

  @Override
  protected RedisTopology topology() {
    return redis;
  }

  @Test
  @Order(Integer.MAX_VALUE) // last: the others run on the topology as started
  void failover_duringUse_storeKeepsWorkingOnTheNewMasterWithoutANewInstance() {
    RedisSessionStore store = redis.store();
    StoredEntry before = entry(randomKey(), 1, now().plusSeconds(600), randomIndex());
    assertThat(store.insert(before)).isTrue();
    int oldMaster = currentMaster();
    try (Jedis primary = admin(oldMaster)) {
      assertThat(primary.waitReplicas(1, 5000)).isEqualTo(1); // the entry is on the replica too
    }

    await("sentinel accepts the failover")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .ignoreException(JedisDataException.class) // NOGOODSLAVE while it still gathers state
        .until(
            () -> {
              try (Jedis sentinel = admin(redis.sentinels().get(0))) {
                return "OK".equals(sentinel.sentinelFailover(MASTER));
              }
            });

    // In use during the failover: some calls may fail as unavailable (READONLY, refused), never as
    // "absent"; the store then works on the new master by itself.
    AtomicInteger unavailable = new AtomicInteger();
    await("the store writes and reads on the new master")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              try {
                StoredEntry probe = entry(randomKey(), 1, now().plusSeconds(600));
                int newMaster = currentMaster();
                if (newMaster == oldMaster || !store.insert(probe)) {
                  return false;
                }
                // Until the client has switched, writes may still land on the old primary (and be
                // lost when Sentinel demotes it): done only when the probe is on the new one.
                try (Jedis primary = admin(newMaster)) {
                  return primary.exists(store.entryKey(probe.key()))
                      && store.find(probe.key()).isPresent()
                      && store.find(before.key()).equals(Optional.of(before));
                }
              } catch (SessionStoreUnavailableException e) {
                unavailable.incrementAndGet();
                return false;
              }
            });
    assertThat(currentMaster()).isEqualTo(redis.replica().port);
    log.info("failover: {} calls reported the store unavailable meanwhile", unavailable.get());
  }

  @Test
  void replace_primaryWithAReplica_waitsForOneAcknowledgement() {
    RedisSessionStore store = redis.store();
    // Runs before the failover test; should it run after, Sentinel first has to turn the old
    // master into the new one's replica.
    await("the current master has a replica")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              try (Jedis primary = admin(currentMaster())) {
                return primary.info("replication").contains("connected_slaves:1");
              }
            });
    StoredEntry first = entry(randomKey(), 1, now().plusSeconds(600));
    assertThat(store.insert(first)).isTrue();
    // Ask both data nodes: right after a failover the client may still write to the old primary.
    try (Jedis a = admin(redis.primary()); Jedis b = admin(redis.replica())) {
      a.configResetStat();
      b.configResetStat();
      assertThat(store.replace(entry(first.key(), 2, now().plusSeconds(600)), 1)).isTrue();
      String written = a.info("commandstats").contains("cmdstat_eval") ? a.info("commandstats")
          : b.info("commandstats");
      assertThat(written).contains("cmdstat_eval:calls=1,").contains("cmdstat_wait:calls=1,");
    }
  }

  private static int currentMaster() {
    try (Jedis sentinel = admin(redis.sentinels().get(0))) {
      return Integer.parseInt(sentinel.sentinelGetMasterAddrByName(MASTER).get(1));
    }
  }

  private static Jedis admin(RedisProcesses.Node node) {
    return admin(node.port);
  }

  private static Jedis admin(int port) {
    return redis.admin(port);
  }
}
