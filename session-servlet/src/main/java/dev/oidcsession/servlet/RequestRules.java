package dev.oidcsession.servlet;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which requests are cross-site, navigations or public, decided from headers and the configured
 * public paths (parsed once). Immutable and thread-safe.
 */
final class RequestRules {

  private final String origin;
  private final Set<String> exactPaths = new HashSet<>();
  /** Each public subtree's base, with its trailing slash: "/public/" for "/public/*". */
  private final List<String> subtrees = new ArrayList<>();

  RequestRules(OidcSessionConfig config) {
    URI base = config.baseUrl();
    this.origin = base.getScheme() + "://" + base.getRawAuthority();
    for (String pattern : config.publicPaths()) {
      if (pattern.endsWith("/*")) {
        subtrees.add(pattern.substring(0, pattern.length() - 1));
      } else {
        exactPaths.add(pattern);
      }
    }
  }

  /** The app's origin, as browsers send it in {@code Origin}. */
  String origin() {
    return origin;
  }

  /**
   * OWASP CSRF (verifying origin with standard headers): a request whose {@code Origin} or {@code
   * Sec-Fetch-Site} says cross-site, or that has neither. Every browser that honours {@code
   * SameSite} sends {@code Origin} on a POST, so a request without both headers comes from a
   * script or a very old browser; refusing it costs browsers nothing (security review #25).
   */
  boolean crossSite(HttpServletRequest request) {
    String requestOrigin = request.getHeader("Origin");
    if (requestOrigin != null && !requestOrigin.equals(origin)) {
      return true;
    }
    String site = request.getHeader("Sec-Fetch-Site");
    if (site != null && !site.equals("same-origin") && !site.equals("none")) {
      return true;
    }
    return requestOrigin == null && site == null;
  }

  /** A top-level browser navigation, as opposed to an API or script call. */
  static boolean isNavigation(HttpServletRequest request) {
    String method = request.getMethod();
    if (!"GET".equals(method) && !"HEAD".equals(method)) {
      return false;
    }
    String mode = request.getHeader("Sec-Fetch-Mode");
    if (mode != null) {
      return mode.equals("navigate");
    }
    String accept = request.getHeader("Accept");
    return accept != null && accept.contains("text/html");
  }

  /** Whether {@code path} (as the container routes it) is served without a session. */
  boolean isPublic(String path) {
    if (exactPaths.contains(path)) {
      return true;
    }
    for (String base : subtrees) {
      // The base itself ("/public" for "/public/*") or anything under it; no string built here.
      if (path.startsWith(base) || path.length() == base.length() - 1 && base.startsWith(path)) {
        return true;
      }
    }
    return false;
  }
}
