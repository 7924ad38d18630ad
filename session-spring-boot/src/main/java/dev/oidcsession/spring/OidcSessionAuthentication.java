package dev.oidcsession.spring;

import dev.oidcsession.servlet.OidcPrincipal;
import java.util.Collection;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;

/**
 * Spring Security's view of an oidc-session login: authenticated, its principal the {@link
 * OidcPrincipal} (subject, issuer, claims, a valid access token), its name the subject. The
 * credentials are never exposed ({@link #getCredentials()} is null): take the access token from
 * the principal when calling a downstream API. Immutable.
 */
public final class OidcSessionAuthentication extends AbstractAuthenticationToken {

  private static final long serialVersionUID = 1L;

  private final transient OidcPrincipal principal;

  /** An authenticated token for {@code principal} with {@code authorities}. */
  public OidcSessionAuthentication(
      OidcPrincipal principal, Collection<? extends GrantedAuthority> authorities) {
    super(authorities);
    this.principal = principal;
    setAuthenticated(true);
  }

  /** Always null: the tokens stay in the session. */
  @Override
  public Object getCredentials() {
    return null;
  }

  /** The session's principal. */
  @Override
  public OidcPrincipal getPrincipal() {
    return principal;
  }

  /** The subject. */
  @Override
  public String getName() {
    return principal.getName();
  }

  /** Subject and authorities; never a token. */
  @Override
  public String toString() {
    return "OidcSessionAuthentication[subject=" + principal.getName()
        + ", authorities=" + getAuthorities() + "]";
  }

  @Override
  public boolean equals(Object other) {
    return super.equals(other);
  }

  @Override
  public int hashCode() {
    return super.hashCode();
  }
}
