package dev.oidcsession.redis;

import static org.awaitility.Awaitility.await;

import dev.oidcsession.core.SessionStore;
import dev.oidcsession.core.SessionStoreContract;
import java.time.Duration;
import java.time.Instant;

/**
 * The store contract against real Redis time: {@link #passTime} waits until the wall clock (which
 * both the store and redis-server read) is past the instant, plus a margin for Redis's millisecond
 * expiry. A subclass registers a {@link RedisTopology} and names it in {@link #topology()}; the
 * store under test is that topology's {@link RedisTopology#store()}.
 */
abstract class RedisStoreContract extends SessionStoreContract {

  private static final Duration MARGIN = Duration.ofMillis(15);

  /** The topology the subclass registered with {@code @RegisterExtension}. */
  protected abstract RedisTopology topology();

  @Override
  protected SessionStore store() {
    return topology().store();
  }

  @Override
  protected Instant now() {
    return Instant.now();
  }

  @Override
  protected void passTime(Instant instant) {
    Instant target = instant.plus(MARGIN);
    await("wall clock past " + target)
        .atMost(shortLife().plusSeconds(5))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(5))
        .until(() -> Instant.now().isAfter(target));
  }

  @Override
  protected Duration shortLife() {
    return Duration.ofMillis(300);
  }
}
