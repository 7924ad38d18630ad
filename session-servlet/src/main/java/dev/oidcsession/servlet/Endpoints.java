package dev.oidcsession.servlet;

import static dev.oidcsession.servlet.Responses.badRequest;
import static dev.oidcsession.servlet.Responses.json;
import static dev.oidcsession.servlet.Responses.noStore;
import static dev.oidcsession.servlet.Responses.providerFailure;
import static dev.oidcsession.servlet.Responses.redirect;
import static dev.oidcsession.servlet.Responses.unavailable;

import dev.oidcsession.core.CreatedSession;
import dev.oidcsession.core.EndReason;
import dev.oidcsession.core.Session;
import dev.oidcsession.core.SessionStoreUnavailableException;
import dev.oidcsession.core.StoredEntry;
import dev.oidcsession.core.TokenSet;
import dev.oidcsession.core.oidc.LoginOptions;
import dev.oidcsession.core.oidc.LoginRedirect;
import dev.oidcsession.core.oidc.LogoutNotice;
import dev.oidcsession.core.oidc.LogoutRedirect;
import dev.oidcsession.core.oidc.OidcException;
import dev.oidcsession.core.oidc.PendingLogin;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The six endpoints under the path prefix: login, callback, logout, back-channel logout, the
 * session JSON and {@code session.js}. Stateless apart from the {@link FilterRuntime} each call
 * gets; see {@link OidcSessionFilter} for what each answers.
 */
final class Endpoints {

  private static final Logger log = LoggerFactory.getLogger(OidcSessionFilter.class);

  /** How many logins may be pending in one browser at once (parallel tabs); older ones are dropped. */
  static final int MAX_PENDING_LOGINS = 3;

  /** The authorization-response parameters we read (RFC 6749 §4.1.2, §4.1.2.1; RFC 9207). */
  static final List<String> CALLBACK_PARAMETERS = List.of("state", "code", "iss", "error");

  private Endpoints() {}

  /** Routes {@code endpoint} (the path after the prefix), answering {@code 404}/{@code 405} itself. */
  static void handle(FilterRuntime rt, String endpoint, HttpServletRequest request,
      HttpServletResponse response) throws IOException {
    String method = request.getMethod();
    switch (endpoint) {
      case "/login" -> {
        if (allow(method, "GET", response) && parametersReadable(request, response)) {
          login(rt, request, response);
        }
      }
      case "/callback" -> {
        if (allow(method, "GET", response) && parametersReadable(request, response)) {
          callback(rt, request, response);
        }
      }
      case "/logout" -> {
        if (allow(method, "POST", response)) {
          logout(rt, request, response);
        }
      }
      case "/backchannel-logout" -> {
        if (allow(method, "POST", response) && parametersReadable(request, response)) {
          backChannelLogout(rt, request, response);
        }
      }
      case "/session" -> {
        if (allow(method, "GET", response)) {
          sessionJson(rt, request, response);
        }
      }
      case "/session.js" -> {
        if (allow(method, "GET", response)) {
          response.setContentType("text/javascript;charset=utf-8");
          response.setHeader("Cache-Control", "no-cache");
          response.getOutputStream().write(rt.script());
        }
      }
      // Our own reason, not sendError: a container's error page may name the server's version.
      default -> Responses.text(response, HttpServletResponse.SC_NOT_FOUND,
          "no such oidc-session endpoint");
    }
  }

  private static boolean allow(String method, String allowed, HttpServletResponse response)
      throws IOException {
    if (allowed.equals(method) || ("GET".equals(allowed) && "HEAD".equals(method))) {
      return true;
    }
    String allow = "GET".equals(allowed) ? "GET, HEAD" : allowed;
    Responses.methodNotAllowed(response, allow);
    return false;
  }

