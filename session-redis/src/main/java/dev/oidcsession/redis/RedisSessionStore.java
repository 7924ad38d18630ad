package dev.oidcsession.redis;

import dev.oidcsession.core.IndexKey;
import dev.oidcsession.core.Lease;
import dev.oidcsession.core.ReplaceResult;
import dev.oidcsession.core.SessionStore;
import dev.oidcsession.core.SessionStoreUnavailableException;
import dev.oidcsession.core.StoreKey;
import dev.oidcsession.core.StoredEntry;
import dev.oidcsession.core.internal.Settings;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.csc.Cache;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.util.SafeEncoder;

/**
 * A {@link SessionStore} in Redis, through a Jedis {@link UnifiedJedis}: the same code for a
 * standalone server ({@code RedisClient}, with or without TLS), Sentinel ({@code
 * RedisSentinelClient}) and Cluster ({@code RedisClusterClient}). Thread-safe; every method is one
 * atomic Redis operation on the entry, followed (for writes) by index upkeep.
 *
 * <h2>Wire format</h2>
 *
 * With the default prefix {@code oidcs:}, a store key {@code K}, an index key {@code I} and the
 * store's clock at {@code now} (epoch ms):
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>type</th><th>holds</th><th>expires</th></tr>
 *   <tr><td>{@code oidcs:{K}:s}</td><td>string</td>
 *       <td>the entry record {@code <version> <expiresAt> <indexes> <encoding> <value>},
 *       e.g. {@code 3 1767225600000 Ib6x...,Qm9v... r \x02...} (see below)</td>
 *       <td>{@code PXAT} the entry's {@code expiresAt}</td></tr>
 *   <tr><td>{@code oidcs:{K}:l}</td><td>string</td><td>the renewal lease's owner token</td>
 *       <td>{@code PX} the lease's ttl</td></tr>
 *   <tr><td>{@code oidcs:{I}:i}</td><td>sorted set</td>
 *       <td>store keys listed by the index, scored by their entry's {@code expiresAt} (epoch ms)</td>
 *       <td>{@code PEXPIREAT} its highest score</td></tr>
 * </table>
 *
 * <p>Record fields: {@code version} decimal; {@code expiresAt} epoch milliseconds (plus {@code
 * .nnnnnn} nanoseconds only when the instant has a sub-millisecond part); {@code indexes} the
 * index keys, sorted, comma-separated, {@code -} when none; {@code encoding} {@code r} (the
 * value follows as raw bytes, for instance a session of stored format 2); then the value. Records
 * written by earlier versions, with {@code a} (value stored as it is, a compact JWE) or {@code b}
 * (standard base64 of the value), are still read.
 *
 * <table>
 *   <caption>Commands per operation</caption>
 *   <tr><th>operation</th><th>commands</th></tr>
 *   <tr><td>{@link #find}</td><td>{@code GET oidcs:{K}:s}: exactly one command, no write; with
 *       the client-side cache, none while the entry is cached and unchanged (below)</td></tr>
 *   <tr><td>{@link #insert}</td><td>{@code SET oidcs:{K}:s <record> NX PXAT <expiresAt>}; then per
 *       index the script {@code INDEX_ADD} on {@code oidcs:{I}:i}</td></tr>
 *   <tr><td>{@link #replace}</td><td>on one connection to the key's primary, in one round
 *       trip: {@code INFO replication} (unless {@code replicaWait} is zero) and the script {@code
 *       REPLACE} on {@code oidcs:{K}:s}: {@code GET}, compare the version (and that it is live),
 *       {@code SET <record> PXAT <expiresAt>}, return the old indexes; then, when the primary has
 *       replicas, {@code WAIT 1 <ms>}. Then {@code ZREM oidcs:{I}:i K} for each index the entry
 *       left and {@code INDEX_ADD} for each it has</td></tr>
 *   <tr><td>{@link #delete}</td><td>the script {@code DELETE} on {@code oidcs:{K}:s}: {@code GET}
 *       and {@code DEL}, returning the old expiry and indexes; then {@code ZREM oidcs:{I}:i K}
 *       per index</td></tr>
 *   <tr><td>{@link #findKeys}</td><td>{@code ZRANGEBYSCORE oidcs:{I}:i <now> +inf}, then {@code
 *       GET oidcs:{K}:s} per candidate to keep only live entries that still list {@code I}</td></tr>
 *   <tr><td>{@link #tryLease}</td><td>{@code SET oidcs:{K}:l <owner> NX PX <ttl>}</td></tr>
 *   <tr><td>{@link #extendLease}</td><td>the script {@code EXTEND} on {@code oidcs:{K}:l}:
 *       {@code PEXPIRE <ttl>} only if {@code GET} equals the owner</td></tr>
 *   <tr><td>{@link #release}</td><td>the script {@code RELEASE} on {@code oidcs:{K}:l}: {@code
 *       DEL} only if {@code GET} equals the owner</td></tr>
 * </table>
 *
 * <p>{@code INDEX_ADD} is {@code ZADD <score> K}, {@code ZREMRANGEBYSCORE -inf <now>} (expired
 * members go on every add) and {@code PEXPIREAT} the highest remaining score, so an index never
 * grows without bound and never outlives its last entry.
 *
 * <h2>Client-side cache (off by default)</h2>
 *
 * <p>With {@link RedisConfig.Builder#clientSideCache(int)} or {@code ?client_cache=N} in the URL,
 * a store made from the config keeps the replies to entry {@code GET}s (nothing else) in a cache
 * of at most {@code N} entries, kept fresh by Redis's server-assisted client-side caching over
 * one broadcast-tracking connection per data node; a lost one drops the whole cache. With each
 * reply it keeps the entry decoded from it, so a {@link #find} of a cached entry is one lock-free
 * map lookup returning the same {@link StoredEntry} object each time (no pooled connection, no
 * Jedis call, no parse), then the expiry check against the store's clock. A {@link #replace} or
 * {@link #delete} by this store drops its key from the cache as soon as Redis answers, without
 * waiting for the key's invalidation. The design, its guarantees and their measured figures: the
 * package's {@code EntryCache} and the README.
 *
 * <h2>Why this shape</h2>
 *
 * <ul>
 *   <li><b>Hash tags.</b> An entry and its lease share the tag {@code {K}}, so they live in one
 *       Cluster slot; each script touches keys of one slot only, as Cluster requires. An index has
 *       its own tag because it lists entries of many slots.
 *   <li><b>One read.</b> Everything {@code find} returns is in one string, so resolving a session
 *       is one {@code GET}, with no write.
 *   <li><b>No locks.</b> Every write to an entry is one command or one Lua script, which Redis runs
 *       atomically; the version compare-and-set replaces any lock. The lease is the only lock-like
 *       thing and is the core's renewal single-flight, not a guard for the data.
 *   <li><b>Lazily consistent indexes.</b> Indexes are written after the entry with separate
 *       commands (in Cluster they are in other slots). A member may outlive its entry or point at
 *       an entry that left the index until its score passes; {@link #findKeys} therefore checks
 *       every candidate against the entry itself.
 *   <li><b>{@code WAIT} on the writer's connection.</b> Redis replicates asynchronously, so a
 *       failover can lose an acknowledged write; for a renewal that would leave only the
 *       provider's already rotated refresh token. {@code WAIT} counts only the writes of the
 *       connection that sends it, so the replace and its {@code WAIT} share one borrowed
 *       connection (a Cluster key's slot connection). A timeout is a WARN and {@link
 *       ReplaceResult#STORED_UNCONFIRMED} from {@link #replaceConfirmed}, never a failure.
 *   <li><b>Expiry twice.</b> Redis drops an entry at its {@code PXAT}; the store also compares
 *       {@code expiresAt} with its own clock, so an entry is absent from its {@code expiresAt} on,
 *       to the nanosecond, whatever the server's clock says.
 * </ul>
 *
 * <p>Every Jedis failure (connection refused, timeout, {@code READONLY} during a failover, cluster
 * down) is thrown as {@link SessionStoreUnavailableException} naming the operation, never a key
 * or value; except that once a {@link #replace} or {@link #delete} committed its entry write, a
 * failing index upkeep is a WARN and the method returns the write's real outcome. The store holds
 * no connection of its own: the client's pool reconnects when Redis is back.
 */
