package dev.oidcsession.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcsession.core.StoredEntry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  @Order(Integer.MAX_VALUE) // last: restarts the server
  void serverRestarted_emptyAfterwards_cachedEntryIsNotServedOnceTheLossIsSeen() {
    StoredEntry entry = entry(randomKey(), 1, now().plusSeconds(600));
    assertThat(writer().insert(entry)).isTrue();
    assertThat(cached().find(entry.key())).contains(entry);

    redis.primary().kill();
    redis.primary().restart(); // persists nothing: the entry is gone

    long start = System.nanoTime();
    long deadline = start + LOSS_DETECTED_WITHIN.toNanos();
    while (!findOrUnavailable(entry.key()).isEmpty()
        || !cached().find(entry.key()).equals(Optional.empty())) {
      assertThat(System.nanoTime()).as("the loss detected in time").isLessThan(deadline);
      Thread.onSpinWait();
    }
    log.info(
        "server restarted: the cache dropped after {} ms",
        Duration.ofNanos(System.nanoTime() - start).toMillis());
    for (int i = 0; i < 200; i++) {
      assertThat(cached().find(entry.key())).isEmpty();
    }
  }
}
