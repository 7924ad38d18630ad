package dev.oidcsession.servlet;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.oidcsession.core.CreatedSession;
import dev.oidcsession.core.EndReason;
import dev.oidcsession.core.Session;
import dev.oidcsession.core.SessionManager;
import dev.oidcsession.core.SessionStoreUnavailableException;
import dev.oidcsession.core.TokenSet;
import dev.oidcsession.core.oidc.LoginOptions;
import dev.oidcsession.core.oidc.LoginRedirect;
import dev.oidcsession.core.oidc.LogoutNotice;
import dev.oidcsession.core.oidc.LogoutRedirect;
import dev.oidcsession.core.oidc.OidcClient;
import dev.oidcsession.core.oidc.OidcException;
import dev.oidcsession.core.oidc.PendingLogin;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenID Connect login, the session lifecycle and logout for any Jakarta Servlet 6 application,
 * as one filter. Map it to {@code /*}.
 *
 * <p>Endpoints, under {@link OidcSessionConfig#pathPrefix()} (default {@code /oidc}):
 *
 * <ul>
 *   <li>{@code GET /login?return_to=/path}: starts the code flow (PKCE S256, state, nonce); the
 *       pending login goes into a short-lived encrypted cookie, so anonymous visitors write nothing
 *       to the store.
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
 * OidcPrincipal}) and {@code getRemoteUser()}, and {@link #session(HttpServletRequest)} gives
 * the session. A store outage is a {@code 503} with {@code Retry-After}: never a logout, never a
 * redirect loop.
 *
 * <p>Thread-safe. {@link #destroy()} closes the session manager and protocol client it created.
 */
public final class OidcSessionFilter implements Filter {

  private static final Logger log = LoggerFactory.getLogger(OidcSessionFilter.class);

  /** The request attribute that holds the {@link Session} of an authenticated request. */
  public static final String SESSION_ATTRIBUTE = Session.class.getName();

  static final String SESSION_COOKIE = "oidc-session";
  static final String RETRY_AFTER_SECONDS = "5";

  /** How many logins may be pending in one browser at once (parallel tabs); older ones are dropped. */
  static final int MAX_PENDING_LOGINS = 3;

  private volatile OidcSessionConfig config;
  private volatile OidcClient client;
  private volatile SessionManager sessions;
  private volatile PendingLoginCookies pendingCookies;
  private volatile String sessionCookieName;
  private volatile String origin;
  private volatile byte[] sessionScript;

  /** For {@code web.xml}: configured at {@link #init} from {@code init-param}s and the environment. */
  public OidcSessionFilter() {}

  /**
   * A filter configured in code.
   *
   * @throws IllegalArgumentException if the configuration cannot work (the message names why)
   */
  public OidcSessionFilter(OidcSessionConfig config) {
    start(config);
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
    if (config != null) {
      return; // configured in code
    }
    try {
      start(OidcSessionConfig.fromSources(filterConfig::getInitParameter, environment).build());
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new ServletException("oidc-session is misconfigured: " + e.getMessage(), e);
    }
  }

  private void start(OidcSessionConfig cfg) {
    OidcClient oidc = OidcClient.create(cfg.oidcClientConfig(), cfg.httpClient());
    SessionManager.Builder manager =
        SessionManager.builder().renewer(oidc).policy(cfg.policy()).clock(cfg.clock())
            .listener(cfg.listener());
    cfg.store().ifPresent(manager::store);
    cfg.executor().ifPresent(manager::executor);
    byte[] secret = cfg.sessionSecret().or(cfg::clientSecretBytes).orElse(null);
    if (secret == null) {
      secret = new byte[32];
      new SecureRandom().nextBytes(secret);
      log.warn("no SESSION_SECRET and no client secret: the pending-login cookie key is random per"
          + " process, so a login started on one server cannot complete on another; set"
          + " SESSION_SECRET (at least 32 characters) for anything but single-node development");
    }
    if (cfg.sessionSecret().isPresent()) {
      manager.indexSecret(cfg.sessionSecret().get());
    }
    if (!cfg.secureCookies()) {
      log.warn("BASE_URL is {}: cookies are sent without Secure and without the __Host- prefix;"
          + " use this for local development only", cfg.baseUrl());
    }
    this.client = oidc;
    this.sessions = manager.build();
    this.pendingCookies = new PendingLoginCookies(secret, cfg.secureCookies());
    this.sessionCookieName = (cfg.secureCookies() ? "__Host-" : "") + SESSION_COOKIE;
    URI base = cfg.baseUrl();
    this.origin = base.getScheme() + "://" + base.getRawAuthority();
    this.sessionScript = loadScript();
    this.config = cfg;
    log.info("oidc-session filter started: {}", cfg);
  }

  private static byte[] loadScript() {
    try (InputStream in = OidcSessionFilter.class.getResourceAsStream("session.js")) {
      if (in == null) {
        throw new IllegalStateException("session.js is missing from the session-servlet jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("session.js could not be read", e);
    }
  }

  /** The session manager, for an app that wants to end sessions itself. */
  public SessionManager sessions() {
    return sessions;
  }

  @Override
  public void destroy() {
    SessionManager s = sessions;
    if (s != null) {
      s.close();
    }
    OidcClient c = client;
    if (c != null) {
      c.close();
    }
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) res;
    // The path as the container routes it (decoded, dot-segments and ;parameters resolved), so
    // "/public/..;/app" is matched as "/app", the page the container will serve.
    String path = request.getServletPath() + Objects.requireNonNullElse(request.getPathInfo(), "");
    String prefix = config.pathPrefix();
    if (path.equals(prefix) || path.startsWith(prefix + "/")) {
      endpoint(path.substring(prefix.length()), request, response);
      return;
    }
    String cookie = cookie(request, sessionCookieName);
    Optional<Session> session;
    try {
      session = cookie == null ? Optional.empty() : sessions.resolve(cookie);
    } catch (SessionStoreUnavailableException e) {
      unavailable(response, e);
      return;
    }
    if (cookie != null && session.isEmpty()) {
      clearCookie(response, sessionCookieName);
    }
    if (session.isPresent()) {
      chain.doFilter(new AuthenticatedRequest(request, session.get(), config.rolesClaim()),
          response);
    } else if (isPublic(path)) {
      chain.doFilter(request, response);
    } else if (isNavigation(request)) {
      String query = request.getQueryString();
      String returnTo = request.getRequestURI() + (query == null ? "" : "?" + query);
      redirect(response, HttpServletResponse.SC_FOUND, request.getContextPath() + prefix
          + "/login?return_to=" + URLEncoder.encode(returnTo, StandardCharsets.UTF_8));
    } else {
      response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
      response.setHeader("WWW-Authenticate", "OIDC-Session realm=\"" + origin + "\"");
      json(response, Map.of("error", "unauthenticated",
          "login", request.getContextPath() + prefix + "/login"));
    }
  }

  private void endpoint(String endpoint, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String method = request.getMethod();
    switch (endpoint) {
      case "/login" -> {
        if (allow(method, "GET", response)) {
          login(request, response);
        }
      }
      case "/callback" -> {
        if (allow(method, "GET", response)) {
          callback(request, response);
        }
      }
      case "/logout" -> {
        if (allow(method, "POST", response)) {
          logout(request, response);
        }
      }
      case "/backchannel-logout" -> {
        if (allow(method, "POST", response)) {
          backChannelLogout(request, response);
        }
      }
      case "/session" -> {
        if (allow(method, "GET", response)) {
          sessionJson(request, response);
        }
      }
      case "/session.js" -> {
        if (allow(method, "GET", response)) {
          response.setContentType("text/javascript;charset=utf-8");
          response.setHeader("Cache-Control", "no-cache");
          response.getOutputStream().write(sessionScript);
        }
      }
      default -> response.sendError(HttpServletResponse.SC_NOT_FOUND);
    }
  }

  private static boolean allow(String method, String allowed, HttpServletResponse response)
      throws IOException {
    if (allowed.equals(method) || ("GET".equals(allowed) && "HEAD".equals(method))) {
      return true;
    }
    response.setHeader("Allow", allowed);
    response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
    return false;
  }

  private void login(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String returnTo = ReturnPaths.sanitize(request.getParameter("return_to"));
    LoginOptions options;
    try {
      options = LoginParameters.of(config, request.getParameterMap());
    } catch (IllegalArgumentException e) {
      noStore(response);
      badRequest(response, "login refused: " + e.getMessage());
      return;
    }
    LoginRedirect redirect;
    try {
      redirect = client.startLogin(returnTo, options);
    } catch (OidcException e) {
      providerFailure(response, e);
      return;
    }
    PendingLogin pending = redirect.pending();
    forgetOldPendingLogins(request, response);
    Duration maxAge = client.config().pendingLoginMaxAge();
    setCookie(response, pendingCookies.name(pending.state().value()), pendingCookies.seal(pending),
        maxAge.toSeconds());
    noStore(response);
    redirect(response, HttpServletResponse.SC_FOUND, redirect.authorizationUri().toString());
  }

  /**
   * Clears all but the newest {@code MAX_PENDING_LOGINS - 1} pending-login cookies before a new one
   * is set: each holds up to a few KB, and a pile of them (tabs restored, a login clicked again
   * and again) would make the Cookie header too big for servers to accept at all.
   */
  private void forgetOldPendingLogins(HttpServletRequest request, HttpServletResponse response) {
    jakarta.servlet.http.Cookie[] cookies = request.getCookies();
    if (cookies == null) {
      return;
    }
    java.util.List<Map.Entry<String, java.time.Instant>> pending = new java.util.ArrayList<>();
    for (jakarta.servlet.http.Cookie cookie : cookies) {
      if (pendingCookies.owns(cookie.getName())) {
        java.time.Instant createdAt = pendingCookies.open(cookie.getValue())
            .map(PendingLogin::createdAt).orElse(java.time.Instant.MIN);
        pending.add(Map.entry(cookie.getName(), createdAt));
      }
    }
    pending.sort(Map.Entry.<String, java.time.Instant>comparingByValue().reversed());
    for (int i = MAX_PENDING_LOGINS - 1; i < pending.size(); i++) {
      clearCookie(response, pending.get(i).getKey());
    }
  }

  private void callback(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    noStore(response);
    String state = request.getParameter("state");
    if (state == null || state.isEmpty()) {
      badRequest(response, "the callback has no state parameter");
      return;
    }
    String cookieName = pendingCookies.name(state);
    String sealed = cookie(request, cookieName);
    Optional<PendingLogin> pending =
        sealed == null ? Optional.empty() : pendingCookies.open(sealed);
    if (pending.isEmpty()) {
      badRequest(response, "no login is pending for this state in this browser"
          + " (it expired, was completed already, or was started elsewhere)");
      return;
    }
    clearCookie(response, cookieName);
    TokenSet tokens;
    try {
      tokens = client.completeLogin(parameters(request), pending.get());
    } catch (OidcException e) {
      if (e.reason() == OidcException.Reason.PROVIDER_UNAVAILABLE) {
        providerFailure(response, e);
      } else {
        log.debug("login callback refused: {}", e.getMessage());
        badRequest(response, "login failed: " + e.getMessage());
      }
      return;
    }
    CreatedSession created;
    try {
      String previous = cookie(request, sessionCookieName);
      if (previous != null) {
        sessions.end(previous, EndReason.LOGGED_OUT); // a new login replaces, never reuses
      }
      created = sessions.create(tokens);
    } catch (SessionStoreUnavailableException e) {
      unavailable(response, e);
      return;
    }
    setCookie(response, sessionCookieName, created.handle().cookieValue(), -1);
    redirect(response, HttpServletResponse.SC_FOUND, pending.get().returnPath());
  }

  private void logout(HttpServletRequest request, HttpServletResponse response) throws IOException {
    noStore(response);
    if (crossSite(request)) {
      response.setStatus(HttpServletResponse.SC_FORBIDDEN);
      response.setContentType("text/plain;charset=utf-8");
      response.getWriter().write("logout refused: cross-site request\n");
      return;
    }
    String cookie = cookie(request, sessionCookieName);
    // The user asked to leave: the browser forgets the session even if the store cannot be
    // reached (the stored entry then just expires), so a shared computer is not left logged in.
    clearCookie(response, sessionCookieName);
    Optional<Session> ended;
    try {
      ended = cookie == null ? Optional.empty() : sessions.end(cookie, EndReason.LOGGED_OUT);
    } catch (SessionStoreUnavailableException e) {
      unavailable(response, e);
      return;
    }
    String target = request.getContextPath() + config.loggedOutPath();
    if (ended.isPresent()) {
      Session session = ended.get();
      try {
        client.revoke(session.tokens());
      } catch (OidcException | RuntimeException e) {
        log.warn("refresh token of session {} could not be revoked: {}", session.key(),
            e.getMessage());
      }
      try {
        Optional<LogoutRedirect> redirect = client.logoutRedirect(session.tokens().idToken());
        if (redirect.isPresent()) {
          target = redirect.get().endSessionUri().toString();
        }
      } catch (OidcException | RuntimeException e) {
        log.warn("provider logout URL unavailable, ending locally: {}", e.getMessage());
      }
    }
    redirect(response, HttpServletResponse.SC_SEE_OTHER, target);
  }

  private void backChannelLogout(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    noStore(response);
    String token = request.getParameter("logout_token");
    if (token == null || token.isEmpty()) {
      response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
      json(response, Map.of("error", "invalid_request",
          "error_description", "logout_token is missing"));
      return;
    }
    LogoutNotice notice;
    try {
      notice = client.validateLogoutToken(token);
    } catch (OidcException e) {
      log.debug("back-channel logout refused: {}", e.getMessage());
      response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
      json(response, Map.of("error", "invalid_request", "error_description", e.getMessage()));
      return;
    }
    try {
      // Back-Channel Logout 1.0 §2.4: the sessions of the sid when given, else of the sub.
      int ended =
          notice.sid().isPresent()
              ? sessions.endBySid(notice.issuer(), notice.sid().get())
              : sessions.endBySubject(notice.issuer(), notice.subject().orElseThrow());
      log.debug("back-channel logout {} ended {} session(s)", notice, ended);
      response.setStatus(HttpServletResponse.SC_OK);
    } catch (SessionStoreUnavailableException e) {
      // Nothing ended: the provider retries this token, which must not count as a replay.
      client.forgetLogoutToken(notice);
      unavailable(response, e);
    }
  }

  private void sessionJson(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    noStore(response);
    String cookie = cookie(request, sessionCookieName);
    Optional<Session> session;
    try {
      session = cookie == null ? Optional.empty() : sessions.resolveAndRenew(cookie);
    } catch (SessionStoreUnavailableException e) {
      unavailable(response, e);
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("authenticated", session.isPresent());
    if (session.isPresent()) {
      Session s = session.get();
      body.put("subject", s.subject());
      body.put("expiresAt", DateTimeFormatter.ISO_INSTANT.format(s.expiresAt()));
      body.put("renewAt", DateTimeFormatter.ISO_INSTANT.format(s.renewAt()));
    } else if (cookie != null) {
      clearCookie(response, sessionCookieName);
    }
    json(response, body);
  }

  // ---------------------------------------------------------------------------------------------

  /** OWASP CSRF: refuse a logout whose {@code Origin} or {@code Sec-Fetch-Site} says cross-site. */
  private boolean crossSite(HttpServletRequest request) {
    String requestOrigin = request.getHeader("Origin");
    if (requestOrigin != null && !requestOrigin.equals(origin)) {
      return true;
    }
    String site = request.getHeader("Sec-Fetch-Site");
    return site != null && !site.equals("same-origin") && !site.equals("none");
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

  private boolean isPublic(String path) {
    for (String pattern : config.publicPaths()) {
      if (pattern.endsWith("/*")) {
        String base = pattern.substring(0, pattern.length() - 2);
        if (path.equals(base) || path.startsWith(base + "/")) {
          return true;
        }
      } else if (path.equals(pattern)) {
        return true;
      }
    }
    return false;
  }

  private static Map<String, List<String>> parameters(HttpServletRequest request) {
    Map<String, List<String>> parameters = new LinkedHashMap<>();
    request.getParameterMap().forEach((k, v) -> parameters.put(k, Arrays.asList(v)));
    return parameters;
  }

  static String cookie(HttpServletRequest request, String name) {
    jakarta.servlet.http.Cookie[] cookies = request.getCookies();
    if (cookies == null) {
      return null;
    }
    for (jakarta.servlet.http.Cookie cookie : cookies) {
      if (cookie.getName().equals(name) && !cookie.getValue().isEmpty()) {
        return cookie.getValue();
      }
    }
    return null;
  }

  /** Sets a cookie with this filter's attributes; {@code maxAgeSeconds < 0} makes a session cookie. */
  private void setCookie(HttpServletResponse response, String name, String value, long maxAgeSeconds) {
    StringBuilder header = new StringBuilder(name).append('=').append(value)
        .append("; Path=/; HttpOnly; SameSite=Lax");
    if (config.secureCookies()) {
      header.append("; Secure");
    }
    if (maxAgeSeconds >= 0) {
      header.append("; Max-Age=").append(maxAgeSeconds);
    }
    response.addHeader("Set-Cookie", header.toString());
  }

  private void clearCookie(HttpServletResponse response, String name) {
    setCookie(response, name, "", 0);
  }

  /**
   * A redirect with exactly this {@code Location}. Not {@code sendRedirect}: containers rewrite its
   * target differently, and Servlet 6.1 changed its signature (a 6.0 API jar ahead of Tomcat 11's
   * classes makes it an {@code AbstractMethodError}).
   */
  private static void redirect(HttpServletResponse response, int status, String location) {
    response.setStatus(status);
    response.setHeader("Location", location);
  }

  private static void noStore(HttpServletResponse response) {
    response.setHeader("Cache-Control", "no-store");
  }

  private static void badRequest(HttpServletResponse response, String reason) throws IOException {
    response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
    response.setContentType("text/plain;charset=utf-8");
    response.getWriter().write(reason + "\n");
  }

  private static void providerFailure(HttpServletResponse response, OidcException e)
      throws IOException {
    boolean down = e.reason() == OidcException.Reason.PROVIDER_UNAVAILABLE;
    log.warn("identity provider {}: {}", down ? "unavailable" : "misbehaved", e.getMessage());
    response.setStatus(down ? HttpServletResponse.SC_SERVICE_UNAVAILABLE
        : HttpServletResponse.SC_BAD_GATEWAY);
    if (down) {
      response.setHeader("Retry-After", RETRY_AFTER_SECONDS);
    }
    response.setContentType("text/plain;charset=utf-8");
    response.getWriter().write("the identity provider is " + (down ? "unavailable" : "not"
        + " answering as expected") + "; please try again shortly\n");
  }

  private static void unavailable(HttpServletResponse response, SessionStoreUnavailableException e)
      throws IOException {
    log.warn("session store unavailable: {}", e.getMessage());
    response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
    response.setHeader("Retry-After", RETRY_AFTER_SECONDS);
    noStore(response);
    json(response, Map.of("error", "session_store_unavailable"));
  }

  private static void json(HttpServletResponse response, Map<String, ?> body) throws IOException {
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.getWriter().write(JSONObjectUtils.toJSONString(body));
  }
}
