package dev.oidcsession.redis;

import dev.oidcsession.core.StoreKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisMovedDataException;
import redis.clients.jedis.util.JedisClusterCRC16;
import redis.clients.jedis.util.SafeEncoder;

/**
 * A write confirmed by {@code WAIT 1}: the script and its {@code WAIT} run on one connection, since
 * Redis's {@code WAIT} waits only for the writes of the connection that sends it. The connection is
 * the key's primary: the client's pool for a standalone server or Sentinel's current master, the
 * key's slot for Cluster.
 *
 * <p>Whether the primary has replicas is asked with every write: {@code INFO replication} goes
 * ahead of the script in the same round trip, so replicas attached at any time (or a new primary
 * after a failover) are used at once, and a primary without replicas costs no {@code WAIT}.
 * Replaces are renewals and idle marks, not requests: the extra reply (about 500 bytes) is cheap
 * next to a round trip.
 *
 * <p>Thread-safe and stateless.
 */
final class ReplicatedWrite {

  private static final Logger log = LoggerFactory.getLogger(RedisSessionStore.class);
  private static final int MAX_REDIRECTS = 3;

  private final UnifiedJedis redis;
  private final Duration wait;

  /** {@code wait}: how long a {@code WAIT} may block; zero turns it (and the replica check) off. */
  ReplicatedWrite(UnifiedJedis redis, Duration wait) {
    this.redis = redis;
    this.wait = wait;
  }

  /**
   * The script's reply, {@code null} for nil, and whether a write it made was left unconfirmed:
   * the primary has replicas and none acknowledged it in time (or the {@code WAIT} failed).
   */
  record Reply(Object value, boolean unconfirmed) {}

  /**
   * Runs {@code script} on {@code key}'s primary and, when it returned a value (the write happened)
   * and that primary has replicas, {@code WAIT 1} on the same connection. An unacknowledged or
   * failed {@code WAIT} is a WARN naming {@code storeKey} and an {@link Reply#unconfirmed()} reply,
   * never an exception: the write is on the primary.
   *
   * @throws JedisException if the script could not run
   */
  Reply eval(String script, String key, List<byte[]> args, StoreKey storeKey) {
    for (int redirects = 0; ; redirects++) {
      try {
        return evalOnce(script, key, args, storeKey);
      } catch (JedisMovedDataException e) {
        // Cluster: the slot moved (resharding or failover); the script did not run. Learn the new
        // owner and try there, as Jedis's own executor would.
        if (!(redis instanceof RedisClusterClient cluster) || redirects >= MAX_REDIRECTS) {
          throw e;
        }
        refresh(cluster);
      } catch (JedisConnectionException e) {
        if (redis instanceof RedisClusterClient cluster) {
          refresh(cluster); // the next call goes to whoever owns the slot now
        }
        throw e;
      }
    }
  }

  private Reply evalOnce(String script, String key, List<byte[]> args, StoreKey storeKey) {
    AbstractPipeline connection = pin(key);
    try {
      Response<Object> info =
          wait.isZero() ? null : connection.sendCommand(Protocol.Command.INFO, "replication");
      // Binary: the arguments carry a record's raw value, and the reply comes back as bytes.
      Response<Object> reply = connection.eval(SafeEncoder.encode(script),
          List.of(SafeEncoder.encode(key)), args);
      connection.sync();
      Object result = reply.get();
      boolean unconfirmed = result != null && info != null && hasReplicas(info)
          && !awaitReplica(connection, key, storeKey);
      return new Reply(result, unconfirmed);
    } finally {
      closeQuietly(connection);
    }
  }

  /** {@code WAIT 1} on the writer's connection; whether a replica acknowledged the write. */
  private boolean awaitReplica(AbstractPipeline connection, String key, StoreKey storeKey) {
    try {
      Response<Long> acknowledged = connection.waitReplicas(key, 1, Math.max(1, wait.toMillis()));
      connection.sync();
      if (acknowledged.get() < 1) {
        log.warn(
            "replace of {} was not acknowledged by a replica within {}; a failover now could lose"
                + " it",
            storeKey,
            wait);
        return false;
      }
      return true;
    } catch (JedisException e) {
      log.warn("WAIT after the replace of {} failed ({})", storeKey, e.getClass().getSimpleName());
      return false;
    }
  }

  private static boolean hasReplicas(Response<Object> info) {
    try {
      return ServerChecks.hasConnectedReplicas(text(info.get()));
    } catch (JedisException e) {
      // INFO refused (renamed away, ACL): the write stands; without an answer, do not wait.
      log.debug("INFO replication failed ({})", e.getClass().getSimpleName());
      return false;
    }
  }

  /** A pipeline holding one connection to {@code key}'s primary until closed. */
  private AbstractPipeline pin(String key) {
    if (redis instanceof RedisClusterClient cluster) {
      return new Pipeline(cluster.getConnectionFromSlot(JedisClusterCRC16.getSlot(key)), true);
    }
    // RedisClient, RedisSentinelClient (its current master) and any UnifiedJedis on one pool.
    return redis.pipelined();
  }

  private static void refresh(RedisClusterClient cluster) {
    try {
      cluster.refreshClusterTopology();
    } catch (JedisException e) {
      log.debug("cluster topology refresh failed ({})", e.getClass().getSimpleName());
    }
  }

  private static void closeQuietly(AbstractPipeline pipeline) {
    try {
      pipeline.close();
    } catch (JedisException e) {
      // nothing is pending; a broken connection is dropped by the pool
    }
  }

  private static String text(Object reply) {
    return reply instanceof byte[] bytes
        ? new String(bytes, StandardCharsets.UTF_8)
        : String.valueOf(reply);
  }
}
