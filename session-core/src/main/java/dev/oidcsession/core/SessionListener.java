package dev.oidcsession.core;

import java.util.Objects;

/**
 * Hears what happens to sessions: for metrics, audit and tests. Every method has a no-op default.
 *
 * <p>Obligations of an implementation: return quickly and do not block (calls come from request
 * and renewal threads); do not throw (a thrown exception is logged at WARN and ignored); do not
 * call back into the {@link SessionManager}. Events of one session arrive in order; events of
 * different sessions may interleave. Every {@link #renewalFailed} is followed by another attempt,
 * or by {@link #ended} when the session ends, unless the session simply expires in the store.
 */
public interface SessionListener {

  /** A listener that does nothing. */
  SessionListener NONE = new SessionListener() {};

  /** A session was created at login. */
  default void created(Session session) {}

  /**
   * A renewal replaced the session's tokens.
   *
   * @param previous the session before the renewal
   * @param renewed the session now stored
   */
  default void renewed(Session previous, Session renewed) {}

  /**
   * A renewal attempt failed.
   *
   * @param session the session, still stored unless the failure was terminal
   * @param failure the classified failure
   * @param willRetry whether another attempt is scheduled before {@code expiresAt}
   */
  default void renewalFailed(Session session, TokenRenewalException failure, boolean willRetry) {}

  /** A session ended. */
  default void ended(EndedSession ended) {}

  /** Returns a listener that calls this one, then {@code next}; a throw in one does not stop the other. */
  default SessionListener andThen(SessionListener next) {
    Objects.requireNonNull(next, "next");
    SessionListener first = this;
    return new SessionListener() {
      @Override
      public void created(Session session) {
        try {
          first.created(session);
        } finally {
          next.created(session);
        }
      }

      @Override
      public void renewed(Session previous, Session renewed) {
        try {
          first.renewed(previous, renewed);
        } finally {
          next.renewed(previous, renewed);
        }
      }

      @Override
      public void renewalFailed(Session session, TokenRenewalException failure, boolean willRetry) {
        try {
          first.renewalFailed(session, failure, willRetry);
        } finally {
          next.renewalFailed(session, failure, willRetry);
        }
      }

      @Override
      public void ended(EndedSession ended) {
        try {
          first.ended(ended);
        } finally {
          next.ended(ended);
        }
      }
    };
  }
}
