package dev.oidcsession.examples.keycloak;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The wall clock moved forward by an offset the test sets. Keycloak issues tokens on the wall
 * clock, so the app's clock must keep running with it (an ID token's {@code iat}, a logout token's
 * {@code iat} and {@code exp} are checked against it); shifting it ahead makes a renewal due now
 * instead of after a minute of waiting. Thread-safe.
 */
final class ShiftedClock extends Clock {

  private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

  /** Moves this clock so that it reads {@code instant} now; never backwards. */
  void jumpTo(Instant instant) {
    Duration wanted = Duration.between(Instant.now(), instant);
    offset.getAndUpdate(current -> wanted.compareTo(current) > 0 ? wanted : current);
  }

  /** Back to the wall clock, for the next test. */
  void reset() {
    offset.set(Duration.ZERO);
  }

  @Override
  public Instant instant() {
    return Instant.now().plus(offset.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("the app's clock is UTC");
  }
}
