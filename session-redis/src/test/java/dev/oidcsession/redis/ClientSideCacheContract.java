package dev.oidcsession.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oidcsession.core.IndexKey;
import dev.oidcsession.core.SessionStore;
import dev.oidcsession.core.StoreKey;
import dev.oidcsession.core.StoredEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.csc.Cache;
import redis.clients.jedis.csc.CacheEntry;

/**
 * The store contract with the client-side cache on ({@code ?client_cache=}), plus what the cache
 * promises, on the topology a subclass registers: a find of an unchanged entry costs no command
 * and no byte; a write by another client (renewal, idle mark, logout, back-channel logout) is seen
 * once its invalidation arrives (the delay is measured); a lost connection drops the whole cache;
 * the cache never holds more than its size, and only entry reads.
 *
 * <p>"Node A" is the cached store under test; "node B" is {@link RedisTopology#store()}, another
 * client without a cache. Tests that kill connections run last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ClientSideCacheContract extends RedisStoreContract {

  private static final Logger log = LoggerFactory.getLogger(ClientSideCacheContract.class);
  static final int CACHE_SIZE = 1_000;
  /**
   * A closed invalidation connection is seen as soon as its FIN arrives (measured in
   * milliseconds); the bound only keeps a broken build from hanging.
   */
  static final Duration LOSS_DETECTED_WITHIN = Duration.ofSeconds(5);

  /** Node A of each topology, shared by its class's tests (JUnit makes an instance per test). */
  private static final Map<RedisTopology, RedisSessionStore> CACHED = new ConcurrentHashMap<>();

  /** The data nodes whose {@code INFO} counts node A's traffic. */
  protected abstract List<RedisProcesses.Node> dataNodes();

  /**
   * Whether nothing but the test's clients talks to the data nodes (no sentinels, no replicas),
   * so that their byte counters measure node A alone.
   */
  protected abstract boolean quietNodes();

  /** Node A: the store with a client-side cache, from the topology's URL with client_cache. */
  @Override
  protected SessionStore store() {
    return cached();
  }

  protected RedisSessionStore cached() {
    return CACHED.computeIfAbsent(
        topology(),
        topology -> {
          RedisConfig config =
              RedisConfig.builder()
                  .url(withQuery(topology.url(), "client_cache=" + CACHE_SIZE))
                  .build();
          assertThat(config.clientSideCache()).isEqualTo(CACHE_SIZE);
          return topology.closeAfterAll(RedisSessionStore.create(config));
        });
  }

  /** Node B: another client, without a cache. */
  protected RedisSessionStore writer() {
    return topology().store();
  }

  @Test
  void find_cachedEntry_thousandFindsCostNoCommandAndNoByte() {
    StoredEntry entry = entry(randomKey(), 1, now().plusSeconds(600), randomIndex());
    Traffic first = traffic();
    // The first find of a node's key opens its invalidation connection, and is not kept.
    insertAndAwaitCachedWithNoPushPending(entry);
    log.info("until the entry was cached: commands {}", traffic().commandsSince(first));

    Traffic before = traffic();
    int finds = 1_000;
    for (int i = 0; i < finds; i++) {
      assertThat(cached().find(entry.key())).contains(entry);
    }
    Traffic after = traffic();

    Map<String, Long> commands = after.commandsSince(before);
    log.info("{} finds of one cached entry: commands {}", finds, commands);
    assertThat(commands).isEmpty();
    if (quietNodes()) {
      long bytes = after.bytesSince(before);
      log.info("{} finds of one cached entry: {} bytes from Redis", finds, bytes);
      assertThat(bytes).isZero();
    }
  }

  @Test
  void find_cachedEntry_borrowsNoPooledConnection_andReturnsTheSameEntryEachTime() {
    StoredEntry entry = entry(randomKey(), 1, now().plusSeconds(600), randomIndex());
    insertAndAwaitCachedWithNoPushPending(entry);
    StoredEntry first = cached().find(entry.key()).orElseThrow();
    assertThat(first).isEqualTo(entry);

    long before = borrowedConnections();
    int finds = 1_000;
    int same = 0;
    for (int i = 0; i < finds; i++) {
      Optional<StoredEntry> found = cached().find(entry.key());
      assertThat(found).contains(entry);
      same += found.get() == first ? 1 : 0;
    }
    long borrowed = borrowedConnections() - before;
    log.info(
        "{} finds of one cached entry: {} pooled connections borrowed, {} times the same object",
        finds,
        borrowed,
        same);
    assertThat(borrowed).isZero();
    // The very object: the core's decoded-session cache then compares references, not bytes.
    assertThat(same).isEqualTo(finds);
  }

  @Test
  void find_invalidationBetweenTheReplyAndItsKeeping_notKept_nextFindSeesTheWrite() {
    StoredEntry first = entry(randomKey(), 1, now().plusSeconds(600));
    assertThat(writer().insert(first)).isTrue();
    awaitCached(first); // its node listened to from here on
    StoredEntry second = entry(first.key(), 2, now().plusSeconds(700));
    assertThat(writer().replace(second, 1)).isTrue();
    awaitInvalidated(first);
    StoredEntry third = entry(first.key(), 3, now().plusSeconds(800));
    AtomicInteger hooks = new AtomicInteger();
    AtomicReference<StoredEntry> refilled = new AtomicReference<>();
    entryCache().beforeKeep =
        () -> {
          if (hooks.getAndIncrement() > 0) {
            return; // the refill below
          }
          // The reply (second) is in hand and held; another node writes now, its invalidation
          // arrives, and another thread reads and keeps the new value, all before this keep.
          assertThat(isCached(first)).as("the reply held").isTrue();
          assertThat(writer().replace(third, 2)).isTrue();
          awaitInvalidated(first);
          refilled.set(CompletableFuture.supplyAsync(() -> awaitDecoded(first.key())).join());
        };
    try {
      // A pooled connection that read the key before may still carry the push of the last
      // write, which it applies before this read's reply: that read is served and not kept, so
      // this tries until one is held (at most one try per pooled connection).
      for (int i = 0; hooks.get() == 0 && i < 100; i++) {
        assertThat(cached().find(first.key())).contains(second); // read before the write: served
      }
    } finally {
      entryCache().beforeKeep = null;
    }
    assertThat(hooks.get()).isGreaterThanOrEqualTo(2);
    assertThat(refilled.get()).isEqualTo(third);
    for (int i = 0; i < 100; i++) {
      assertThat(cached().find(first.key())).containsSame(refilled.get());
    }
  }

  /** Finds {@code key} on node A until its decoded entry is kept; that entry. */
  private StoredEntry awaitDecoded(StoreKey key) {
    await("node A keeps " + key)
        .atMost(LOSS_DETECTED_WITHIN)
        .pollInterval(Duration.ofMillis(1))
        .pollInSameThread()
        .until(() -> findOrUnavailable(key).isPresent() && entryCache().decoded(key.value()) != null);
    return entryCache().decoded(key.value());
  }

  @Test
  void find_afterThisStoresOwnWrite_seesItAtOnce() {
    StoredEntry current = entry(randomKey(), 1, now().plusSeconds(600));
    assertThat(cached().insert(current)).isTrue();
    for (int i = 0; i < 100; i++) {
      awaitCached(current);
      StoredEntry next =
          entry(current.key(), current.version() + 1, current.expiresAt().plusSeconds(1));
      assertThat(cached().replace(next, current.version())).isTrue();
      assertThat(cached().find(current.key())).contains(next); // not waiting for its push
      current = next;
    }
    awaitCached(current);
    assertThat(cached().delete(current.key())).isTrue();
    assertThat(cached().find(current.key())).isEmpty();
  }

  /** Waits until node A's cache no longer holds {@code entry}'s key (its invalidation heard). */
  private void awaitInvalidated(StoredEntry entry) {
    await("the invalidation of " + entry.key() + " heard")
        .atMost(LOSS_DETECTED_WITHIN)
        .pollInterval(Duration.ofMillis(1))
        .until(() -> !isCached(entry) && entryCache().decoded(entry.key().value()) == null);
  }

  /**
   * Inserts {@code entry} through the other client, and waits until node A has cached it and its
   * listener has applied every push sent before. The insert's own push, applied late (after a find
   * has cached the entry), drops the entry (rightly: a push does not say which reply it is older
   * than), and a count of what cached finds cost would see one more {@code GET}. A lease on the
   * same store key is in the same slot, so its push comes on the same listener, after the
   * insert's: once it is applied, so is the insert's.
   */
  private void insertAndAwaitCachedWithNoPushPending(StoredEntry entry) {
    insertAndAwaitCachedWithNoPushPending(cached(), entry);
  }

  /** The same for {@code store}, a client-cached store on node A's topology. */
  private void insertAndAwaitCachedWithNoPushPending(RedisSessionStore store, StoredEntry entry) {
    EntryCache cache = (EntryCache) store.clientCache();
    assertThat(writer().insert(entry)).isTrue();
    awaitDecoded(store, entry); // the node's listener is up from here on
    String leaseKey = store.leaseKey(entry.key());
    long heard = cache.invalidationsHeard(leaseKey);
    assertThat(writer().tryLease(entry.key(), Duration.ofMinutes(1))).isPresent();
    await("the lease's invalidation heard")
        .atMost(LOSS_DETECTED_WITHIN)
        .pollInterval(Duration.ofMillis(1))
        .until(() -> cache.invalidationsHeard(leaseKey) > heard);
    awaitDecoded(store, entry); // again, if the insert's push came late and dropped it
  }

  /** Finds {@code entry} with {@code store} until its decoded entry (and so its reply) is kept. */
  private static void awaitDecoded(RedisSessionStore store, StoredEntry entry) {
    EntryCache cache = (EntryCache) store.clientCache();
    await("kept: " + entry.key())
        .atMost(LOSS_DETECTED_WITHIN)
        .pollInterval(Duration.ofMillis(1))
        .until(() -> store.find(entry.key()).isPresent()
            && cache.decoded(entry.key().value()) != null);
  }

  /** A store on node A's topology with a client-side cache of {@code size} entries. */
  private RedisSessionStore smallCachedStore(int size) {
    return topology()
        .closeAfterAll(RedisSessionStore.create(topology().config().clientSideCache(size).build()));
  }

  /** Connections ever borrowed from node A's pools, summed over its data nodes. */
  protected long borrowedConnections() {
    return pools().stream().mapToLong(GenericObjectPool::getBorrowedCount).sum();
  }

  /** Connections node A's pools ever closed, summed over its data nodes. */
  protected long destroyedConnections() {
    return pools().stream().mapToLong(GenericObjectPool::getDestroyedCount).sum();
  }

  private Collection<? extends GenericObjectPool<?>> pools() {
    UnifiedJedis client = cached().client();
    Collection<? extends GenericObjectPool<?>> pools;
    if (client instanceof RedisClient standalone) {
      pools = List.of(standalone.getPool());
    } else if (client instanceof RedisSentinelClient sentinel) {
      pools = sentinel.getPrimaryNodesConnectionMap().values();
    } else if (client instanceof RedisClusterClient cluster) {
      pools = cluster.getClusterNodes().values();
    } else {
      throw new AssertionError("unexpected client " + client.getClass());
    }
    return pools;
  }

  /** Whether node A's cache holds the reply to {@code GET} of {@code entry}'s key. */
  protected boolean isCached(StoredEntry entry) {
    String key = cached().entryKey(entry.key());
    return cache().getCacheEntries().stream()
        .anyMatch(e -> key.equals(text(e.getCacheKey().getRedisKeys().get(0))));
  }

  private static String text(Object key) {
    return key instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : key.toString();
  }

  @Test
  void find_afterWritesOnAnotherClient_seesEachOnceItsInvalidationArrives_delayMeasured() {
    int writes = 1_000;
    long[] delays = new long[writes];
    int staleReads = 0;
    IndexKey index = randomIndex();
    StoredEntry current = entry(randomKey(), 1, now().plusSeconds(600), index);
    assertThat(writer().insert(current)).isTrue();
    assertThat(cached().find(current.key())).contains(current);
    Map<String, Integer> kinds = new HashMap<>();
    for (int i = 0; i < writes; i++) {
      awaitCached(current); // a hit from here on
      Optional<StoredEntry> expected;
      String kind;
      switch (i % 4) {
        case 0 -> { // renewal: new tokens, new expiry
          StoredEntry next = entry(current.key(), current.version() + 1,
              current.expiresAt().plusSeconds(1), index);
          assertThat(writer().replace(next, current.version())).isTrue();
          expected = Optional.of(next);
          kind = "renewal";
        }
        case 1 -> { // idle mark: same expiry, new version
          StoredEntry next =
              entry(current.key(), current.version() + 1, current.expiresAt(), index);
          assertThat(writer().replace(next, current.version())).isTrue();
          expected = Optional.of(next);
          kind = "idle mark";
        }
        case 2 -> { // logout
          assertThat(writer().delete(current.key())).isTrue();
          expected = Optional.empty();
          kind = "logout";
        }
        default -> { // back-channel logout: every session of the index
          for (StoreKey key : writer().findKeys(index)) {
            writer().delete(key);
          }
          expected = Optional.empty();
          kind = "back-channel logout";
        }
      }
      long acknowledged = System.nanoTime();
      long deadline = acknowledged + Duration.ofSeconds(5).toNanos();
      Optional<StoredEntry> seen;
      while (!(seen = cached().find(current.key())).equals(expected)) {
        staleReads++;
        assertThat(seen).as("only the old value before the new one").contains(current);
        assertThat(System.nanoTime()).as(kind + " seen within 5 s").isLessThan(deadline);
        Thread.onSpinWait();
      }
      delays[i] = System.nanoTime() - acknowledged;
      kinds.merge(kind, 1, Integer::sum);
      if (expected.isPresent()) {
        current = expected.get();
      } else {
        current = entry(randomKey(), 1, now().plusSeconds(600), index);
        assertThat(writer().insert(current)).isTrue();
      }
    }
    Arrays.sort(delays);
    log.info(
        "{}: {} writes by another client {} seen by the cached store after their acknowledgement"
            + " in p50 {} us, p99 {} us, max {} us; {} finds still saw the old value",
        getClass().getSimpleName(),
        writes,
        kinds,
        delays[writes / 2] / 1_000,
        delays[writes * 99 / 100] / 1_000,
        delays[writes - 1] / 1_000,
        staleReads);
    assertThat(Duration.ofNanos(delays[writes - 1])).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  void cache_holdsOnlyEntryReads_neverLeasesIndexesOrScripts() {
    IndexKey index = randomIndex();
    StoredEntry entry = entry(randomKey(), 1, now().plusSeconds(600), index);
    assertThat(cached().insert(entry)).isTrue();
    Traffic before = traffic();
    for (int i = 0; i < 2; i++) {
      assertThat(cached().findKeys(index)).containsExactly(entry.key());
      cached().tryLease(entry.key(), Duration.ofSeconds(5)).ifPresent(cached()::release);
    }
    Map<String, Long> commands = traffic().commandsSince(before);
    assertThat(commands).containsEntry("zrangebyscore", 2L).containsEntry("set", 2L);
    for (CacheEntry cachedEntry : cache().getCacheEntries()) {
      List<Object> keys = cachedEntry.getCacheKey().getRedisKeys();
      assertThat(cachedEntry.getCacheKey().getRedisCommand()).isEqualTo(Protocol.Command.GET);
      assertThat(keys).singleElement();
      Object key = keys.get(0);
      String name =
          key instanceof byte[] bytes
              ? new String(bytes, StandardCharsets.UTF_8)
              : String.valueOf(key);
      assertThat(name).startsWith("oidcs:{").endsWith("}:s");
    }
  }

  @Test
  void find_ofAbsentKeys_keepsNothing_soRandomCookiesCannotPushSessionsOut() {
    int size = 20;
    RedisSessionStore small = smallCachedStore(size);
    StoredEntry live = entry(randomKey(), 1, now().plusSeconds(600));
    insertAndAwaitCachedWithNoPushPending(small, live);
    assertThat(small.clientCache().getSize()).isEqualTo(1);
    for (int i = 0; i < 5 * size; i++) {
      assertThat(small.find(randomKey())).isEmpty();
    }
    assertThat(small.clientCache().getSize()).as("replies kept").isEqualTo(1);
    assertThat(((EntryCache) small.clientCache()).decodedCount()).isEqualTo(1);
    Traffic before = traffic();
    assertThat(small.find(live.key())).contains(live);
    assertThat(traffic().commandsSince(before)).as("still a hit").isEmpty();
  }

  @Test
  void cache_neverHoldsMoreThanItsSize() {
    int size = 20;
    RedisSessionStore small = smallCachedStore(size);
    List<StoredEntry> entries = new ArrayList<>();
    for (int i = 0; i < 5 * size; i++) {
      StoredEntry entry = entry(randomKey(), 1, now().plusSeconds(600));
      assertThat(writer().insert(entry)).isTrue();
      entries.add(entry);
    }
    // Written first: their invalidations (heard by the listener) do not race the reads below.
    await("the inserts' invalidations heard")
        .atMost(LOSS_DETECTED_WITHIN)
        .until(() -> small.find(entries.get(0).key()).isPresent() && small.clientCache().getSize() == 1);
    List<StoreKey> keys = new ArrayList<>();
    EntryCache smallCache = (EntryCache) small.clientCache();
    for (StoredEntry entry : entries) {
      keys.add(entry.key());
      assertThat(small.find(entry.key())).contains(entry);
      assertThat(small.clientCache().getSize()).isLessThanOrEqualTo(size);
      assertThat(smallCache.decodedCount()).isLessThanOrEqualTo(small.clientCache().getSize());
    }
    assertThat(small.clientCache().getSize()).isEqualTo(size);
    assertThat(smallCache.decodedCount()).isEqualTo(size);

    Traffic before = traffic();
    for (StoreKey key : keys.subList(keys.size() - size, keys.size())) {
      assertThat(small.find(key)).isPresent(); // the most recent: hits
    }
    assertThat(small.find(keys.get(0))).isPresent(); // evicted long ago: one GET
    assertThat(traffic().commandsSince(before)).containsExactly(Map.entry("get", 1L));
  }

  @Test
  @Order(Integer.MAX_VALUE - 3) // kills connections
  void pooledConnectionsKilled_writesStillSeen_cacheNotDropped() {
    StoredEntry entry = entry(randomKey(), 1, now().plusSeconds(600));
    StoredEntry other = entry(randomKey(), 1, now().plusSeconds(600));
    assertThat(writer().insert(entry)).isTrue();
    assertThat(writer().insert(other)).isTrue();
    awaitCached(entry);
    awaitCached(other);
    List<InvalidationListener> listeners = entryCache().listeners();

    int killed = kill("oidc-session");
    assertThat(killed).isPositive();
    StoredEntry renewed = entry(entry.key(), 2, now().plusSeconds(900));
    assertThat(writer().replace(renewed, 1)).isTrue();

    // The invalidation arrives on the listener, whichever pooled connection read the entry.
    long deadline = System.nanoTime() + LOSS_DETECTED_WITHIN.toNanos();
    while (isCached(entry)) {
      assertThat(System.nanoTime()).as("the invalidation heard").isLessThan(deadline);
      Thread.onSpinWait();
    }
    assertThat(isCached(other)).as("nothing else dropped").isTrue();
    assertThat(entryCache().listeners()).containsExactlyInAnyOrderElementsOf(listeners);
    assertThat(listeners).allMatch(InvalidationListener::up);
    long destroyed = destroyedConnections();
    for (int i = 0; i < 200; i++) {
      Optional<StoredEntry> seen = findOrUnavailable(entry.key()); // a killed connection fails once
      assertThat(seen).isIn(Optional.empty(), Optional.of(renewed));
    }
    assertThat(cached().find(entry.key())).contains(renewed);
    // Those finds went to Redis and met the killed connections, which the pool then closed: Jedis
    // flushes its whole cache when a caching connection closes, which this cache declines (its
    // listeners, up all along, hear every change).
    assertThat(destroyedConnections()).as("killed pooled connections closed").isGreaterThan(destroyed);
    assertThat(isCached(other)).as("a pooled connection closing drops nothing").isTrue();
  }

  @Test
  @Order(Integer.MAX_VALUE - 2) // kills connections
  void invalidationConnectionsKilled_wholeCacheDroppedAtOnce_noStaleValueAfterwards() {
    assertLossDropsTheCache("oidc-session-invalidations");
  }

  @Test
  @Order(Integer.MAX_VALUE - 1) // kills connections
  void trackingConnectionsKilled_wholeCacheDropped_noStaleValueAfterwards() {
    assertLossDropsTheCache(null);
  }

  /**
   * Kills node A's tracking connections named {@code name} (all with {@code null}), renews one
   * entry (its invalidation is lost with them), and checks that the whole cache is dropped within
   * the bound and that no find returns the old value afterwards.
   */
  private void assertLossDropsTheCache(String name) {
    StoredEntry first = entry(randomKey(), 1, now().plusSeconds(600));
    StoredEntry second = entry(randomKey(), 1, now().plusSeconds(600));
    assertThat(writer().insert(first)).isTrue();
    assertThat(writer().insert(second)).isTrue();
    awaitCached(first);
    awaitCached(second);
    List<InvalidationListener> listeners = entryCache().listeners();

    long start = System.nanoTime();
    int killed = kill(name);
    assertThat(killed).isPositive();
    StoredEntry renewed = entry(first.key(), 2, now().plusSeconds(900));
    assertThat(writer().replace(renewed, 1)).isTrue(); // no invalidation reaches node A now

    long deadline = start + LOSS_DETECTED_WITHIN.toNanos();
    while (cache().getSize() > 0 || listeners.stream().anyMatch(InvalidationListener::up)) {
      assertThat(System.nanoTime()).as("the loss detected in time").isLessThan(deadline);
      Thread.onSpinWait();
    }
    Duration detected = Duration.ofNanos(System.nanoTime() - start);
    log.info(
        "{}: {} tracking connections ({}) killed; the whole cache dropped {} us after the kill",
        getClass().getSimpleName(),
        killed,
        name == null ? "all" : name,
        detected.toNanos() / 1_000);

    // Every find from now on: the new value, or a killed pooled connection's error; never stale.
    for (int i = 0; i < 200; i++) {
      assertThat(findOrUnavailable(first.key())).isIn(Optional.empty(), Optional.of(renewed));
    }
    Traffic before = traffic();
    assertThat(cached().find(second.key())).contains(second); // dropped too: read again
    assertThat(traffic().commandsSince(before)).containsEntry("get", 1L);
    awaitCached(first);
    for (int i = 0; i < 200; i++) {
      assertThat(cached().find(first.key())).contains(renewed);
    }
  }

  /** Finds {@code entry} on node A until it is cached (a listener opening costs one more GET). */
  protected void awaitCached(StoredEntry entry) {
    await("node A caches " + entry.key())
        .atMost(LOSS_DETECTED_WITHIN)
        .pollInterval(Duration.ofMillis(1))
        .until(() -> findOrUnavailable(entry.key()).isPresent() && isCached(entry));
  }

  protected EntryCache entryCache() {
    return (EntryCache) cache();
  }

  /**
   * A find, or empty-handed on a dead connection's error: the pool hands out each killed
   * connection once, as it does without a cache.
   */
  protected Optional<StoredEntry> findOrUnavailable(StoreKey key) {
    try {
      return cached().find(key);
    } catch (dev.oidcsession.core.SessionStoreUnavailableException e) {
      return Optional.empty();
    }
  }

  /**
   * {@code CLIENT KILL} of every connection with tracking on and named {@code name} (any name for
   * {@code null}), on every data node; how many.
   */
  protected int kill(String name) {
    int killed = 0;
    for (RedisProcesses.Node node : dataNodes()) {
      try (Jedis admin = topology().admin(node)) {
        for (String line : admin.clientList().split("\n")) {
          String flags = field(line, "flags");
          if (flags != null && flags.contains("t")
              && (name == null || name.equals(field(line, "name")))) {
            admin.sendCommand(Protocol.Command.CLIENT, "KILL", "ID", field(line, "id"));
            killed++;
          }
        }
      }
    }
    return killed;
  }

  protected Cache cache() {
    return cached().clientCache();
  }

  protected StoredEntry entryOfSize(StoreKey key, long version, int bytes) {
    byte[] value = "x".repeat(bytes).getBytes(StandardCharsets.US_ASCII);
    return new StoredEntry(key, value, version, now().plusSeconds(600), java.util.Set.of());
  }

  private static String field(String clientListLine, String name) {
    for (String part : clientListLine.strip().split(" ")) {
      if (part.startsWith(name + "=")) {
        return part.substring(name.length() + 1);
      }
    }
    return null;
  }

  static String withQuery(String url, String parameter) {
    return url + (url.contains("?") ? "&" : "?") + parameter;
  }

  /** Command calls and bytes sent, summed over the data nodes. */
  Traffic traffic() {
    Map<String, Long> calls = new HashMap<>();
    long bytes = 0;
    long infoBytes = 0;
    for (RedisProcesses.Node node : dataNodes()) {
      try (Jedis admin = topology().admin(node)) {
        String stats = admin.info("stats");
        String commandStats = admin.info("commandstats");
        // The replies to these two INFOs count in the next reading, not in this one.
        infoBytes += bulkBytes(stats) + bulkBytes(commandStats);
        for (String line : stats.split("\\R")) {
          if (line.startsWith("total_net_output_bytes:")) {
            bytes += Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
          }
        }
        for (String line : commandStats.split("\\R")) {
          if (line.startsWith("cmdstat_")) {
            String name = line.substring(8, line.indexOf(':'));
            long n = Long.parseLong(line.replaceFirst("^[^:]+:calls=(\\d+),.*", "$1"));
            calls.merge(name, n, Long::sum);
          }
        }
      }
    }
    return new Traffic(calls, bytes, infoBytes);
  }

  private static long bulkBytes(String reply) {
    int length = reply.getBytes(StandardCharsets.UTF_8).length;
    return 1 + Integer.toString(length).length() + 2 + length + 2;
  }

  /** One reading of the data nodes' counters. */
  record Traffic(Map<String, Long> calls, long bytes, long infoReplyBytes) {

    /** Commands run since {@code before}, by name, leaving out INFO and PING (ours, heartbeats). */
    Map<String, Long> commandsSince(Traffic before) {
      Map<String, Long> delta = new HashMap<>();
      calls.forEach(
          (name, n) -> {
            long d = n - before.calls.getOrDefault(name, 0L);
            if (d > 0 && !name.equals("info") && !name.equals("ping") && !name.equals("client")
                && !name.equals("publish") && !name.equals("replconf")) {
              delta.put(name, d);
            }
          });
      return delta;
    }

    /**
     * Bytes Redis sent since {@code before} to anyone but this test's INFO calls and PONGs (7
     * bytes each).
     */
    long bytesSince(Traffic before) {
      long pings = calls.getOrDefault("ping", 0L) - before.calls.getOrDefault("ping", 0L);
      return bytes - before.bytes - before.infoReplyBytes - 7 * pings;
    }
  }
}
