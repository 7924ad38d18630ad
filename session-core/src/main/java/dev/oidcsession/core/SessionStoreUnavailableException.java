package dev.oidcsession.core;

/**
 * The store could not be reached or did not answer. This is never "no session": callers answer
 * {@code 503} and keep the user's cookie, and the store recovers by itself when its backend is back.
 */
public class SessionStoreUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * @param message what failed, without any key or value
   * @param cause the backend's exception
   */
  public SessionStoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
