package dev.oidcsession.core;

import java.util.Objects;

/**
 * A session just created at login, with the handle whose {@link SessionHandle#cookieValue()} the
 * browser must receive. The handle is the only way back to the session.
 *
 * @param handle the browser's secret
 * @param session the stored session
 */
public record CreatedSession(SessionHandle handle, Session session) {

  /** Validates that no component is null. */
  public CreatedSession {
    Objects.requireNonNull(handle, "handle");
    Objects.requireNonNull(session, "session");
  }
}
