package dev.oidcsession.core;

/**
 * The state of a session for one request at one instant, as decided by {@link
 * SessionPolicy#assess(Session, java.time.Instant)}. Checked in this order:
 */
public enum SessionState {

  /** {@code now >= expiresAt}: the session is over. */
  EXPIRED,

  /** An idle timeout is set and {@code now >= lastSeenAt + idleTimeout}: the session is over. */
  IDLE,

  /**
   * {@code now >= renewAt}, the session has a refresh token, and the access token has less than
   * {@code minTokenTtl} left: the request waits for the renewal.
   */
  RENEWAL_REQUIRED,

  /**
   * {@code now >= renewAt} and the session has a refresh token: the request is served with the
   * current tokens while the renewal runs in the background (refresh-ahead).
   */
  RENEWAL_DUE,

  /** None of the above: serve the request. */
  VALID;

  /** Whether the session has ended ({@link #EXPIRED} or {@link #IDLE}). */
  public boolean ended() {
    return this == EXPIRED || this == IDLE;
  }
}
