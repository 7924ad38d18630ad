package dev.oidcsession.redis;

import dev.oidcsession.core.StoredEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.args.Rawable;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.csc.CacheConnection;
import redis.clients.jedis.csc.CacheEntry;
import redis.clients.jedis.csc.CacheKey;
import redis.clients.jedis.csc.Cacheable;
import redis.clients.jedis.csc.DefaultCache;
import redis.clients.jedis.csc.LRUEviction;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The client-side cache of a {@link RedisSessionStore} on Jedis's server-assisted caching (RESP3,
 * {@code CLIENT TRACKING}). Holds at most {@code maxEntries} replies, least recently used out
 * first, and only replies to {@code GET <prefix>{K}:s}: never leases, indexes or scripts.
 * Thread-safe.
 *
 * <p>What it adds to Jedis's {@link DefaultCache}:
 *
 * <ul>
 *   <li><b>Compatibility mode.</b> Jedis 8.0.2 refuses servers older than 7.4 unless the cache
 *       says {@link #compatibilityMode()}; tracking and invalidation work from Redis 6.0.
 *   <li><b>Freshness that does not depend on the pooled connections.</b> Jedis relies on the
 *       connection that read a key to hear of its change, and a dead idle connection is noticed
 *       only when next used: until then its entries are served stale. Here every data node that
 *       served a cached read has an {@link InvalidationListener}: one connection with {@code
 *       CLIENT TRACKING ON BCAST PREFIX <prefix>}, read by a thread of its own, which hears of
 *       every change under the prefix whoever made it. A value is kept only if its node's
 *       listener was up for the whole miss; a listener lost (closed, killed, restarted, or a
 *       {@code PING} unanswered within the socket timeout) drops the whole cache at once.
 *   <li><b>No stale fill.</b> A miss reads the value, then stores it; an invalidation arriving in
 *       between would otherwise be lost and the old value kept. A value is stored only if no
 *       invalidation of a key of its stripe (one in 4,096), flush, listener loss or new listener
 *       happened since its miss began.
 *   <li><b>One data node at a time for standalone and Sentinel.</b> A value read from another
 *       node than the listened one (Sentinel's new master) closes the old listener, which drops
 *       the whole cache. Behind Sentinel, a value is kept only from the client's current master:
 *       a read on the old master's pool that ends after the switch is served, not kept.
 *   <li><b>Pooled connections closing drop nothing.</b> Jedis flushes the whole cache when one
 *       of its caching connections closes; this cache declines that flush (see {@link #flush}).
 * </ul>
 *
 * <p>The map is a {@link ConcurrentHashMap} (Jedis's default {@code HashMap} is read without a
 * lock on hits).
 *
 * <p><b>Hits without Jedis.</b> Beside each reply it keeps, the cache holds the {@link
 * StoredEntry} decoded from it, by store key: {@link RedisSessionStore#find} asks {@link
 * #decoded} first, one lock-free map lookup that returns the same object each time, with no
 * pooled connection, no Jedis cache lookup and no record parse. Jedis is asked only when that
 * misses. A decoded entry is kept by {@link #keep} under the rules of a reply (its node's listener
 * up, no invalidation of its stripe, flush, listener loss or new listener since its read began,
 * and the reply itself still held), and it goes with its reply: every invalidation, eviction and
 * flush removes both under one lock, so there are never more decoded entries than replies.
 * Eviction is Jedis's LRU of replies, whose recency is that of reads through Jedis: with hits
 * answered here, the entry read from Redis longest ago goes first.
 */
final class EntryCache extends DefaultCache implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RedisSessionStore.class);
  private static final int STRIPES = 4096;
  private static final StackWalker CLOSING_CONNECTION =
      StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

  private final String trackedPrefix;
  private final JedisClientConfig listenerConfig;
  private final boolean oneNode;
  private final long heartbeatTimeoutNanos;
  /** Flushes, listener losses and new listeners: each changes everything. */
  private final AtomicLong epoch = new AtomicLong();
  /** Invalidations by key, striped: a change of one key does not spoil a concurrent miss of another. */
  private final AtomicLongArray stripes = new AtomicLongArray(STRIPES);
  /** The read under way on this thread, from Jedis's lookup to {@link #keep}. */
  private final ThreadLocal<Read> reads = ThreadLocal.withInitial(Read::new);
  /** The entries decoded from the replies held, by store key value; a subset of the replies. */
  private final Map<String, StoredEntry> decoded = new ConcurrentHashMap<>();
  private final Object guard = new Object();
  private final Map<HostAndPort, InvalidationListener> listeners = new HashMap<>();
  private long openFailedAt;
  private boolean openFailed;
  private ScheduledExecutorService heartbeat;
  private volatile boolean closed;
  /**
   * Sentinel: the master the client now sends commands to. A reply from another node (a read on
   * the old master's pool that finishes after the switch) is served, not kept.
   */
  private volatile Supplier<HostAndPort> currentNode;
  /** Runs in {@link #keep} before it decides (tests: an invalidation in between). */
  volatile Runnable beforeKeep;

  /**
   * A cache of at most {@code maxEntries} entry replies of keys under {@code prefix}, whose
   * listeners connect with {@code listenerConfig} and whose heartbeat gives up on a {@code PING}
   * after {@code heartbeatTimeout}; {@code oneNode} for standalone and Sentinel.
   */
  EntryCache(
      int maxEntries,
      String prefix,
      JedisClientConfig listenerConfig,
      boolean oneNode,
      Duration heartbeatTimeout) {
    super(
        maxEntries,
        new ConcurrentHashMap<>(),
        new EntryGets(prefix),
        new LRUEviction(maxEntries));
    this.trackedPrefix = prefix + "{";
    this.listenerConfig = listenerConfig;
    this.oneNode = oneNode;
    this.heartbeatTimeoutNanos = heartbeatTimeout.toNanos();
  }

  @Override
  public boolean compatibilityMode() {
    return true;
  }

  /**
   * The entry decoded from the reply held for the store key {@code key}, or {@code null}: the same
   * object until the reply goes. Lock-free; expiry is the caller's to check.
   */
  StoredEntry decoded(String key) {
    return decoded.get(key);
  }

  /**
   * Keeps {@code entry}, decoded from the reply this thread just had for {@code GET entryKey}, as
   * the answer to {@link #decoded}{@code (key)}: only if that reply was a hit or was kept, is
   * still held, and nothing that would have refused it changed since the read began. Otherwise
   * does nothing (the next find asks Jedis again).
   */
  void keep(String entryKey, String key, StoredEntry entry) {
    Read read = reads.get();
    CacheKey<?> cacheKey = read.cacheKey;
    boolean held = read.held;
    read.cacheKey = null;
    read.held = false;
    if (!held || !isKey(cacheKey, entryKey)) {
      return;
    }
    Runnable hook = beforeKeep;
    if (hook != null) {
      hook.run();
    }
    synchronized (guard) {
      if (closed
          || read.epoch != epoch.get()
          || read.count != stripes.get(read.stripe)
          || !containsKeyInStore(cacheKey)) {
        return; // changed, dropped or evicted since the read began: the reply was served, not kept
      }
      decoded.put(key, entry);
    }
  }

  /**
   * Forgets {@code entryKey} now, as its invalidation will: called by the store after its own write
   * of it, so this node's next find reads the write without waiting for the push.
   */
  void forget(String entryKey) {
    deleteByRedisKey(entryKey);
  }

  /** How many decoded entries are held (tests). */
  int decodedCount() {
    return decoded.size();
  }

  @Override
  public CacheEntry get(CacheKey cacheKey) {
    // A miss that follows reads after this point.
    Read read = reads.get();
    read.stripe = stripe(cacheKey);
    read.epoch = epoch.get();
    read.count = stripes.get(read.stripe);
    read.cacheKey = cacheKey;
    read.began = true;
    CacheEntry hit = super.get(cacheKey);
    read.held = hit != null;
    return hit;
  }

  @Override
  public CacheEntry set(CacheKey cacheKey, CacheEntry value) {
    Read read = reads.get();
    boolean began = read.began && read.cacheKey == cacheKey;
    read.began = false;
    read.held = false;
    CacheConnection owner = value.getConnection();
    // A nil reply (no such entry) is not kept: random cookies would otherwise fill the cache with
    // absent keys, push out live sessions and leave Jedis's key index growing.
    if (!began || owner == null || value.getValue() == null) {
      return null;
    }
    HostAndPort node = owner.getHostAndPort();
    if (!current(node)) {
      return null; // checked before a listener is opened to a node the client has left
    }
    InvalidationListener listener = listenerFor(node);
    synchronized (guard) {
      // Again under the guard: Jedis sets the new master before it flushes (under the guard), so
      // a read that began after that flush sees the new master here.
      if (listener == null
          || !current(node)
          || !listener.up()
          || read.epoch != epoch.get()
          || read.count != stripes.get(read.stripe)) {
        return null; // nobody listened all along, or something changed: serve it, do not keep it
      }
      read.held = true;
      return super.set(cacheKey, value);
    }
  }

  @Override
  public boolean delete(CacheKey cacheKey) {
    synchronized (guard) {
      return super.delete(cacheKey);
    }
  }

  @Override
  public List<Boolean> delete(List<CacheKey> cacheKeys) {
    synchronized (guard) {
      return super.delete(cacheKeys);
    }
  }

  // Invalidations and flushes remove first and count after: a read whose start (in get, without
  // the guard) sees the new count also sees the reply gone, so a hit of the old reply always
  // carries the old count and is not kept.

  @Override
  public List<CacheKey> deleteByRedisKey(Object key) {
    synchronized (guard) {
      forgetDecoded(key);
      List<CacheKey> deleted = super.deleteByRedisKey(key);
      stripes.incrementAndGet(stripe(key));
      return deleted;
    }
  }

  @Override
  public List<CacheKey> deleteByRedisKeys(List keys) {
    synchronized (guard) {
      if (keys == null) { // a FLUSHALL's invalidate
        decoded.clear();
        List<CacheKey> deleted = super.deleteByRedisKeys(null); // flushes
        epoch.incrementAndGet();
        return deleted;
      }
      for (Object key : keys) {
        forgetDecoded(key);
      }
      List<CacheKey> deleted = super.deleteByRedisKeys(keys);
      for (Object key : keys) {
        stripes.incrementAndGet(stripe(key));
      }
      return deleted;
    }
  }

  /**
   * Drops everything, except when Jedis asks on closing a pooled connection: Jedis's {@link
   * CacheConnection#disconnect()} flushes the whole cache because, in its default tracking mode,
   * the keys a connection read are invalidated only on that connection. Here every change is
   * heard on the node's listener whichever connection read the key, so a pooled connection that
   * closes (evicted idle, broken, killed, or above the pool's idle bound) loses nothing, and
   * dropping the cache for it would only send every user's next request to Redis. Failovers still
   * drop it: Jedis's topology and master changes flush from elsewhere, and a lost listener drops
   * it here.
   */
  @Override
  public int flush() {
    if (CLOSING_CONNECTION.walk(EntryCache::calledByDisconnect)) {
      return 0;
    }
    return dropAll();
  }

  private static boolean calledByDisconnect(Stream<StackWalker.StackFrame> frames) {
    return frames
        .skip(1) // flush itself
        .findFirst()
        .map(f -> CacheConnection.class.isAssignableFrom(f.getDeclaringClass())
            && f.getMethodName().equals("disconnect"))
        .orElse(false);
  }

  /** Drops every reply and decoded entry, and spoils every read under way. */
  int dropAll() {
    synchronized (guard) {
      decoded.clear();
      int dropped = super.flush();
      epoch.incrementAndGet();
      return dropped;
    }
  }

  /** A reply leaving (evicted, invalidated): its decoded entry goes with it. Under the guard. */
  @Override
  public boolean removeFromStore(CacheKey cacheKey) {
    List<Object> keys = cacheKey.getRedisKeys();
    if (!keys.isEmpty()) {
      forgetDecoded(keys.get(0));
    }
    return super.removeFromStore(cacheKey);
  }

  /**
   * Keeps replies only from the node {@code current} names (Sentinel: the client's current
   * master), whatever pooled connection brings them.
   */
  void followCurrentNode(Supplier<HostAndPort> current) {
    this.currentNode = current;
  }

  private boolean current(HostAndPort node) {
    Supplier<HostAndPort> current = currentNode;
    return current == null || node.equals(current.get());
  }

  /**
   * Invalidations applied so far to the stripe of {@code redisKey} (tests: whether the push of a
   * write has been heard).
   */
  long invalidationsHeard(String redisKey) {
    return stripes.get(stripe(redisKey));
  }

  /** The nodes listened to now (tests). */
  synchronized List<InvalidationListener> listeners() {
    return List.copyOf(listeners.values());
  }

  /** Closes every listener and the heartbeat, and empties the cache; nothing is kept after. */
  @Override
  public void close() {
    List<InvalidationListener> open;
    synchronized (this) {
      closed = true;
      open = List.copyOf(listeners.values());
      listeners.clear();
      if (heartbeat != null) {
        heartbeat.shutdownNow();
      }
    }
    open.forEach(InvalidationListener::close);
    dropAll();
  }

  /**
   * The up listener of {@code node}, opened now if there is none ({@code null} if that fails; a
   * failed open is retried no sooner than a second later). Opening one changes the epoch, so
   * the miss that opened it is not kept.
   */
  private synchronized InvalidationListener listenerFor(HostAndPort node) {
    InvalidationListener listener = listeners.get(node);
    if (listener != null && listener.up()) {
      return listener;
    }
    if (closed
        || (openFailed
            && System.nanoTime() - openFailedAt < RedisConfig.CLIENT_CACHE_CHECK.toNanos())) {
      return null;
    }
    if (oneNode) {
      for (InvalidationListener other : List.copyOf(listeners.values())) {
        listeners.remove(other.node());
        other.close(); // another node now: its reader reports the loss and drops the cache
      }
    }
    try {
      listener =
          InvalidationListener.open(
              node, listenerConfig, trackedPrefix, this::invalidate, this::lost);
    } catch (JedisException e) {
      openFailed = true;
      openFailedAt = System.nanoTime();
      log.warn(
          "client-side cache: could not listen for invalidations on {} ({}); reads are not cached"
              + " meanwhile",
          node,
          e.getClass().getSimpleName());
      return null;
    }
    openFailed = false;
    listeners.put(node, listener);
    dropAll(); // anything read before this listener was up may have changed unheard
    if (heartbeat == null) {
      heartbeat =
          Executors.newSingleThreadScheduledExecutor(
              task -> {
                Thread thread = new Thread(task, "oidc-session-cache-heartbeat");
                thread.setDaemon(true);
                return thread;
              });
      long every = RedisConfig.CLIENT_CACHE_CHECK.toMillis();
      heartbeat.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
    }
    return listener;
  }

  private void forgetDecoded(Object redisKey) {
    String key = storeKey(redisKey);
    if (key != null) {
      decoded.remove(key);
    }
  }

  /** {@code K} of an entry key {@code <prefix>{K}:s}; {@code null} for any other key. */
  private String storeKey(Object redisKey) {
    String text = EntryGets.text(redisKey);
    return text != null
            && text.length() >= trackedPrefix.length() + 3
            && text.startsWith(trackedPrefix)
            && text.endsWith("}:s")
        ? text.substring(trackedPrefix.length(), text.length() - 3)
        : null;
  }

  private static boolean isKey(CacheKey<?> cacheKey, String entryKey) {
    if (cacheKey == null) {
      return false;
    }
    List<Object> keys = cacheKey.getRedisKeys();
    return keys.size() == 1 && entryKey.equals(EntryGets.text(keys.get(0)));
  }

  private static int stripe(CacheKey cacheKey) {
    List<Object> keys = cacheKey.getRedisKeys();
    return keys.isEmpty() ? 0 : stripe(keys.get(0));
  }

  private static int stripe(Object redisKey) {
    String text = EntryGets.text(redisKey);
    return (text == null ? 0 : text.hashCode() & 0x7fffffff) % STRIPES;
  }

  private void beat() {
    for (InvalidationListener listener : listeners()) {
      listener.heartbeat(heartbeatTimeoutNanos);
    }
  }

  private void invalidate(List<Object> keys) {
    deleteByRedisKeys(keys);
  }

  private void lost(InvalidationListener listener) {
    synchronized (this) {
      listeners.remove(listener.node(), listener);
    }
    int dropped = dropAll();
    if (!closed) {
      log.info(
          "client-side cache: the invalidation connection to {} is gone; dropped {} entries",
          listener.node(),
          dropped);
    }
  }

  /**
   * One thread's read through Jedis: where it began (epoch, its key's stripe and that stripe's
   * count), its cache key, and whether its reply is held (a hit, or a miss kept).
   */
  private static final class Read {
    long epoch;
    long count;
    int stripe;
    CacheKey<?> cacheKey;
    boolean began;
    boolean held;
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
