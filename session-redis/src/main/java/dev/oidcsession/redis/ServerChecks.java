package dev.oidcsession.redis;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * What the store asks the server about itself: the eviction policy at start and whether a primary
 * has replicas (read from its {@code INFO replication}). Never fails: what cannot be read is logged
 * (or answered "no") and the store starts anyway. Lines go to {@link RedisSessionStore}'s logger,
 * where operators look for the store.
 */
final class ServerChecks {

  private static final Logger log = LoggerFactory.getLogger(RedisSessionStore.class);

  private ServerChecks() {}

  /**
   * Whether an {@code INFO replication} reply lists connected replicas ({@code connected_slaves}
   * above 0). {@link ReplicatedWrite} asks the primary with every replace, so replicas attached
   * after the start are seen.
   */
  static boolean hasConnectedReplicas(String infoReplication) {
    return infoReplication
        .lines()
        .map(String::strip)
        .anyMatch(l -> l.startsWith("connected_slaves:") && !l.equals("connected_slaves:0"));
  }

  /**
   * Reads {@code maxmemory-policy} and warns when Redis may evict sessions badly or refuse writes.
   * Managed services often refuse {@code CONFIG}: that is said at INFO and is no failure.
   */
  static void checkEvictionPolicy(UnifiedJedis redis) {
    Set<String> policies = new LinkedHashSet<>();
    try {
      if (redis instanceof RedisClusterClient cluster) {
        for (Map.Entry<String, ConnectionPool> node : cluster.getClusterNodes().entrySet()) {
          try (Connection connection = node.getValue().getResource()) {
            policies.addAll(new Jedis(connection).configGet("maxmemory-policy").values());
          }
        }
      } else {
        policies.addAll(redis.configGet("maxmemory-policy").values());
      }
    } catch (JedisDataException e) {
      log.info(
          "Redis refused CONFIG GET maxmemory-policy ({}); the eviction policy could not be"
              + " checked: make sure it is volatile-ttl or volatile-lru",
          e.getMessage());
      return;
    } catch (JedisException e) {
      log.info(
          "Redis could not be reached to check maxmemory-policy ({}); the store starts anyway and"
              + " connects when Redis is there",
          e.getClass().getSimpleName());
      return;
    }
    for (String policy : policies) {
      if (policy.startsWith("allkeys-")) {
        log.warn(
            "Redis maxmemory-policy is {}: when memory is full Redis evicts any key, sessions and"
                + " their indexes included, and the application's keys without expiry alike;"
                + " use volatile-ttl or volatile-lru",
            policy);
      } else if (policy.equals("noeviction")) {
        log.warn(
            "Redis maxmemory-policy is noeviction: when memory is full Redis refuses writes, so"
                + " logins and renewals fail; use volatile-ttl or volatile-lru");
      } else {
        log.debug("Redis maxmemory-policy is {}", policy);
      }
    }
  }
}
