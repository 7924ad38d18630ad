package dev.oidcsession.servlet;

import dev.oidcsession.core.Session;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The request as the app sees it once the session is resolved: the principal, the remote user,
 * auth type {@code OIDC}, and roles from the configured ID-token claim.
 */
final class AuthenticatedRequest extends HttpServletRequestWrapper {

  private final OidcPrincipal principal;
  private final Optional<String> rolesClaim;

  AuthenticatedRequest(HttpServletRequest request, Session session, Optional<String> rolesClaim) {
    super(request);
    this.principal = new OidcPrincipal(session);
    this.rolesClaim = rolesClaim;
    request.setAttribute(OidcSessionFilter.SESSION_ATTRIBUTE, session);
  }

  @Override
  public Principal getUserPrincipal() {
    return principal;
  }

  @Override
  public String getRemoteUser() {
    return principal.getName();
  }

  @Override
  public String getAuthType() {
    return "OIDC";
  }

  /**
   * True when the roles claim of the session's ID token holds {@code role}: a JSON array of
   * strings, or one string of space-separated roles. Without a configured claim, false.
   */
  @Override
  public boolean isUserInRole(String role) {
    if (role == null || rolesClaim.isEmpty()) {
      return false;
    }
    Object value = principal.claims();
    for (String segment : rolesClaim.get().split("\\.")) {
      if (!(value instanceof Map<?, ?> map)) {
        return false;
      }
      value = map.get(segment);
    }
    if (value instanceof String roles) {
      return List.of(roles.trim().split("\\s+")).contains(role);
    }
    return value instanceof List<?> roles && roles.contains(role);
  }
}
