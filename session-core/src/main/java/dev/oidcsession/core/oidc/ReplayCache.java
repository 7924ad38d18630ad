package dev.oidcsession.core.oidc;

import dev.oidcsession.core.TokenSecret;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers one-time values until they expire, so that a second use is refused: authorization
 * codes (RFC 6749 §4.1.2, namespace {@link #CODE}) and logout-token {@code jti}s per issuer (OIDC
 * Back-Channel Logout 1.0 §2.6 step 9, namespace = the issuer). Entries are keyed by {@code
 * (namespace, value)} held as a {@link TokenSecret} (never printed); expired ones are dropped on
 * insert once the map passes {@link #PRUNE_THRESHOLD} (at most once per {@link #PRUNE_INTERVAL},
 * so a flood does not make every insert scan the map). The cache never switches itself off: with
 * {@code maxEntries} live entries a new value is refused ({@link OidcException.Reason#OVERLOADED},
 * a 503 at the filter) rather than accepted unremembered, because accepting it would let it be
 * replayed; values already seen are still recognized as replays. Local to this process: servers
 * behind a load balancer each keep their own. Thread-safe.
 */
final class ReplayCache {

  private static final Logger log = LoggerFactory.getLogger(ReplayCache.class);

  /** The namespace of authorization codes (no issuer URL can equal it). */
  static final String CODE = "code";

  /** Size above which an insert first drops the expired entries. */
  static final int PRUNE_THRESHOLD = 10_000;

  /** At most one scan for expired entries per this interval. */
  static final Duration PRUNE_INTERVAL = Duration.ofSeconds(1);

  /** At most one WARN about refused values per this interval. */
  static final Duration WARNING_INTERVAL = Duration.ofMinutes(1);

  private final Clock clock;
  private final int maxEntries;
  private final ConcurrentHashMap<TokenSecret, Instant> seen = new ConcurrentHashMap<>();
  private final AtomicReference<Instant> nextPrune = new AtomicReference<>(Instant.MIN);
  private final AtomicReference<Instant> nextWarning = new AtomicReference<>(Instant.MIN);
  private final AtomicLong refusedSinceWarning = new AtomicLong();

  /** A cache on {@code clock}'s time holding at most {@code maxEntries} live entries. */
  ReplayCache(Clock clock, int maxEntries) {
    this.clock = Objects.requireNonNull(clock, "clock");
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be positive, but was " + maxEntries);
    }
    this.maxEntries = maxEntries;
  }

  /**
   * Records {@code (namespace, value)} until {@code keepUntil}.
   *
   * @return true if first seen (or its earlier record has expired), false if it is a replay
   * @throws OidcException {@link OidcException.Reason#OVERLOADED} if {@code maxEntries} values are
   *     remembered and none has expired: the value is neither remembered nor accepted
   */
  boolean firstUse(String namespace, String value, Instant keepUntil) throws OidcException {
    Instant now = clock.instant();
    TokenSecret key = key(namespace, value);
    if (seen.size() >= Math.min(PRUNE_THRESHOLD, maxEntries)) {
      prune(now);
      if (seen.size() >= maxEntries && !seen.containsKey(key)) {
        warnRefused(now);
        throw new OidcException(OidcException.Reason.OVERLOADED,
            "too many logins or logout tokens within their validity window: this one is refused"
                + " rather than accepted without replay protection; try again shortly",
            null, null);
      }
    }
    boolean[] first = {false};
    seen.compute(
        key,
        (k, until) -> {
          if (until == null || !until.isAfter(now)) {
            first[0] = true;
            return keepUntil;
          }
          return until;
        });
    return first[0];
  }

  /**
   * One WARN per {@link #WARNING_INTERVAL} with the count of refusals since the last one: a flood
   * of logins against a full memory must not become a flood of log lines.
   */
  private void warnRefused(Instant now) {
    refusedSinceWarning.incrementAndGet();
    Instant due = nextWarning.get();
    if (now.isBefore(due) || !nextWarning.compareAndSet(due, now.plus(WARNING_INTERVAL))) {
      return;
    }
    log.warn("{} one-time value(s) refused: {} live within their window (the most this client"
        + " remembers); new ones are refused until some expire",
        refusedSinceWarning.getAndSet(0), seen.size());
  }

  /** Drops expired entries, unless another insert did so less than the interval ago. */
  private void prune(Instant now) {
    Instant due = nextPrune.get();
    if (now.isBefore(due) || !nextPrune.compareAndSet(due, now.plus(PRUNE_INTERVAL))) {
      return;
    }
    seen.values().removeIf(until -> !until.isAfter(now));
  }

  /**
   * Forgets {@code (namespace, value)}, so the same value is accepted again: for a logout token
   * whose sessions could not be ended (store outage), which the provider will deliver again.
   */
  void forget(String namespace, String value) {
    seen.remove(key(namespace, value));
  }

  /** How many entries are held, expired ones included until the next prune. */
  int size() {
    return seen.size();
  }

  private static TokenSecret key(String namespace, String value) {
    return TokenSecret.of(namespace + "\u0000" + value);
  }
}
