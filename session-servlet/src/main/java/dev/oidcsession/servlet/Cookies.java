package dev.oidcsession.servlet;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

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

  /** The value of the session cookie, or {@code null}. */
  String session(HttpServletRequest request) {
    return read(request, sessionName);
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
