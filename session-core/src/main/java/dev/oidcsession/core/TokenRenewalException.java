package dev.oidcsession.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A renewal that did not produce new tokens, classified for the manager: a {@link
 * Kind#TRANSIENT} failure keeps the session and retries with backoff until {@code expiresAt}; a
 * {@link Kind#TERMINAL} one ends the session with {@link EndReason#RENEWAL_REJECTED}. Messages
 * never hold a token.
 */
public class TokenRenewalException extends Exception {

  private static final long serialVersionUID = 1L;

  /** How the manager treats the failure. */
  public enum Kind {
    /**
     * Network errors, timeouts, 5xx, 429, and the client's credentials refused ({@link
     * #credentialsRefused}): the provider may answer later.
     */
    TRANSIENT,
    /** {@code invalid_grant}, a refreshed ID token for another end-user. */
    TERMINAL
  }

  private final Kind kind;
  private final transient Optional<Duration> retryAfter;
  private final String errorCode;
  private final boolean credentialsRefused;
  private final boolean unprocessed;

  /**
   * @param kind transient or terminal
   * @param message what happened, with the provider's error code if any; never a token
   * @param retryAfter the provider's {@code Retry-After}, or {@code null}
   * @param cause the underlying exception, or {@code null}
   */
  public TokenRenewalException(Kind kind, String message, Duration retryAfter, Throwable cause) {
    this(kind, message, retryAfter, null, cause, false, false);
  }

  /**
   * @param kind transient or terminal
   * @param message what happened; never a token
   * @param retryAfter the provider's {@code Retry-After}, or {@code null}
   * @param errorCode the provider's OAuth {@code error} code (RFC 6749 §5.2), or {@code null}
   * @param cause the underlying exception, or {@code null}
   */
  public TokenRenewalException(
      Kind kind, String message, Duration retryAfter, String errorCode, Throwable cause) {
    this(kind, message, retryAfter, errorCode, cause, false, false);
  }

  private TokenRenewalException(Kind kind, String message, Duration retryAfter, String errorCode,
      Throwable cause, boolean credentialsRefused, boolean unprocessed) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.retryAfter = Optional.ofNullable(retryAfter);
    this.errorCode = errorCode;
    this.credentialsRefused = credentialsRefused;
    this.unprocessed = unprocessed;
  }

  /**
   * A transient failure in which the provider refused the client's own credentials ({@code
   * invalid_client}, {@code unauthorized_client}; RFC 6749 section 5.2): nothing is wrong with the
   * session or its refresh token, the client is misconfigured (a client-secret rotation half
   * done). The manager keeps the session, retries with backoff, and logs a rate-limited WARN that
   * asks an operator to check the client credentials.
   *
   * @param message what happened, with the provider's error code; never a token or secret
   * @param retryAfter the provider's {@code Retry-After}, or {@code null}
   * @param errorCode the provider's {@code error} code, or {@code null}
   */
  public static TokenRenewalException credentialsRefused(
      String message, Duration retryAfter, String errorCode) {
    return new TokenRenewalException(
        Kind.TRANSIENT, message, retryAfter, errorCode, null, true, false);
  }

  /**
   * A transient failure of a refresh the provider certainly did not process, so it cannot have
   * rotated the refresh token: the request was never sent (no connection could be opened, the
   * provider's metadata was unavailable) or the provider refused it unprocessed ({@code 429}).
   * Every other transient failure without an OAuth {@code error} code may have been processed
   * (see {@link #mayHaveBeenProcessed()}).
   *
   * @param message what happened; never a token
   * @param retryAfter the provider's {@code Retry-After}, or {@code null}
   * @param cause the underlying exception, or {@code null}
   */
  public static TokenRenewalException unprocessed(
      String message, Duration retryAfter, Throwable cause) {
    return new TokenRenewalException(
        Kind.TRANSIENT, message, retryAfter, null, cause, false, true);
  }

  /** A transient failure without a {@code Retry-After}. */
  public static TokenRenewalException transientFailure(String message, Throwable cause) {
    return new TokenRenewalException(Kind.TRANSIENT, message, null, cause);
  }

  /** A terminal failure. */
  public static TokenRenewalException terminal(String message) {
    return new TokenRenewalException(Kind.TERMINAL, message, null, null);
  }

  /** Transient or terminal. */
  public Kind kind() {
    return kind;
  }

  /** Whether the manager may retry. */
  public boolean isTransient() {
    return kind == Kind.TRANSIENT;
  }

  /**
   * The provider's OAuth {@code error} code when it refused the refresh ({@code invalid_grant},
   * {@code invalid_client}, ...), empty for network failures and other non-answers.
   */
  public Optional<String> errorCode() {
    return Optional.ofNullable(errorCode);
  }

  /**
   * Whether the provider refused the client's credentials (see {@link #credentialsRefused}); such
   * a failure is always transient.
   */
  public boolean isCredentialsRefused() {
    return credentialsRefused;
  }

  /**
   * Whether the provider may have processed this failed refresh although no answer said so: a
   * transient failure without an OAuth {@code error} code (the connection reset or timed out after
   * the request was sent, a {@code 5xx}, an unreadable answer) that was not created {@link
   * #unprocessed}. The provider may have rotated the refresh token in such an attempt, so the
   * manager does not take a later {@code invalid_grant} for a revoked session: it keeps the session
   * until {@code expiresAt} without presenting that refresh token again.
   */
  public boolean mayHaveBeenProcessed() {
    return kind == Kind.TRANSIENT && !unprocessed && !credentialsRefused && errorCode == null;
  }

  /** The provider's {@code Retry-After}, when it sent one; the next retry waits at least that. */
  public Optional<Duration> retryAfter() {
    return retryAfter == null ? Optional.empty() : retryAfter;
  }
}
