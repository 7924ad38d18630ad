package dev.oidcsession.core.oidc;

import dev.oidcsession.core.TokenSecret;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers one-time values until they expire, so that a second use is refused: authorization
 * codes (RFC 6749 §4.1.2, namespace {@link #CODE}) and logout-token {@code jti}s per issuer (OIDC
 * Back-Channel Logout 1.0 §2.6 step 9, namespace = the issuer). Entries are keyed by {@code
 * (namespace, value)} held as a {@link TokenSecret} (never printed) and pruned on insert once the
 * map passes {@link #PRUNE_THRESHOLD}. Past {@code maxEntries} live entries a new value is accepted
 * without being remembered (bounded memory; the provider's own one-time rule still applies). Local
 * to this process: servers behind a load balancer each keep their own. Thread-safe.
 */
final class ReplayCache {

  private static final Logger log = LoggerFactory.getLogger(ReplayCache.class);

  /** The namespace of authorization codes (no issuer URL can equal it). */
  static final String CODE = "code";

  /** Size above which an insert first drops the expired entries. */
  static final int PRUNE_THRESHOLD = 10_000;

  private final Clock clock;
  private final int maxEntries;
  private final ConcurrentHashMap<TokenSecret, Instant> seen = new ConcurrentHashMap<>();

  /** A cache on {@code clock}'s time holding at most {@code maxEntries} live entries. */
  ReplayCache(Clock clock, int maxEntries) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.maxEntries = maxEntries;
  }

  /**
   * Records {@code (namespace, value)} until {@code keepUntil}.
   *
   * @return true if first seen (or its earlier record has expired, or the cache is full), false if
   *     it is a replay
   */
  boolean firstUse(String namespace, String value, Instant keepUntil) {
    Instant now = clock.instant();
    if (seen.size() > PRUNE_THRESHOLD) {
      seen.values().removeIf(until -> !until.isAfter(now));
      if (seen.size() >= maxEntries) {
        log.warn("{} one-time values live within their window: not remembering more", seen.size());
        return true;
      }
    }
    boolean[] first = {false};
    seen.compute(
        key(namespace, value),
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
