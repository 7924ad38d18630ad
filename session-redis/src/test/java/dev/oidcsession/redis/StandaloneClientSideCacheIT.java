package dev.oidcsession.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.oidcsession.core.StoredEntry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientPauseMode;

/** The client-side cache on one plain redis-server; plus a server restart that loses every key. */
class StandaloneClientSideCacheIT extends ClientSideCacheContract {

  private static final Logger log = LoggerFactory.getLogger(StandaloneClientSideCacheIT.class);

  @RegisterExtension static final RedisTopology redis = RedisTopology.standalone();

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
    return true;
  }

  @Test
  @Order(Integer.MAX_VALUE - 4) // pauses the server
  void serverStopsAnswering_unansweredPingDropsTheWholeCache() {
    Duration socketTimeout = Duration.ofMillis(200);
    RedisSessionStore quick =
        redis.closeAfterAll(
            RedisSessionStore.create(
                redis.config().clientSideCache(10).socketTimeout(socketTimeout).build()));
    StoredEntry entry = entry(randomKey(), 1, now().plusSeconds(600));
    assertThat(writer().insert(entry)).isTrue();
    await("the entry cached")
        .atMost(LOSS_DETECTED_WITHIN)
        .until(() -> quick.find(entry.key()).isPresent() && quick.clientCache().getSize() == 1);
    List<InvalidationListener> listeners = ((EntryCache) quick.clientCache()).listeners();

    long start = System.nanoTime();
    try (Jedis admin = redis.admin(redis.primary())) {
      // The connections stay open, but nothing is answered: a peer gone without closing.
      admin.clientPause(3_000, ClientPauseMode.ALL);
    }
    long deadline =
        start + RedisConfig.CLIENT_CACHE_CHECK.multipliedBy(2).plus(socketTimeout).toNanos()
            + LOSS_DETECTED_WITHIN.toNanos();
    while (quick.clientCache().getSize() > 0
        || listeners.stream().anyMatch(InvalidationListener::up)) {
      assertThat(System.nanoTime()).as("the silence detected in time").isLessThan(deadline);
      Thread.onSpinWait();
    }
    log.info(
        "server paused: the whole cache dropped {} ms after the pause (heartbeat {} ms, socket"
            + " timeout {} ms)",
        Duration.ofNanos(System.nanoTime() - start).toMillis(),
        RedisConfig.CLIENT_CACHE_CHECK.toMillis(),
        socketTimeout.toMillis());
    await("the server answers again")
        .atMost(LOSS_DETECTED_WITHIN)
        .ignoreException(dev.oidcsession.core.SessionStoreUnavailableException.class)
        .until(() -> writer().find(entry.key()).isPresent());
  }

  @Test
  @Order(Integer.MAX_VALUE) // last: restarts the server
  void serverRestarted_cacheDroppedWhenTheConnectionCloses_cachedEntryNeverServedAfterwards() {
    StoredEntry entry = entry(randomKey(), 1, now().plusSeconds(600));
    assertThat(writer().insert(entry)).isTrue();
    awaitCached(entry);
    List<InvalidationListener> listeners = entryCache().listeners();

    long start = System.nanoTime();
    redis.primary().kill();
    long deadline = start + LOSS_DETECTED_WITHIN.toNanos();
    while (cache().getSize() > 0 || listeners.stream().anyMatch(InvalidationListener::up)) {
      assertThat(System.nanoTime()).as("the loss detected in time").isLessThan(deadline);
      Thread.onSpinWait();
    }
    log.info(
        "server killed: the whole cache dropped {} us after the kill",
        Duration.ofNanos(System.nanoTime() - start).toNanos() / 1_000);
    assertThat(findOrUnavailable(entry.key())).isEmpty(); // down: an error, nothing cached

    redis.primary().restart(); // persists nothing: the entry is gone
    for (int i = 0; i < 200; i++) {
      assertThat(findOrUnavailable(entry.key())).isEmpty();
    }
    await("node A reads the restarted server")
        .atMost(LOSS_DETECTED_WITHIN)
        .ignoreException(dev.oidcsession.core.SessionStoreUnavailableException.class)
        .until(() -> cached().find(entry.key()).isEmpty());
    StoredEntry again = entry(randomKey(), 1, now().plusSeconds(600));
    await("node B writes to the restarted server")
        .atMost(LOSS_DETECTED_WITHIN)
        .ignoreException(dev.oidcsession.core.SessionStoreUnavailableException.class)
        .until(() -> writer().insert(again));
    awaitCached(again); // caching resumes on a new invalidation connection
    assertThat(entryCache().listeners()).singleElement().matches(InvalidationListener::up);
  }
}
