/**
 * The Redis session store: a {@link dev.oidcsession.core.SessionStore} on Jedis, one code path for
 * a standalone server (with or without TLS), Sentinel and Cluster.
 *
 * <p>Where to start:
 *
 * <ul>
 *   <li>{@link dev.oidcsession.redis.RedisConfig}: how to reach Redis, from one {@code REDIS_URL}
 *       ({@code redis://}, {@code rediss://}, {@code redis-sentinel://}, {@code redis-cluster://})
 *       plus TLS files, pool size, timeouts and the optional client-side cache ({@code
 *       ?client_cache=N}: resolving an unchanged session costs no round trip).
 *   <li>{@link dev.oidcsession.redis.RedisSessionStore#create(RedisConfig)} for every default, or
 *       {@link dev.oidcsession.redis.RedisSessionStore#builder(RedisConfig)} / {@link
 *       dev.oidcsession.redis.RedisSessionStore#builder(redis.clients.jedis.UnifiedJedis)} for the
 *       key prefix, the clock and the replica wait, on a client made for you or your own.
 *   <li>The wire format (every key, every command per operation, and why) is in {@link
 *       dev.oidcsession.redis.RedisSessionStore}'s class Javadoc; {@code RedisWireIT} pins it.
 * </ul>
 *
 * <p>Everything else in the package is package-private.
 */
package dev.oidcsession.redis;
