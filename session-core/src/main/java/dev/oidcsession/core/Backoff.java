package dev.oidcsession.core;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: the delay before retry {@code n} (0-based) is uniform in
 * {@code [0, min(max, initial · 2ⁿ)]}, and never shorter than a provider's {@code Retry-After}.
 *
 */
final class Backoff {

  private final Duration initial;
  private final Duration max;
  private final RandomGenerator random;

  /**
   * @param initial the cap of the first delay
   * @param max the largest cap
   * @param random the source of jitter (the manager's injected generator)
   */
  Backoff(Duration initial, Duration max, RandomGenerator random) {
    this.initial = initial;
    this.max = max;
    this.random = random;
  }

  /** The cap of retry {@code attempt}'s delay: {@code min(max, initial · 2^attempt)}. */
  Duration cap(int attempt) {
    int shift = Math.min(attempt, 30);
    long nanos = initial.toNanos();
    long capped = nanos > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : nanos << shift;
    return capped >= max.toNanos() ? max : Duration.ofNanos(capped);
  }

  /**
   * The delay before retry {@code attempt}. Synchronized: renewal threads share the manager's
   * generator, and {@link RandomGenerator}s are not thread-safe in general.
   */
  synchronized Duration delay(int attempt, Optional<Duration> retryAfter) {
    long cap = cap(attempt).toNanos();
    Duration jittered = Duration.ofNanos(random.nextLong(cap + 1));
    return retryAfter.filter(r -> r.compareTo(jittered) > 0).orElse(jittered);
  }
}
