package dev.oidcsession.examples.provider;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseMode;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.TokenRevocationRequest;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.http.JakartaServletUtils;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.util.URLUtils;
import com.nimbusds.openid.connect.sdk.AuthenticationErrorResponse;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.AuthenticationSuccessResponse;
import com.nimbusds.openid.connect.sdk.LogoutRequest;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of the development provider: routes each endpoint, turns servlet requests into
 * nimbus requests and nimbus responses into servlet responses, and renders the two HTML pages
 * (login form, signed-out page). Every value echoed into HTML is escaped. Never logs a token, code,
 * secret, state or nonce.
 */
final class ProviderServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;
  private static final Logger log = LoggerFactory.getLogger(ProviderServlet.class);

  static final String DISCOVERY = "/.well-known/openid-configuration";
  static final String JWKS = "/jwks";
  static final String AUTHORIZE = "/authorize";
  static final String TOKEN = "/token";
  static final String REVOKE = "/revoke";
  static final String LOGOUT = "/logout";

  /** Longest username accepted on the login form. */
  static final int MAX_USERNAME_LENGTH = 64;

  private static final String USERNAME = "username";

  private final transient DevProvider provider;
  private final transient ProviderCore core;

  ProviderServlet(DevProvider provider, ProviderCore core) {
    this.provider = provider;
    this.core = core;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    switch (req.getRequestURI()) {
      case DISCOVERY -> json(resp, core.metadata().toJSONObject().toJSONString());
      case JWKS -> json(resp, core.signer().publicKeys().toString());
      case AUTHORIZE -> authorize(req, resp, queryParameters(req), false);
      case LOGOUT -> logout(resp, queryParameters(req));
      case TOKEN, REVOKE -> resp.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
      default -> resp.sendError(HttpServletResponse.SC_NOT_FOUND);
    }
  }

  @Override
  protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    switch (req.getRequestURI()) {
      case AUTHORIZE -> authorize(req, resp, formParameters(req), true);
      case TOKEN -> token(req, resp);
      case REVOKE -> revoke(req, resp);
      // RP-Initiated Logout 1.0 §2: the end-session endpoint takes GET and POST.
      case LOGOUT -> logout(resp, formParameters(req));
      case DISCOVERY, JWKS -> resp.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
      default -> resp.sendError(HttpServletResponse.SC_NOT_FOUND);
    }
  }

  // ---------------------------------------------------------------- /authorize

  private void authorize(
      HttpServletRequest req,
      HttpServletResponse resp,
      Map<String, List<String>> parameters,
      boolean submitted)
      throws IOException {
    String username = submitted ? first(parameters, USERNAME) : null;
    parameters.remove(USERNAME);
    // RFC 6749 §4.1.2.1: with a bad client or redirect URI, tell the user, never redirect.
    Optional<String> fatal =
        core.rejectWithoutRedirect(first(parameters, "client_id"), first(parameters, "redirect_uri"));
    if (fatal.isPresent()) {
      log.debug("authorization request refused without redirect: {}", fatal.get());
      page(resp, HttpServletResponse.SC_BAD_REQUEST, "Request refused", "<p>" + escape(fatal.get()) + "</p>");
      return;
    }
    URI redirectUri = URI.create(first(parameters, "redirect_uri"));
    AuthenticationRequest request;
    try {
      request = AuthenticationRequest.parse(parameters);
    } catch (ParseException e) {
      ErrorObject error = e.getErrorObject() != null ? e.getErrorObject() : OAuth2Error.INVALID_REQUEST;
      String state = first(parameters, "state");
      redirectError(resp, redirectUri, error, state == null ? null : new State(state));
      return;
    }
    Optional<ErrorObject> error = core.rejectAuthentication(request);
    if (error.isPresent()) {
      redirectError(resp, redirectUri, error.get(), request.getState());
      return;
    }
    if (username == null) {
      loginForm(resp, parameters, null);
      return;
    }
    username = username.strip();
    if (username.isEmpty() || username.length() > MAX_USERNAME_LENGTH
        || username.chars().anyMatch(Character::isISOControl)) {
      loginForm(resp, parameters, "Enter a username of 1 to " + MAX_USERNAME_LENGTH + " characters.");
      return;
    }
    AuthorizationCode code = core.login(request, username);
    // RFC 9207 §2: the response names its issuer.
    URI location =
        new AuthenticationSuccessResponse(
                redirectUri, code, null, null, request.getState(), null, new Issuer(core.issuer()), ResponseMode.QUERY)
            .toURI();
    redirect(resp, location);
  }

  private void redirectError(HttpServletResponse resp, URI redirectUri, ErrorObject error, State state)
      throws IOException {
    log.debug("authorization request refused: {}", error.getCode());
    redirect(
        resp,
        new AuthenticationErrorResponse(redirectUri, error, state, new Issuer(core.issuer()), ResponseMode.QUERY)
            .toURI());
  }

  private void loginForm(HttpServletResponse resp, Map<String, List<String>> request, String message)
      throws IOException {
    StringBuilder body = new StringBuilder();
    body.append("<p class=\"warn\">Development provider for examples and tests: any username is accepted,"
        + " no password is asked. Never use it in production.</p>");
    body.append("<p>Sign in to <b>").append(escape(core.clientId())).append("</b></p>");
    if (message != null) {
      body.append("<p class=\"error\">").append(escape(message)).append("</p>");
    }
    body.append("<form method=\"post\" action=\"").append(AUTHORIZE).append("\">\n");
    for (Map.Entry<String, List<String>> parameter : request.entrySet()) {
      for (String value : parameter.getValue()) {
        body.append("<input type=\"hidden\" name=\"").append(escape(parameter.getKey()))
            .append("\" value=\"").append(escape(value)).append("\">\n");
      }
    }
    body.append("<label for=\"username\">Username</label>\n")
        .append("<input id=\"username\" name=\"username\" autocomplete=\"username\" required autofocus maxlength=\"")
        .append(MAX_USERNAME_LENGTH).append("\">\n")
        .append("<button id=\"sign-in\" type=\"submit\">Sign in</button>\n</form>");
    page(resp, HttpServletResponse.SC_OK, "Sign in", body.toString());
  }

  // ---------------------------------------------------------------- /token and /revoke

  private void token(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    HTTPRequest http = JakartaServletUtils.createHTTPRequest(req);
    TokenResponse response;
    try {
      response = core.token(TokenRequest.parse(http));
    } catch (ParseException e) {
      log.debug("token request unreadable: {}", e.getErrorObject() == null ? "invalid_request" : e.getErrorObject().getCode());
      response = new TokenErrorResponse(
          e.getErrorObject() != null ? e.getErrorObject() : OAuth2Error.INVALID_REQUEST);
    }
    HTTPResponse out = response.toHTTPResponse();
    challengeBasic(http, out);
    JakartaServletUtils.applyHTTPResponse(out, resp);
  }

  private void revoke(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    HTTPRequest http = JakartaServletUtils.createHTTPRequest(req);
    HTTPResponse out;
    try {
      TokenRevocationRequest request = TokenRevocationRequest.parse(http);
      out = core.revoke(request)
          ? new HTTPResponse(HTTPResponse.SC_OK)
          : new TokenErrorResponse(OAuth2Error.INVALID_CLIENT).toHTTPResponse();
    } catch (ParseException e) {
      log.debug("revocation request unreadable");
      out = new TokenErrorResponse(OAuth2Error.INVALID_REQUEST).toHTTPResponse();
    }
    out.setCacheControl("no-store");
    challengeBasic(http, out);
    JakartaServletUtils.applyHTTPResponse(out, resp);
  }

  /** RFC 6749 §5.2: a 401 to a client that tried HTTP Basic carries the Basic challenge. */
  private static void challengeBasic(HTTPRequest request, HTTPResponse response) {
    String authorization = request.getAuthorization();
    if (response.getStatusCode() == HTTPResponse.SC_UNAUTHORIZED
        && authorization != null
        && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      response.setHeader("WWW-Authenticate", "Basic realm=\"dev-provider\"");
    }
  }

  // ---------------------------------------------------------------- /logout

  private void logout(HttpServletResponse resp, Map<String, List<String>> parameters) throws IOException {
    LogoutRequest request;
    try {
      request = LogoutRequest.parse(parameters);
    } catch (ParseException e) {
      refuseLogout(resp, "The logout request could not be read.");
      return;
    }
    if (request.getIDTokenHint() == null) {
      refuseLogout(resp, "The logout request must carry an id_token_hint.");
      return;
    }
    // RP-Initiated Logout 1.0 §2: the hint must be an ID token this provider issued (expired is
    // fine); client_id, when sent, must be its audience.
    Optional<JWTClaimsSet> hint = core.verifiedHint(request.getIDTokenHint());
    if (hint.isEmpty()) {
      refuseLogout(resp, "The id_token_hint was not issued by this provider for its client.");
      return;
    }
    if (request.getClientID() != null && !core.clientId().equals(request.getClientID().getValue())) {
      refuseLogout(resp, "The client_id does not match the id_token_hint.");
      return;
    }
    // RP-Initiated Logout 1.0 §3: only a registered post_logout_redirect_uri is followed.
    URI postLogout = request.getPostLogoutRedirectionURI();
    if (postLogout != null && !core.postLogoutRedirectUris.contains(postLogout)) {
      refuseLogout(resp, "The post_logout_redirect_uri is not registered for this client.");
      return;
    }
    Object sid = hint.get().getClaim("sid");
    provider.endSession(sid == null ? null : sid.toString());
    if (postLogout == null) {
      page(resp, HttpServletResponse.SC_OK, "Signed out", "<p>You are signed out of the development provider.</p>");
      return;
    }
    Map<String, List<String>> query = new LinkedHashMap<>();
    if (request.getState() != null) {
      query.put("state", List.of(request.getState().getValue()));
    }
    redirect(resp, withQuery(postLogout, query));
  }

  private static void refuseLogout(HttpServletResponse resp, String why) throws IOException {
    log.debug("logout request refused: {}", why);
    page(resp, HttpServletResponse.SC_BAD_REQUEST, "Logout refused", "<p>" + escape(why) + "</p>");
  }

  // ---------------------------------------------------------------- HTTP helpers

  private static Map<String, List<String>> queryParameters(HttpServletRequest req) {
    return new LinkedHashMap<>(URLUtils.parseParameters(req.getQueryString()));
  }

  private static Map<String, List<String>> formParameters(HttpServletRequest req) {
    Map<String, List<String>> parameters = new LinkedHashMap<>();
    req.getParameterMap().forEach((name, values) -> parameters.put(name, List.of(values)));
    return parameters;
  }

  private static String first(Map<String, List<String>> parameters, String name) {
    List<String> values = parameters.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  static URI withQuery(URI base, Map<String, List<String>> parameters) {
    if (parameters.isEmpty()) {
      return base;
    }
    String query = URLUtils.serializeParameters(parameters);
    String uri = base.toString();
    int fragment = uri.indexOf('#');
    String head = fragment < 0 ? uri : uri.substring(0, fragment);
    String tail = fragment < 0 ? "" : uri.substring(fragment);
    return URI.create(head + (base.getRawQuery() == null ? "?" : "&") + query + tail);
  }

  private static void redirect(HttpServletResponse resp, URI location) throws IOException {
    resp.setStatus(HttpServletResponse.SC_FOUND);
    resp.setHeader("Location", location.toString());
    resp.setHeader("Cache-Control", "no-store");
  }

  private static void json(HttpServletResponse resp, String body) throws IOException {
    resp.setStatus(HttpServletResponse.SC_OK);
    resp.setContentType("application/json");
    resp.setCharacterEncoding(StandardCharsets.UTF_8.name());
    resp.getWriter().write(body);
  }

  private static void page(HttpServletResponse resp, int status, String title, String body) throws IOException {
    resp.setStatus(status);
    resp.setContentType("text/html");
    resp.setCharacterEncoding(StandardCharsets.UTF_8.name());
    resp.setHeader("Cache-Control", "no-store");
    resp.setHeader("X-Frame-Options", "DENY");
    resp.setHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    resp.getWriter().write("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<title>" + escape(title) + " - development provider</title>"
        + "<style>body{font-family:sans-serif;max-width:32em;margin:3em auto}"
        + ".warn{background:#fff3cd;padding:.5em}.error{color:#b00}"
        + "input,button{font-size:1em;margin:.3em 0;display:block}</style></head>\n<body>"
        + "<h1>" + escape(title) + "</h1>\n" + body + "\n</body></html>\n");
  }

  /** HTML-escapes text for element content and double- or single-quoted attribute values. */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
