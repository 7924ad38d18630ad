package dev.oidcsession.servlet;

import dev.oidcsession.core.Session;
import dev.oidcsession.core.SessionManager;
import dev.oidcsession.core.SessionStoreUnavailableException;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenID Connect login, the session lifecycle and logout for any Jakarta Servlet 6 application,
 * as one filter. Map it to {@code /*} for the {@code REQUEST} and {@code ASYNC} dispatches, with
 * async support on, so that a request the app dispatches with {@code AsyncContext.dispatch()}
 * still shows the user.
 *
 * <p>Endpoints, under {@link OidcSessionConfig#pathPrefix()} (default {@code /oidc}):
 *
 * <ul>
 *   <li>{@code GET /login?return_to=/path}: starts the code flow (PKCE S256, state, nonce); the
 *       pending login goes into a short-lived encrypted cookie, so anonymous visitors write nothing
 *       to the store. {@code prompt} and {@code login_hint} in the query are passed on, checked.
 *   <li>{@code GET /callback}: completes it, creates the session (a fresh cookie value at every
 *       login), and redirects to the local return path; a bad callback is a {@code 400} with a
 *       reason.
 *   <li>{@code POST /logout}: refuses cross-site requests; ends the session, revokes the refresh
 *       token, clears the cookie, and redirects to the provider's end-session endpoint (or to the
 *       logged-out page).
 *   <li>{@code POST /backchannel-logout}: validates the {@code logout_token} and ends every
 *       matching session; {@code 200}, or {@code 400} with an OAuth-style JSON error.
 *   <li>{@code GET /session}: JSON {@code authenticated}, {@code subject}, {@code expiresAt},
 *       {@code renewAt} (ISO-8601 UTC); renews when due, and waits for it.
 *   <li>{@code GET /session.js}: the browser helper that keeps one tab at a time renewing.
 * </ul>
 *
 * <p>Every other request is protected unless it matches a public path. Without a session, a
 * browser navigation is redirected to login and an API call gets {@code 401} with a JSON body.
 * With one, the request shows the user through {@code getUserPrincipal()} (an {@link
 * OidcPrincipal}), {@code getRemoteUser()} and {@code isUserInRole} (see {@link
 * OidcSessionConfig.Builder#rolesClaim}), and {@link #session(HttpServletRequest)} gives the
 * session. A store outage is a {@code 503} with {@code Retry-After}: never a logout, never a
 * redirect loop.
 *
 * <p>Thread-safe: everything started is one immutable {@code FilterRuntime} in one field. {@link
 * #destroy()} closes the session manager and protocol client it created; an executor or HTTP
 * client the app gave stays the app's.
 */
public final class OidcSessionFilter implements Filter {

  private static final Logger log = LoggerFactory.getLogger(OidcSessionFilter.class);

  /** The request attribute that holds the {@link Session} of an authenticated request. */
  public static final String SESSION_ATTRIBUTE = Session.class.getName();

  private volatile FilterRuntime runtime;

  /** For {@code web.xml}: configured at {@link #init} from {@code init-param}s and the environment. */
  public OidcSessionFilter() {}

  /**
   * A filter configured in code.
   *
   * @throws IllegalArgumentException if the configuration cannot work (the message names why)
   */
  public OidcSessionFilter(OidcSessionConfig config) {
    runtime = FilterRuntime.start(config);
  }

  /**
   * The session of a request this filter let through.
   *
   * @return the session, or empty for a public path without one
   */
  public static Optional<Session> session(HttpServletRequest request) {
    return Optional.ofNullable(request.getAttribute(SESSION_ATTRIBUTE))
        .filter(Session.class::isInstance)
        .map(Session.class::cast);
  }

  @Override
  public void init(FilterConfig filterConfig) throws ServletException {
    init(filterConfig, System::getenv);
  }

  void init(FilterConfig filterConfig, Function<String, String> environment)
      throws ServletException {
    if (runtime != null) {
      return; // configured in code
    }
    try {
      runtime = FilterRuntime.start(
          OidcSessionConfig.fromSources(filterConfig::getInitParameter, environment).build());
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new ServletException("oidc-session is misconfigured: " + e.getMessage(), e);
    }
  }

  /** The session manager, for an app that wants to end sessions itself; null before {@link #init}. */
  public SessionManager sessions() {
    FilterRuntime rt = runtime;
    return rt == null ? null : rt.sessions();
  }

  @Override
  public void destroy() {
    FilterRuntime rt = runtime;
    if (rt != null) {
      rt.close();
    }
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    FilterRuntime rt = runtime;
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) res;
    // The path as the container routes it (decoded, dot-segments and ;parameters resolved), so
    // "/public/..;/app" is matched as "/app", the page the container will serve.
    if ("TRACE".equals(request.getMethod())) {
      // RFC 9110 §9.3.8: a TRACE echo hands the request's cookies, HttpOnly ones included, to
      // whatever script can send it (cross-site tracing). Nothing behind this filter needs it.
      Responses.methodNotAllowed(response, "GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS");
      return;
    }
    String path = request.getServletPath() + Objects.requireNonNullElse(request.getPathInfo(), "");
    String prefix = rt.config().pathPrefix();
    if (path.startsWith(prefix)
        && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/')) {
      Endpoints.handle(rt, path.substring(prefix.length()), request, response);
      return;
    }
    List<String> cookies = rt.cookies().sessions(request);
    Optional<Session> session;
    boolean isPublic = rt.rules().isPublic(path);
    try {
      session = cookies.isEmpty() ? Optional.empty() : firstFound(cookies, rt.sessions()::resolve);
    } catch (SessionStoreUnavailableException e) {
      if (!isPublic) {
        Responses.unavailable(response, e);
        return;
      }
      // A public page stays up during a store outage: served anonymously, the cookie kept (the
      // session is not known to be gone), security review #17.
      log.debug("session store unavailable, serving public path anonymously: {}", e.getMessage());
      chain.doFilter(request, response);
      return;
    }
    if (!cookies.isEmpty() && session.isEmpty()) {
      rt.cookies().clear(response, rt.cookies().sessionName());
    }
    if (session.isPresent()) {
      chain.doFilter(new AuthenticatedRequest(request, session.get(), rt.config().rolesClaim()),
          response);
    } else if (isPublic) {
      chain.doFilter(request, response);
    } else if (RequestRules.isNavigation(request)) {
      String query = request.getQueryString();
      String returnTo = request.getRequestURI() + (query == null ? "" : "?" + query);
      Responses.redirect(response, HttpServletResponse.SC_FOUND, request.getContextPath() + prefix
          + "/login?return_to=" + URLEncoder.encode(returnTo, StandardCharsets.UTF_8));
    } else {
      response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
      response.setHeader("WWW-Authenticate", "OIDC-Session realm=\"" + rt.rules().origin() + "\"");
      Responses.json(response, Map.of("error", "unauthenticated",
          "login", request.getContextPath() + prefix + "/login"));
    }
  }

  /** The session of the first of {@code cookieValues} that {@code lookup} finds, else empty. */
  static Optional<Session> firstFound(List<String> cookieValues,
      Function<String, Optional<Session>> lookup) {
    for (String value : cookieValues) {
      Optional<Session> session = lookup.apply(value);
      if (session.isPresent()) {
        return session;
      }
    }
    return Optional.empty();
  }
}