public final class RedisSessionStore implements SessionStore, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RedisSessionStore.class);

  /** How long a replace waits for one replica's acknowledgement, by default. */
  public static final Duration DEFAULT_REPLICA_WAIT = Duration.ofMillis(100);

  /** The default key prefix. */
  public static final String DEFAULT_KEY_PREFIX = "oidcs:";

  static final String REPLACE =
      "local cur = redis.call('GET', KEYS[1])\n"
          + "if not cur then return false end\n"
          + "local v, exp, idx = string.match(cur, '" + EntryRecord.LUA_HEAD + "')\n"
          + "if v ~= ARGV[1] or tonumber(exp) <= tonumber(ARGV[4]) then return false end\n"
          + "redis.call('SET', KEYS[1], ARGV[2], 'PXAT', ARGV[3])\n"
          + "return idx\n";

  static final String DELETE =
      "local cur = redis.call('GET', KEYS[1])\n"
          + "if not cur then return false end\n"
          + "redis.call('DEL', KEYS[1])\n"
          + "local v, exp, idx = string.match(cur, '" + EntryRecord.LUA_HEAD + "')\n"
          + "if not v then return '0 -' end\n"
          + "return exp .. ' ' .. idx\n";

  static final String INDEX_ADD =
      "redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])\n"
          + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])\n"
          + "local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')\n"
          + "if top[2] then redis.call('PEXPIREAT', KEYS[1], top[2]) end\n"
          + "return 1\n";

  static final String EXTEND =
      "if redis.call('GET', KEYS[1]) == ARGV[1] then\n"
          + "  return redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
          + "end\n"
          + "return 0\n";

  static final String RELEASE =
      "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end\n"
          + "return 0\n";

  private static final Duration MAX_REPLICA_WAIT = Duration.ofSeconds(10);
  private static final Pattern PREFIX = Pattern.compile("[\\x21-\\x7a\\x7c\\x7e]{0,64}");

  private final UnifiedJedis redis;
  /** The client's cache when it is this package's, whose decoded entries find asks first. */
  private final EntryCache cache;
  private final boolean ownsClient;
  private final String prefix;
  private final Clock clock;
  private final String topology;
  private final ReplicatedWrite replicatedWrite;
  private final SecureRandom ownerRandom = new SecureRandom();

  private RedisSessionStore(Builder b, UnifiedJedis redis, boolean ownsClient) {
    this.redis = redis;
    this.cache = redis.getCache() instanceof EntryCache entryCache ? entryCache : null;
    this.ownsClient = ownsClient;
    this.prefix = b.keyPrefix != null ? b.keyPrefix : DEFAULT_KEY_PREFIX;
    this.clock = b.clock != null ? b.clock : Clock.systemUTC();
    this.topology = b.topology != null ? b.topology : redis.getClass().getSimpleName();
    Duration replicaWait = b.replicaWait != null ? b.replicaWait : DEFAULT_REPLICA_WAIT;
    this.replicatedWrite = new ReplicatedWrite(redis, replicaWait);
    ServerChecks.checkEvictionPolicy(redis);
  }

  /**
   * A builder for a store on a client you own: the store never closes it. Your client's pool,
   * timeouts and TLS settings apply.
   */
  public static Builder builder(UnifiedJedis client) {
    return new Builder(Objects.requireNonNull(client, "client"), null);
  }

  /**
   * A builder for a store whose client is made from {@code config} at {@link Builder#build()}; the
   * store closes that client in {@link #close()}.
   */
  public static Builder builder(RedisConfig config) {
    Objects.requireNonNull(config, "config");
    Builder builder = new Builder(null, config);
    builder.topology = config.topology();
    return builder;
  }

  /** A store on a client made from {@code config}, on the system clock. */
  public static RedisSessionStore create(RedisConfig config) {
    return builder(config).build();
  }

  // --- SessionStore ---

  @Override
  public Optional<StoredEntry> find(StoreKey key) {
    Objects.requireNonNull(key, "key");
    if (cache != null) {
      StoredEntry held = cache.decoded(key.value());
      if (held != null) {
        return live(held);
      }
    }
    String entryKey = entryKey(key);
    byte[] record = call("find", () -> redis.get(SafeEncoder.encode(entryKey)));
    if (record == null) {
      return Optional.empty();
    }
    Optional<StoredEntry> entry = EntryRecord.decode(key, record);
    if (entry.isEmpty()) {
      log.debug("entry {} holds no record of this store; treated as absent", key);
      return Optional.empty();
    }
    if (cache != null) {
      cache.keep(entryKey, key.value(), entry.get());
    }
    return live(entry.get());
  }

  private Optional<StoredEntry> live(StoredEntry entry) {
    return entry.expiresAt().isAfter(clock.instant()) ? Optional.of(entry) : Optional.empty();
  }

  @Override
  public boolean insert(StoredEntry entry) {
    Objects.requireNonNull(entry, "entry");
    entry.requireNew();
    byte[] record = EntryRecord.encode(entry);
    SetParams params =
        SetParams.setParams().nx().pxAt(EntryRecord.expireAtMillis(entry.expiresAt()));
    String reply = call("insert",
        () -> redis.set(SafeEncoder.encode(entryKey(entry.key())), record, params));
    if (!"OK".equals(reply)) {
      return false;
    }
    for (IndexKey index : entry.indexKeys()) {
      indexAdd(index, entry);
    }
    return true;
  }

  @Override
  public boolean replace(StoredEntry entry, long expectedVersion) {
    return replaceConfirmed(entry, expectedVersion).replaced();
  }

  /**
   * {@inheritDoc}
   *
   * <p>{@link ReplaceResult#STORED_UNCONFIRMED} when the key's primary has replicas and none
   * acknowledged the write within {@code replicaWait} (or the {@code WAIT} failed); {@link
   * ReplaceResult#STORED} when one did, when the primary has no replicas, or when {@code
   * replicaWait} is zero.
   */
  @Override
  public ReplaceResult replaceConfirmed(StoredEntry entry, long expectedVersion) {
    Objects.requireNonNull(entry, "entry");
    entry.requireSuccessorOf(expectedVersion);
    List<byte[]> args =
        List.of(
            SafeEncoder.encode(Long.toString(expectedVersion)),
            EntryRecord.encode(entry),
            SafeEncoder.encode(Long.toString(EntryRecord.expireAtMillis(entry.expiresAt()))),
            SafeEncoder.encode(EntryRecord.expiresAt(clock.instant())));
    // The compare-and-set and its WAIT 1 share one connection: WAIT counts only the writes of the
    // connection that sends it.
    String entryKey = entryKey(entry.key());
    ReplicatedWrite.Reply reply;
    try {
      reply = call("replace", () -> replicatedWrite.eval(REPLACE, entryKey, args, entry.key()));
    } finally {
      forget(entryKey);
    }
    Object old = reply.value();
    if (old == null) {
      return ReplaceResult.CONFLICT;
    }
    // Committed: from here on a failure is the indexes' (lazily consistent), never the write's.
    try {
      Set<String> kept = new HashSet<>();
      entry.indexKeys().forEach(index -> kept.add(index.value()));
      for (String index : EntryRecord.indexNames(
          old instanceof byte[] bytes ? SafeEncoder.encode(bytes) : String.valueOf(old))) {
        if (!kept.contains(index)) {
          redis.zrem(indexKey(index), entry.key().value());
        }
      }
      for (IndexKey index : entry.indexKeys()) {
        redis.eval(INDEX_ADD, List.of(indexKey(index.value())), indexArgs(entry));
      }
    } catch (JedisException e) {
      indexUpkeepFailed("replace", entry.key(), e);
    }
    return reply.unconfirmed() ? ReplaceResult.STORED_UNCONFIRMED : ReplaceResult.STORED;
  }

  @Override
  public boolean delete(StoreKey key) {
    Objects.requireNonNull(key, "key");
    String entryKey = entryKey(key);
    Object old;
    try {
      old = call("delete", () -> redis.eval(DELETE, List.of(entryKey), List.of()));
    } finally {
      forget(entryKey);
    }
    if (old == null) {
      return false;
    }
    String[] fields = ((String) old).split(" ", 2);
    // Committed: from here on a failure is the indexes' (lazily consistent), never the delete's.
    try {
      for (String index : EntryRecord.indexNames(fields[1])) {
        redis.zrem(indexKey(index), key.value());
      }
    } catch (JedisException e) {
      indexUpkeepFailed("delete", key, e);
    }
    return Double.parseDouble(fields[0]) > clock.millis();
  }

  @Override
  public Set<StoreKey> findKeys(IndexKey index) {
    Objects.requireNonNull(index, "index");
    // Scores are whole milliseconds; find() below decides liveness exactly.
    double now = clock.millis();
    List<String> candidates =
        call(
            "findKeys",
            () -> redis.zrangeByScore(indexKey(index.value()), now, Double.POSITIVE_INFINITY));
    Set<StoreKey> keys = new LinkedHashSet<>();
    for (String candidate : candidates) {
      StoreKey key;
      try {
        key = new StoreKey(candidate);
      } catch (IllegalArgumentException e) {
        continue; // not written by this store
      }
      find(key)
          .filter(entry -> entry.indexKeys().contains(index))
          .ifPresent(entry -> keys.add(key));
    }
    return Set.copyOf(keys);
  }

  @Override
  public Optional<Lease> tryLease(StoreKey key, Duration ttl) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("lease ttl must be positive, but was " + ttl);
    }
    byte[] ownerBytes = new byte[16];
    ownerRandom.nextBytes(ownerBytes);
    Lease lease = new Lease(key, Base64.getUrlEncoder().withoutPadding().encodeToString(ownerBytes));
    long ttlMillis = Math.max(1, ttl.toMillis());
    String reply =
        call(
            "tryLease",
            () -> redis.set(leaseKey(key), lease.owner(), SetParams.setParams().nx().px(ttlMillis)));
    return "OK".equals(reply) ? Optional.of(lease) : Optional.empty();
  }

  @Override
  public boolean extendLease(Lease lease, Duration ttl) {
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("lease ttl must be positive, but was " + ttl);
    }
    String ttlMillis = Long.toString(Math.max(1, ttl.toMillis()));
    List<String> args = List.of(lease.owner(), ttlMillis);
    Object reply =
        call("extendLease", () -> redis.eval(EXTEND, List.of(leaseKey(lease.key())), args));
    return Long.valueOf(1).equals(reply);
  }

  @Override
  public void release(Lease lease) {
    Objects.requireNonNull(lease, "lease");
    call("release", () -> redis.eval(RELEASE, List.of(leaseKey(lease.key())), List.of(lease.owner())));
  }

  /** Closes the client if this store made it (from a {@link RedisConfig}); else does nothing. */
  @Override
  public void close() {
    if (ownsClient) {
      redis.close();
      if (cache != null) {
        cache.close();
      }
    }
  }

  /** Topology and prefix; never an address with credentials. */
  @Override
  public String toString() {
    return "RedisSessionStore[" + topology + ", prefix=" + prefix + "]";
  }

  // --- keys and helpers ---

  /** The client's client-side cache, {@code null} without one. */
  Cache clientCache() {
    return redis.getCache();
  }

  /** The client (tests: its pools). */
  UnifiedJedis client() {
    return redis;
  }

  /** The entry key of {@code key}: {@code <prefix>{<key>}:s}. */
  String entryKey(StoreKey key) {
    return prefix + "{" + key.value() + "}:s";
  }

  /** The lease key of {@code key}: {@code <prefix>{<key>}:l}, in the entry's slot. */
  String leaseKey(StoreKey key) {
    return prefix + "{" + key.value() + "}:l";
  }

  /** The index key of {@code index}: {@code <prefix>{<index>}:i}. */
  String indexKey(String index) {
    return prefix + "{" + index + "}:i";
  }

  /**
   * After this store's own write of {@code entryKey} (done or failed), drops it from the
   * client-side cache at once rather than when its invalidation arrives: this node's next find
   * reads the write.
   */
  private void forget(String entryKey) {
    if (cache != null) {
      cache.forget(entryKey);
    }
  }

  private void indexAdd(IndexKey index, StoredEntry entry) {
    call("index", () -> redis.eval(INDEX_ADD, List.of(indexKey(index.value())), indexArgs(entry)));
  }

  private List<String> indexArgs(StoredEntry entry) {
    return List.of(
        Long.toString(EntryRecord.expireAtMillis(entry.expiresAt())),
        entry.key().value(),
        Long.toString(clock.millis()));
  }

  /**
   * A replace or delete committed but its index upkeep failed: the indexes are lazily consistent
   * ({@link #findKeys} checks every candidate against its entry, and members go when their score
   * passes), so the caller hears the write's outcome and operators hear this.
   */
  private static void indexUpkeepFailed(String operation, StoreKey key, JedisException e) {
    log.warn(
        "index upkeep after the {} of {} failed ({}); the {} stands, but until the entry expires"
            + " an index may still list it or miss it (a back-channel logout may not reach it)",
        operation,
        key,
        e.getClass().getSimpleName(),
        operation);
  }

  private static <T> T call(String operation, Supplier<T> command) {
    try {
      return command.get();
    } catch (JedisException e) {
      // The cause's text is Redis's or the socket's: no key, value or password in it.
      throw new SessionStoreUnavailableException(
          "Redis session store: " + operation + " failed (" + e.getClass().getSimpleName() + ")", e);
    }
  }

  /**
   * Builds a {@link RedisSessionStore}. Each setter may be called once; {@link #build()} leaves the
   * builder as it was.
   */
  public static final class Builder {

    private final UnifiedJedis client;
    private final RedisConfig config;
    private String keyPrefix;
    private Clock clock;
    private String topology;
    private Duration replicaWait;

    private Builder(UnifiedJedis client, RedisConfig config) {
      this.client = client;
      this.config = config;
    }

    /**
     * Prefixes every key, so several applications can share one Redis. Default {@value
     * RedisSessionStore#DEFAULT_KEY_PREFIX}; at most 64 printable ASCII characters without braces
     * or spaces (braces would break the hash tags). The only place the prefix is set: a {@link
     * RedisConfig} says how to reach Redis, not how to name keys.
     */
    public Builder keyPrefix(String value) {
      Objects.requireNonNull(value, "keyPrefix");
      if (!PREFIX.matcher(value).matches()) {
        throw new IllegalArgumentException(
            "keyPrefix must be at most 64 printable ASCII characters without braces or spaces,"
                + " but was \"" + value + "\"");
      }
      keyPrefix = Settings.once(keyPrefix, value, "keyPrefix");
      return this;
    }

    /**
     * Wall time that decides whether an entry is still live, in addition to Redis's own expiry.
     * Default {@link Clock#systemUTC()}; use the session manager's clock.
     */
    public Builder clock(Clock value) {
      clock = Settings.once(clock, value, "clock");
      return this;
    }

    /**
     * How long a successful {@link #replace} waits ({@code WAIT 1 <ms>}, on the connection that
     * wrote) for one replica to acknowledge it, when the key's primary has connected replicas
     * (standalone, Sentinel and each Cluster primary; asked with {@code INFO replication} in the
     * replace's round trip, so replicas attached at any time are used). The replace keeps its
     * pooled connection while it waits. A timeout is logged at WARN, never a failure. {@link
     * Duration#ZERO} turns it off. Default {@link RedisSessionStore#DEFAULT_REPLICA_WAIT}; at most
     * 10 seconds.
     */
    public Builder replicaWait(Duration value) {
      replicaWait =
          Settings.once(
              replicaWait,
              Settings.between(value, Duration.ZERO, MAX_REPLICA_WAIT, "replicaWait"),
              "replicaWait");
      return this;
    }

    /**
     * Builds the store and checks the server's eviction policy (a log line, never a failure). With
     * a {@link RedisConfig}, makes a new client each time.
     */
    public RedisSessionStore build() {
      return client != null
          ? new RedisSessionStore(this, client, false)
          : new RedisSessionStore(
              this,
              config.createClient(keyPrefix != null ? keyPrefix : DEFAULT_KEY_PREFIX),
              true);
    }
  }
}
