package dev.oidcsession.servlet;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * The filter's cookies: always {@code Path=/; HttpOnly; SameSite=Lax}, and {@code Secure} with the
 * {@code __Host-} prefix unless the base URL is {@code http://}. Immutable.
 */
final class Cookies {

  static final String SESSION_COOKIE = "oidc-session";

  private final boolean secure;
  private final String sessionName;

  Cookies(boolean secure) {
    this.secure = secure;
    this.sessionName = (secure ? "__Host-" : "") + SESSION_COOKIE;
  }

  /** The session cookie's name. */
  String sessionName() {
    return sessionName;
  }

  /** How many values of the session cookie one request may have tried. */
  static final int MAX_SESSION_VALUES = 3;

  /**
   * The distinct non-empty values of the session cookie, in the order sent, at most {@link
   * #MAX_SESSION_VALUES}. A browser sends several cookies of one name when they differ in path or
   * domain (RFC 6265 §5.4: longer paths first), so a stale or planted one may come before the
   * user's: each is tried, so that it cannot hide, and clear, the user's session.
   */
  List<String> sessions(HttpServletRequest request) {
    Cookie[] cookies = request.getCookies();
    if (cookies == null) {
      return List.of();
    }
    List<String> values = new ArrayList<>(1);
    for (Cookie cookie : cookies) {
      String value = cookie.getValue();
      if (cookie.getName().equals(sessionName) && value != null && !value.isEmpty()
          && !values.contains(value)) {
        values.add(value);
        if (values.size() == MAX_SESSION_VALUES) {
          break;
        }
      }
    }
    return values;
  }

  /** The first non-empty value of cookie {@code name}, or {@code null}. */
  static String read(HttpServletRequest request, String name) {
    Cookie[] cookies = request.getCookies();
    if (cookies == null) {
      return null;
    }
    for (Cookie cookie : cookies) {
      if (cookie.getName().equals(name) && !cookie.getValue().isEmpty()) {
        return cookie.getValue();
      }
    }
    return null;
  }

  /** Sets a cookie with this filter's attributes; {@code maxAgeSeconds < 0} makes a session cookie. */
  void set(HttpServletResponse response, String name, String value, long maxAgeSeconds) {
    StringBuilder header = new StringBuilder(name).append('=').append(value)
        .append("; Path=/; HttpOnly; SameSite=Lax");
    if (secure) {
      header.append("; Secure");
    }
    if (maxAgeSeconds >= 0) {
      header.append("; Max-Age=").append(maxAgeSeconds);
    }
    response.addHeader("Set-Cookie", header.toString());
  }

  void clear(HttpServletResponse response, String name) {
    set(response, name, "", 0);
  }
}
