package dev.oidcsession.core;

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
}