  /**
   * Whether the query and form parameters can be read at all. Containers parse them lazily and
   * throw from {@code getParameter} on a malformed percent-encoding, an unknown charset or a form
   * over their size limit (Tomcat 11: {@code InvalidParameterException}; Jetty 12: {@code
   * BadMessageException}, {@code IllegalStateException}); uncaught, that is the container's error
   * page, which on Tomcat names its version. A client's mistake: a {@code 400} with a reason.
   */
  private static boolean parametersReadable(HttpServletRequest request,
      HttpServletResponse response) throws IOException {
    try {
      request.getParameterMap();
      return true;
    } catch (RuntimeException e) {
      // The container's message may quote a parameter's value (a code, a state): never log it.
      log.debug("request parameters unreadable ({})", e.getClass().getName());
      noStore(response);
      badRequest(response, "the request's parameters cannot be read (malformed percent-encoding,"
          + " unsupported charset, or too large)");
      return false;
    }
  }

  private static void login(FilterRuntime rt, HttpServletRequest request,
      HttpServletResponse response) throws IOException {
    String returnTo = ReturnPaths.sanitize(request.getParameter("return_to"));
    LoginOptions options;
    try {
      options = LoginParameters.of(rt.config(), request.getParameterMap());
    } catch (IllegalArgumentException e) {
      noStore(response);
      badRequest(response, "login refused: " + e.getMessage());
      return;
    }
    LoginRedirect redirect;
    try {
      redirect = rt.client().startLogin(returnTo, options);
    } catch (OidcException e) {
      providerFailure(response, e);
      return;
    }
    PendingLogin pending = redirect.pending();
    forgetOldPendingLogins(rt, request, response);
    Duration maxAge = rt.client().config().pendingLoginMaxAge();
    rt.cookies().set(response, rt.pendingLogins().name(pending.state().value()),
        rt.pendingLogins().seal(pending), maxAge.toSeconds());
    noStore(response);
    redirect(response, HttpServletResponse.SC_FOUND, redirect.authorizationUri().toString());
  }

  /**
   * Clears all but the newest {@code MAX_PENDING_LOGINS - 1} pending-login cookies before a new one
   * is set: each holds up to a few KB, and a pile of them (tabs restored, a login clicked again
   * and again) would make the Cookie header too big for servers to accept at all.
   */
  private static void forgetOldPendingLogins(FilterRuntime rt, HttpServletRequest request,
      HttpServletResponse response) {
    Cookie[] cookies = request.getCookies();
    if (cookies == null) {
      return;
    }
    List<Map.Entry<String, Instant>> pending = new ArrayList<>();
    for (Cookie cookie : cookies) {
      if (rt.pendingLogins().owns(cookie.getName())) {
        Instant createdAt = rt.pendingLogins().open(cookie.getValue())
            .map(PendingLogin::createdAt).orElse(Instant.MIN);
        pending.add(Map.entry(cookie.getName(), createdAt));
      }
    }
    pending.sort(Map.Entry.<String, Instant>comparingByValue().reversed());
    for (int i = MAX_PENDING_LOGINS - 1; i < pending.size(); i++) {
      rt.cookies().clear(response, pending.get(i).getKey());
    }
  }

