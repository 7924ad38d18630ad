package dev.oidcsession.core;

import java.util.Optional;

/**
 * How a {@link Renewal} ended for the requests waiting on it: one value in place of {@code null},
 * an exceptional future and an empty {@code Optional}. A renewal's future always completes with
 * one of these, never exceptionally.
 */
sealed interface RenewalOutcome {

  /** The session to serve the request with; empty when the session ended. */
  Optional<Session> served();

  /** New tokens are stored (by this renewal, or by another thread or server meanwhile). */
  record Renewed(Session session) implements RenewalOutcome {
    @Override
    public Optional<Session> served() {
      return Optional.of(session);
    }
  }

  /**
   * No new tokens, but the session stays: serve it with these still valid tokens (a transient
   * failure, a renewal that did not run, another server's renewal not finished in time, or a
   * re-read that found the renewal no longer due).
   */
  record Kept(Session session) implements RenewalOutcome {
    @Override
    public Optional<Session> served() {
      return Optional.of(session);
    }
  }

  /**
   * The session is gone: ended by this renewal (a terminal failure, reported to the listener), or
   * found ended, expired or idle when re-read.
   */
  record Ended() implements RenewalOutcome {
    @Override
    public Optional<Session> served() {
      return Optional.empty();
    }
  }
}
