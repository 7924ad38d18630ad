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
    /** Network errors, timeouts, 5xx, 429: the provider may answer later. */
    TRANSIENT,
    /** {@code invalid_grant}, {@code invalid_client}, {@code unauthorized_client}, a new subject. */
    TERMINAL
  }

  private final Kind kind;
  private final transient Optional<Duration> retryAfter;
  private final String errorCode;

  /**
   * @param kind transient or terminal
   * @param message what happened, with the provider's error code if any; never a token
   * @param retryAfter the provider's {@code Retry-After}, or {@code null}
   * @param cause the underlying exception, or {@code null}
   */
  public TokenRenewalException(Kind kind, String message, Duration retryAfter, Throwable cause) {
    this(kind, message, retryAfter, null, cause);
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
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.retryAfter = Optional.ofNullable(retryAfter);
    this.errorCode = errorCode;
  }

  /** A transient failure without a {@code Retry-After}. */
  public static TokenRenewalException transientFailure(String message, Throwable cause) {
    return new TokenRenewalException(Kind.TRANSIENT, message, null, cause);
  }

  /** A terminal failure. */
  public static TokenRenewalException terminal(String message) {
    return new TokenRenewalException(Kind.TERMINAL, message, null, null);
  }

  /**
   * The provider's OAuth {@code error} code when it refused the refresh ({@code invalid_grant},
   * {@code invalid_client}, ...), empty for network failures and other non-answers.
   */
  public Optional<String> errorCode() {
    return Optional.ofNullable(errorCode);
  }

  /** Transient or terminal. */
  public Kind kind() {
    return kind;
  }

  /** Whether the manager may retry. */
  public boolean isTransient() {
    return kind == Kind.TRANSIENT;
  }

  /** The provider's {@code Retry-After}, when it sent one; the next retry waits at least that. */
  public Optional<Duration> retryAfter() {
    return retryAfter == null ? Optional.empty() : retryAfter;
  }
}
