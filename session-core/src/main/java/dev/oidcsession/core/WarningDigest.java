package dev.oidcsession.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;

/**
 * One WARN line per interval for a kind of failure that can hit every session at once (a provider
 * or store outage): the first failure is logged at once, later ones are counted and reported with
 * the next failure after the interval, with the last failure's message. So 10,000 failing sessions
 * give one line a minute, not 10,000. Time comes from the manager's {@link Clock}. Thread-safe.
 */
final class WarningDigest {

  /** At most one line per this interval. */
  static final Duration INTERVAL = Duration.ofMinutes(1);

  private final Logger log;
  private final Clock clock;
  private final String template;
  private long count;
  private Instant since;
  private Instant nextAt = Instant.MIN;

  /**
   * @param template an slf4j message with three placeholders: the count, the instant counting
   *     started, the last failure's message (never a secret)
   */
  WarningDigest(Logger log, Clock clock, String template) {
    this.log = log;
    this.clock = clock;
    this.template = template;
  }

  /** Counts one failure; logs the line when the interval since the last one has passed. */
  void record(String lastFailure) {
    long reported;
    Instant from;
    synchronized (this) {
      Instant now = clock.instant();
      if (since == null) {
        since = now;
      }
      count++;
      if (now.isBefore(nextAt)) {
        return;
      }
      reported = count;
      from = since;
      count = 0;
      since = now;
      nextAt = now.plus(INTERVAL);
    }
    log.warn(template, reported, from, lastFailure);
  }
}