  private static void callback(FilterRuntime rt, HttpServletRequest request,
      HttpServletResponse response) throws IOException {
    noStore(response);
    // RFC 6749 §3.1: response parameters MUST NOT be included more than once.
    for (String name : CALLBACK_PARAMETERS) {
      String[] values = request.getParameterValues(name);
      if (values != null && values.length > 1) {
        badRequest(response, "the callback must carry " + name + " at most once (RFC 6749 §3.1),"
            + " but had it " + values.length + " times");
        return;
      }
    }
    String state = request.getParameter("state");
    if (state == null || state.isEmpty()) {
      badRequest(response, "the callback has no state parameter");
      return;
    }
    String code = request.getParameter("code");
    if (request.getParameter("error") == null && (code == null || code.isBlank())) {
      badRequest(response, "the callback has no code parameter");
      return;
    }
    String cookieName = rt.pendingLogins().name(state);
    String sealed = Cookies.read(request, cookieName);
    Optional<PendingLogin> pending =
        sealed == null ? Optional.empty() : rt.pendingLogins().open(sealed);
    if (pending.isEmpty()) {
      badRequest(response, "no login is pending for this state in this browser"
          + " (it expired, was completed already, or was started elsewhere)");
      return;
    }
    rt.cookies().clear(response, cookieName);
    // The cookie alone could be replayed until it expires, on any node: the first callback for
    // this state consumes it in the shared store, before any token request (security review #14).
    if (MessageDigest.isEqual(state.getBytes(StandardCharsets.UTF_8),
        pending.get().state().value().getBytes(StandardCharsets.UTF_8))) {
      Optional<StoredEntry> marker =
          rt.pendingLogins().consumedMarker(pending.get(), rt.config().clock().instant());
      try {
        if (marker.isPresent() && !rt.store().insert(marker.get())) {
          badRequest(response, "this login was completed already; start a new one");
          return;
        }
      } catch (SessionStoreUnavailableException e) {
        unavailable(response, e);
        return;
      }
    }
    TokenSet tokens;
    try {
      tokens = rt.client().completeLogin(parameters(request), pending.get());
    } catch (OidcException e) {
      if (e.reason() == OidcException.Reason.PROVIDER_UNAVAILABLE) {
        providerFailure(response, e);
      } else if (e.reason() == OidcException.Reason.OVERLOADED) {
        Responses.overloaded(response, e);
      } else {
        log.debug("login callback refused: {}", e.getMessage());
        badRequest(response, "login failed: " + e.getMessage());
      }
      return;
    }
    CreatedSession created;
    try {
      for (String previous : rt.cookies().sessions(request)) {
        rt.sessions().end(previous, EndReason.LOGGED_OUT); // a new login replaces, never reuses
      }
      created = rt.sessions().create(tokens);
    } catch (SessionStoreUnavailableException e) {
      unavailable(response, e);
      return;
    } catch (IllegalArgumentException e) {
      // The ID token passed validation on the wall clock with skew, yet by the manager's clock the
      // session would already be over: a provider or server clock is off. Not the user's fault.
      log.warn("tokens from the login callback are already expired: {}", e.getMessage());
      Responses.text(response, HttpServletResponse.SC_BAD_GATEWAY, "the identity provider issued"
          + " tokens that have already expired by this server's clock; check the clocks of both");
      return;
    }
    rt.cookies().set(response, rt.cookies().sessionName(), created.handle().cookieValue(), -1);
    redirect(response, HttpServletResponse.SC_FOUND, pending.get().returnPath());
  }

  private static void logout(FilterRuntime rt, HttpServletRequest request,
      HttpServletResponse response) throws IOException {
    noStore(response);
    if (rt.rules().crossSite(request)) {
      Responses.text(response, HttpServletResponse.SC_FORBIDDEN, "logout refused: cross-site request");
      return;
    }
    List<String> cookies = rt.cookies().sessions(request);
    // The user asked to leave: the browser forgets the session even if the store cannot be
    // reached (the stored entry then just expires), so a shared computer is not left logged in.
    rt.cookies().clear(response, rt.cookies().sessionName());
    Optional<Session> ended;
    try {
      ended = Optional.empty();
      for (String cookie : cookies) { // every value sent ends: the user asked to leave
        Optional<Session> one = rt.sessions().end(cookie, EndReason.LOGGED_OUT);
        ended = ended.or(() -> one);
      }
    } catch (SessionStoreUnavailableException e) {
      unavailable(response, e);
      return;
    }
    String target = request.getContextPath() + rt.config().loggedOutPath();
    if (ended.isPresent()) {
      Session session = ended.get();
      try {
        rt.client().revoke(session.tokens());
      } catch (OidcException | RuntimeException e) {
        log.warn("refresh token of session {} could not be revoked: {}", session.key(),
            e.getMessage());
      }
      try {
        Optional<LogoutRedirect> redirect = rt.client().logoutRedirect(session.tokens().idToken());
        if (redirect.isPresent()) {
          target = redirect.get().endSessionUri().toString();
        }
      } catch (OidcException | RuntimeException e) {
        log.warn("provider logout URL unavailable, ending locally: {}", e.getMessage());
      }
    }
    redirect(response, HttpServletResponse.SC_SEE_OTHER, target);
  }

