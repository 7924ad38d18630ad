package dev.oidcsession.core.oidc.internal;

import dev.oidcsession.core.TokenSecret;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers the {@code jti} of each accepted logout token until the token expires, so that a
 * replayed token is rejected (OIDC Back-Channel Logout 1.0 §2.6 step 9). Entries are keyed by a
 * SHA-256 fingerprint of {@code (iss, jti)} and pruned on insert once the map passes {@link
 * #PRUNE_THRESHOLD}. Local to this process: servers behind a load balancer each keep their own.
 * Thread-safe. Not API.
 */
public final class JtiReplayCache {

  /** Size above which an insert first drops the expired entries. */
  public static final int PRUNE_THRESHOLD = 10_000;

  private final Clock clock;
  private final ConcurrentHashMap<TokenSecret, Instant> seen = new ConcurrentHashMap<>();

  /** A cache on {@code clock}'s wall time. */
  public JtiReplayCache(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Records {@code (issuer, jti)} until {@code keepUntil}.
   *
   * @return true if first seen (or its earlier record has expired), false if it is a replay
   */
  public boolean firstUse(String issuer, String jti, Instant keepUntil) {
    Instant now = clock.instant();
    if (seen.size() > PRUNE_THRESHOLD) {
      seen.values().removeIf(until -> !until.isAfter(now));
    }
    TokenSecret key = TokenSecret.of(issuer + "\u0000" + jti);
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
   * Forgets {@code (issuer, jti)}, so the same token is accepted again: for a logout token whose
   * sessions could not be ended (store outage), which the provider will deliver again.
   */
  public void forget(String issuer, String jti) {
    seen.remove(TokenSecret.of(issuer + "\u0000" + jti));
  }

  /** How many entries are held, expired ones included until the next prune. */
  public int size() {
    return seen.size();
  }
}
