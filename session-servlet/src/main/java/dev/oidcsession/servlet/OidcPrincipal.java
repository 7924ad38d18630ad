package dev.oidcsession.servlet;

import dev.oidcsession.core.Session;
import dev.oidcsession.core.TokenSecret;
import java.security.Principal;
import java.util.Map;
import java.util.Objects;

/**
 * The logged-in user of a request that {@link OidcSessionFilter} let through: what {@code
 * request.getUserPrincipal()} returns. Its name is the ID token's {@code sub}.
 *
 * <p>Immutable; {@link #toString()} prints the subject and issuer, never a token.
 */
public final class OidcPrincipal implements Principal {

  private final Session session;

  OidcPrincipal(Session session) {
    this.session = Objects.requireNonNull(session, "session");
  }

  /** The {@code sub} claim. */
  @Override
  public String getName() {
    return session.subject();
  }

  /** The {@code iss} claim. */
  public String issuer() {
    return session.issuer();
  }

  /** Every claim of the ID token (nimbus's JSON view), unmodifiable. */
  public Map<String, Object> claims() {
    return session.tokens().idToken().claims();
  }

  /**
   * An access token valid for this request, for calls to downstream APIs. Read its value with
   * {@link TokenSecret#value()} only where it leaves the process.
   */
  public TokenSecret accessToken() {
    return session.tokens().accessToken();
  }

  /** The whole session: expiry, renewal time, tokens. */
  public Session session() {
    return session;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OidcPrincipal other && session.key().equals(other.session.key());
  }

  @Override
  public int hashCode() {
    return session.key().hashCode();
  }

  @Override
  public String toString() {
    return "OidcPrincipal[sub=" + session.subject() + ", iss=" + session.issuer() + "]";
  }
}
