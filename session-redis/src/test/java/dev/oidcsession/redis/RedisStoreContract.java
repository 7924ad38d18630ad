package dev.oidcsession.redis;

import static org.awaitility.Awaitility.await;

import dev.oidcsession.core.SessionStoreContract;
import java.time.Duration;
import java.time.Instant;

/**
 * The store contract against real Redis time: {@link #passTime} waits until the wall clock (which
 * both the store and redis-server read) is past the instant, plus a margin for Redis's millisecond
 * expiry.
 */
abstract class RedisStoreContract extends SessionStoreContract {

  private static final Duration MARGIN = Duration.ofMillis(15);

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
