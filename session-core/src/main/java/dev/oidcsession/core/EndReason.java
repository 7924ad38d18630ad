package dev.oidcsession.core;

/** Why a session ended. Each constant names the rule or endpoint that produces it. */
public enum EndReason {

  /**
   * The request came at or after {@code expiresAt}: the earlier of the access token's and the ID
   * token's expiry, or {@code createdAt + maxLifetime}. A store drops the entry at {@code
   * expiresAt} by itself, so a session nobody touches after that ends without this event.
   */
  EXPIRED,

  /** No request for {@code idleTimeout}: the request came at or after {@code lastSeenAt + idleTimeout}. */
  IDLE,

  /** The user logged out through {@link SessionManager#end}. */
  LOGGED_OUT,

  /** The provider sent a back-channel logout token for the session's {@code sid} or {@code sub}. */
  BACKCHANNEL_LOGOUT,

  /**
   * The provider refused the refresh token ({@code invalid_grant} and the other terminal errors),
   * or the refreshed ID token named another {@code iss}, {@code sub} or {@code aud} (OIDC Core
   * 12.2), and a re-read showed no other renewal had succeeded meanwhile.
   */
  RENEWAL_REJECTED,

  /**
   * The session was stored in a format this version no longer reads (stored format 1, a compact
   * JWE, before format 2): the user is logged out once, cleanly, on upgrade. The event carries no
   * session, as the old entry is not decrypted.
   */
  STORED_FORMAT_RETIRED;

  /** Whether the user asked for this end (as opposed to time, the provider or a failure). */
  public boolean userInitiated() {
    return this == LOGGED_OUT;
  }
}
