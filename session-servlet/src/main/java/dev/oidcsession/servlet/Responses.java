package dev.oidcsession.servlet;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.oidcsession.core.SessionStoreUnavailableException;
import dev.oidcsession.core.oidc.OidcException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The filter's own responses: redirects, errors with a reason, JSON. Stateless. */
final class Responses {

  private static final Logger log = LoggerFactory.getLogger(OidcSessionFilter.class);

  /** {@code Retry-After} of a {@code 503}, in seconds. */
  static final String RETRY_AFTER_SECONDS = "5";

  private Responses() {}

  /**
   * A redirect with exactly this {@code Location}. Not {@code sendRedirect}: containers rewrite its
   * target differently, and Servlet 6.1 changed its signature (a 6.0 API jar ahead of Tomcat 11's
   * classes makes it an {@code AbstractMethodError}).
   */
  static void redirect(HttpServletResponse response, int status, String location) {
    response.setStatus(status);
    response.setHeader("Location", location);
  }

  static void noStore(HttpServletResponse response) {
    response.setHeader("Cache-Control", "no-store");
  }

  static void badRequest(HttpServletResponse response, String reason) throws IOException {
    text(response, HttpServletResponse.SC_BAD_REQUEST, reason);
  }

  static void text(HttpServletResponse response, int status, String text) throws IOException {
    response.setStatus(status);
    response.setContentType("text/plain;charset=utf-8");
    response.getWriter().write(text + "\n");
  }

  /** {@code 503} with {@code Retry-After} when the provider is down, {@code 502} when it misbehaved. */
  static void providerFailure(HttpServletResponse response, OidcException e) throws IOException {
    boolean down = e.reason() == OidcException.Reason.PROVIDER_UNAVAILABLE;
    log.warn("identity provider {}: {}", down ? "unavailable" : "misbehaved", e.getMessage());
    if (down) {
      response.setHeader("Retry-After", RETRY_AFTER_SECONDS);
    }
    text(response, down ? HttpServletResponse.SC_SERVICE_UNAVAILABLE
        : HttpServletResponse.SC_BAD_GATEWAY, "the identity provider is " + (down ? "unavailable"
        : "not answering as expected") + "; please try again shortly");
  }

  /**
   * {@code 503} with {@code Retry-After} when the client's replay memory is full of live one-time
   * values: a login or logout token is refused rather than accepted without replay protection.
   */
  static void overloaded(HttpServletResponse response, OidcException e) throws IOException {
    log.warn("request refused: {}", e.getMessage());
    response.setHeader("Retry-After", RETRY_AFTER_SECONDS);
    text(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, e.getMessage());
  }

  /** {@code 503} with {@code Retry-After}: never a logout, never a redirect loop. */
  static void unavailable(HttpServletResponse response, SessionStoreUnavailableException e)
      throws IOException {
    log.warn("session store unavailable: {}", e.getMessage());
    response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
    response.setHeader("Retry-After", RETRY_AFTER_SECONDS);
    noStore(response);
    json(response, Map.of("error", "session_store_unavailable"));
  }

  static void json(HttpServletResponse response, Map<String, ?> body) throws IOException {
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    response.getWriter().write(JSONObjectUtils.toJSONString(body));
  }
}
