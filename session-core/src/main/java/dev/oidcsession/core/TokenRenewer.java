package dev.oidcsession.core;

import java.time.Duration;
import java.util.Optional;

/**
 * Renews a session's tokens with the provider: the OAuth 2.0 refresh-token grant. The protocol
 * module implements it; tests use a double.
 *
 * <p>The manager calls it from its renewal executor, at most once at a time per session across
 * every thread and every server sharing the store, always with the latest stored tokens. It may
 * block for the length of one HTTP exchange; it must not retry by itself (the manager does, with
 * backoff).
 */
@FunctionalInterface
public interface TokenRenewer {

  /**
   * Exchanges {@code current}'s refresh token for new tokens.
   *
   * @param current the session's tokens; {@link TokenSet#refreshToken()} is present
   * @return the new tokens: a new refresh token if the provider rotated it, else the old one; a
   *     new validated ID token if the provider sent one, else the old one
   * @throws TokenRenewalException classified as transient (retry later) or terminal (the grant is
   *     dead)
   */
  TokenSet renew(TokenSet current) throws TokenRenewalException;

  /**
   * The longest one {@link #renew} call can take before it returns or throws, including every
   * resend its HTTP client may make: a rotating refresh token must never be presented by a call
   * that outlives the renewal lease. When declared, {@link SessionManager.Builder#build()} rejects a
   * {@code renewalLease} that is not longer, and a renewal whose call is still running is never
   * taken for lost before that lease has passed since the call started.
   *
   * @return the bound, or empty when this renewer does not declare one (the default); the manager
   *     then never takes a running call for lost
   */
  default Optional<Duration> maxCallDuration() {
    return Optional.empty();
  }
}