  private static void backChannelLogout(FilterRuntime rt, HttpServletRequest request,
      HttpServletResponse response) throws IOException {
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
      notice = rt.client().validateLogoutToken(token);
    } catch (OidcException e) {
      if (e.reason() == OidcException.Reason.PROVIDER_UNAVAILABLE) {
        // The keys could not be fetched: the token may be valid. A 503 makes the provider retry
        // (Back-Channel Logout 1.0 §2.8 lets it); a 400 would lose the logout for good.
        log.warn("back-channel logout deferred, identity provider unavailable: {}", e.getMessage());
        response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
        response.setHeader("Retry-After", Responses.RETRY_AFTER_SECONDS);
        json(response, Map.of("error", "temporarily_unavailable",
            "error_description", "the provider's keys cannot be fetched; retry later"));
        return;
      }
      if (e.reason() == OidcException.Reason.OVERLOADED) {
        Responses.overloaded(response, e); // the provider retries (Back-Channel Logout §2.8)
        return;
      }
      log.debug("back-channel logout refused: {}", e.getMessage());
      response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
      json(response, Map.of("error", "invalid_request", "error_description", e.getMessage()));
      return;
    }
    try {
      // Back-Channel Logout 1.0 §2.4: the sessions of the sid when given, else of the sub.
      int ended =
          notice.sid().isPresent()
              ? rt.sessions().endBySid(notice.issuer(), notice.sid().get())
              : rt.sessions().endBySubject(notice.issuer(), notice.subject().orElseThrow());
      log.debug("back-channel logout {} ended {} session(s)", notice, ended);
      response.setStatus(HttpServletResponse.SC_OK);
    } catch (SessionStoreUnavailableException e) {
      // Nothing ended: the provider retries this token, which must not count as a replay.
      rt.client().forgetLogoutToken(notice);
      unavailable(response, e);
    }
  }

  private static void sessionJson(FilterRuntime rt, HttpServletRequest request,
      HttpServletResponse response) throws IOException {
    noStore(response);
    List<String> cookies = rt.cookies().sessions(request);
    Optional<Session> session;
    try {
      session = OidcSessionFilter.firstFound(cookies, rt.sessions()::resolveAndRenew);
    } catch (SessionStoreUnavailableException e) {
      unavailable(response, e);
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("authenticated", session.isPresent());
    if (session.isPresent()) {
      Session s = session.get();
      Instant now = rt.config().clock().instant();
      body.put("subject", s.subject());
      body.put("expiresAt", DateTimeFormatter.ISO_INSTANT.format(s.expiresAt()));
      body.put("renewAt", DateTimeFormatter.ISO_INSTANT.format(s.renewAt()));
      // Relative times, so that a browser schedules on its own monotonic timers and never compares
      // these instants with its own clock (security review #4).
      body.put("now", DateTimeFormatter.ISO_INSTANT.format(now));
      body.put("renewIn", secondsUntil(now, s.renewAt()));
      body.put("expiresIn", secondsUntil(now, s.expiresAt()));
      // This request asked to renew and waited: a renewAt still not in the future means the server
      // has not renewed (one is in flight elsewhere, or it backs off after a failure). The helper
      // then polls slowly instead of every few seconds (security review #8).
      body.put("renewalPending", !s.renewAt().isAfter(now));
    } else if (!cookies.isEmpty()) {
      rt.cookies().clear(response, rt.cookies().sessionName());
    }
    json(response, body);
  }

  /** Whole seconds from {@code now} to {@code at}, rounded down; 0 when {@code at} has passed. */
  static long secondsUntil(Instant now, Instant at) {
    return Math.max(0, Duration.between(now, at).toMillis() / 1000);
  }

  private static Map<String, List<String>> parameters(HttpServletRequest request) {
    Map<String, List<String>> parameters = new LinkedHashMap<>();
    request.getParameterMap().forEach((k, v) -> parameters.put(k, Arrays.asList(v)));
    return parameters;
  }
}
