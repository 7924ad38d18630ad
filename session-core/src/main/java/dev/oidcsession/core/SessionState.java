package dev.oidcsession.core;

import java.util.Optional;

/**
 * What a request at one instant must do with its session, as decided by {@link
 * SessionPolicy#assess(Session, java.time.Instant)}. The names say who waits. Checked in this
 * order:
 */
public enum SessionState {

  /** {@code now >= expiresAt}: the session is over, {@link EndReason#EXPIRED}. */
  EXPIRED,

  /**
   * An idle timeout is set and {@code now >= lastSeenAt + idleTimeout}: the session is over,
   * {@link EndReason#IDLE}.
   */
  IDLE,

  /**
   * {@code now >= renewAt}, the session has a refresh token, and the access token has less than
   * {@code minTokenTtl} left: the request waits for the renewal (at most {@code
   * renewalWaitTimeout}).
   */
  RENEW_AND_WAIT,

  /**
   * {@code now >= renewAt} and the session has a refresh token: the request is served with the
   * current tokens while the renewal runs in the background (refresh-ahead).
   */
  RENEW_IN_BACKGROUND,

  /** None of the above: serve the request. */
  VALID;

  /** Whether the session has ended: {@link #EXPIRED} or {@link #IDLE}. */
  public boolean ended() {
    return endReason().isPresent();
  }

  /**
   * Why the session ended, for the ended states; empty for the states that serve the request.
   */
  public Optional<EndReason> endReason() {
    return switch (this) {
      case EXPIRED -> Optional.of(EndReason.EXPIRED);
      case IDLE -> Optional.of(EndReason.IDLE);
      case RENEW_AND_WAIT, RENEW_IN_BACKGROUND, VALID -> Optional.empty();
    };
  }
}
