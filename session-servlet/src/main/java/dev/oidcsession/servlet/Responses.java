package dev.oidcsession.servlet;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.oidcsession.core.SessionStoreUnavailableException;
import dev.oidcsession.core.oidc.OidcException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
    response.setHeader("Location", asciiOnly(location));
  }

  /**
   * {@code location} with every character outside printable ASCII (space, non-ASCII such as
   * {@code ∕} or an ideographic space) percent-encoded as UTF-8, the way a browser sends it
   * (RFC 3986 §2.1). A header is ISO-8859-1 at best: Tomcat drops a header holding a character
   * beyond it, which made a local {@code return_to} with one a redirect without a target.
   */
  static String asciiOnly(String location) {
    StringBuilder out = null;
    for (int i = 0; i < location.length(); i++) {
      char c = location.charAt(i);
      if (c > 0x20 && c < 0x7f) {
        if (out != null) {
          out.append(c);
        }
        continue;
      }
      if (out == null) {
        out = new StringBuilder(location.length() + 16).append(location, 0, i);
      }
      int end = Character.isHighSurrogate(c) && i + 1 < location.length() ? i + 2 : i + 1;
      for (byte b : location.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
        out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
      }
      i = end - 1;
    }
    return out == null ? location : out.toString();
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** {@code 405} with {@code Allow} and a reason (RFC 9110 §15.5.6). */
  static void methodNotAllowed(HttpServletResponse response, String allow) throws IOException {
    response.setHeader("Allow", allow);
    text(response, HttpServletResponse.SC_METHOD_NOT_ALLOWED,
        "method not allowed here; allowed: " + allow);
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
    // ReplayCache warns once a minute with the count; a line per refused request would flood.
    log.debug("request refused: {}", e.getMessage());
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
