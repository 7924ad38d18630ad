package dev.oidcsession.redis;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.args.Rawable;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.csc.CacheEntry;
import redis.clients.jedis.csc.CacheKey;
import redis.clients.jedis.csc.Cacheable;
import redis.clients.jedis.csc.DefaultCache;
import redis.clients.jedis.csc.LRUEviction;

/**
 * The client-side cache of a {@link RedisSessionStore} on Jedis's server-assisted caching (RESP3
 * {@code CLIENT TRACKING ON} on every pooled connection; Redis pushes an {@code invalidate} for a
 * key once it changes after this client read it). Holds at most {@code maxEntries} replies, least
 * recently used out first, and only replies to {@code GET <prefix>{K}:s}: never leases, indexes or
 * scripts. Thread-safe.
 *
 * <p>Three things Jedis's {@link DefaultCache} does not do, and this does:
 *
 * <ul>
 *   <li><b>Compatibility mode.</b> Jedis 8.0.2 refuses servers older than 7.4 unless the cache
 *       says {@link #compatibilityMode()}; tracking and invalidation work from Redis 6.0.
 *   <li><b>A dead owner drops everything.</b> Jedis drops the whole cache when a connection is
 *       disconnected, but checks a hit's owning connection only for that one entry. Here a hit
 *       whose owner is broken or closed flushes the whole cache: whatever that connection tracked
 *       may have changed unseen.
 *   <li><b>No stale fill.</b> A miss reads the value, then stores it; an invalidation of that key
 *       read off the socket in between (by another thread serving a hit on the same connection)
 *       would otherwise be lost, and the old value cached with no invalidation to come. A value is
 *       stored only if no invalidation or flush at all arrived since its miss began.
 * </ul>
 *
 * <p>The map is a {@link ConcurrentHashMap} (Jedis's default {@code HashMap} is read without a
 * lock on hits).
 */
final class EntryCache extends DefaultCache {

  private final AtomicLong invalidations = new AtomicLong();
  private final ThreadLocal<Long> missFrom = new ThreadLocal<>();
  private final Object guard = new Object();

  /** A cache of at most {@code maxEntries} entry replies of keys under {@code prefix}. */
  EntryCache(int maxEntries, String prefix) {
    super(
        maxEntries,
        new ConcurrentHashMap<>(),
        new EntryGets(prefix),
        new LRUEviction(maxEntries));
  }

  @Override
  public boolean compatibilityMode() {
    return true;
  }

  @Override
  public CacheEntry get(CacheKey cacheKey) {
    CacheEntry entry = super.get(cacheKey);
    if (entry != null && !alive(entry.getConnection())) {
      flush();
      entry = null;
    }
    if (entry == null) {
      missFrom.set(invalidations.get());
    }
    return entry;
  }

  @Override
  public CacheEntry set(CacheKey cacheKey, CacheEntry value) {
    Long from = missFrom.get();
    missFrom.remove();
    synchronized (guard) {
      if (from == null || from != invalidations.get()) {
        return null; // something changed while the value was read: serve it, do not keep it
      }
      return super.set(cacheKey, value);
    }
  }

  @Override
  public List<CacheKey> deleteByRedisKey(Object key) {
    synchronized (guard) {
      invalidations.incrementAndGet();
      return super.deleteByRedisKey(key);
    }
  }

  @Override
  public List<CacheKey> deleteByRedisKeys(List keys) {
    synchronized (guard) {
      invalidations.incrementAndGet();
      return super.deleteByRedisKeys(keys); // null (a FLUSHALL's invalidate) flushes
    }
  }

  @Override
  public int flush() {
    synchronized (guard) {
      invalidations.incrementAndGet();
      return super.flush();
    }
  }

  private static boolean alive(Connection owner) {
    return owner != null && !owner.isBroken() && owner.isConnected();
  }

  /** Admits {@code GET} of one entry key {@code <prefix>{K}:s}, nothing else. */
  static final class EntryGets implements Cacheable {

    private final String prefix;

    EntryGets(String prefix) {
      this.prefix = prefix + "{";
    }

    @Override
    public boolean isCacheable(ProtocolCommand command, List<Object> keys) {
      if (command != Protocol.Command.GET || keys.size() != 1) {
        return false;
      }
      String key = text(keys.get(0));
      return key != null && key.startsWith(prefix) && key.endsWith("}:s");
    }

    private static String text(Object key) {
      if (key instanceof String s) {
        return s;
      }
      if (key instanceof byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
      }
      if (key instanceof Rawable raw) {
        return new String(raw.getRaw(), StandardCharsets.UTF_8);
      }
      return null;
    }
  }
}
