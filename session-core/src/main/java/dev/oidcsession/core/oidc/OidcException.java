package dev.oidcsession.core.oidc;

import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A protocol step that failed: a callback that cannot complete a login, a provider that cannot be
 * reached or answered wrongly, a token that failed validation. The {@link #reason()} says which;
 * {@link #errorCode()} carries the provider's OAuth {@code error} code when it sent one.
 *
 * <p>Messages name the failed rule and the offending non-secret value (an issuer, an audience, an
 * error code); they never hold a token, code, secret, state, nonce or PKCE verifier.
 */
public class OidcException extends Exception {

  private static final long serialVersionUID = 1L;
  private static final Logger log = LoggerFactory.getLogger(OidcException.class);

  /** Why a protocol step failed. */
  public enum Reason {
    /** The callback's {@code state} does not equal the pending login's (RFC 6749 §10.12: CSRF). */
    STATE_MISMATCH,
    /** The pending login is older than {@code pendingLoginMaxAge}. */
    LOGIN_EXPIRED,
    /** The callback's authorization code was already exchanged by this client (a replay). */
    CODE_REPLAYED,
    /** The provider answered the authorization request with an error ({@link #errorCode()}). */
    AUTHORIZATION_ERROR,
    /** The token endpoint answered with an OAuth error ({@link #errorCode()}), e.g. {@code invalid_grant}. */
    TOKEN_ERROR,
    /**
     * An issuer is not the configured one: the discovery document's {@code issuer} (OIDC
     * Discovery §4.3) or the callback's {@code iss} parameter (RFC 9207).
     */
    ISSUER_MISMATCH,
    /** The ID token failed validation (OIDC Core 3.1.3.7, or 12.2 on refresh). */
    INVALID_ID_TOKEN,
    /** The logout token failed validation (OIDC Back-Channel Logout 1.0 §2.6). */
    INVALID_LOGOUT_TOKEN,
    /** The provider's answer could not be parsed as the protocol message it should be. */
    INVALID_RESPONSE,
    /**
     * The client itself cannot make the request: its {@code private_key_jwt} assertion cannot be
     * signed, or the provider has no token endpoint to send it to. Fix the configuration.
     */
    CLIENT_MISCONFIGURED,
    /** The provider could not be reached, timed out, or answered 5xx or 429: try again later. */
    PROVIDER_UNAVAILABLE,
    /**
     * This client refuses the request for now: it remembers as many one-time values (authorization
     * codes, logout-token {@code jti}s) within their validity as it can, and accepting another
     * unremembered would allow its replay (a flood?). Try again later; the filter answers 503.
     */
    OVERLOADED
  }

  private final Reason reason;
  private final String errorCode;

  /**
   * @param reason which rule failed
   * @param message what happened; never a secret
   * @param errorCode the provider's OAuth {@code error} code, or {@code null}
   * @param cause the underlying exception, or {@code null}
   */
  OidcException(Reason reason, String message, String errorCode, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.errorCode = errorCode;
  }

  OidcException(Reason reason, String message) {
    this(reason, message, null, null);
  }

  /** A rejection a client can cause: logged at DEBUG only, no cause. */
  static OidcException rejected(Reason reason, String message) {
    log.debug("{}: {}", reason, message);
    return new OidcException(reason, message, null, null);
  }

  /** Which rule failed. */
  public Reason reason() {
    return reason;
  }

  /** The provider's OAuth {@code error} code ({@code invalid_grant}, {@code access_denied}, ...). */
  public Optional<String> errorCode() {
    return Optional.ofNullable(errorCode);
  }
}
