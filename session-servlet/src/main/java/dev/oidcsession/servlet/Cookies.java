package dev.oidcsession.servlet;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.Enumeration;
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
    return values(request, sessionName, MAX_SESSION_VALUES);
  }

  /** The first non-empty value of cookie {@code name}, or {@code null}. */
  static String read(HttpServletRequest request, String name) {
    List<String> values = values(request, name, 1);
    return values.isEmpty() ? null : values.get(0);
  }

  /** The distinct non-empty values of cookie {@code name} over every Cookie header, at most max. */
  private static List<String> values(HttpServletRequest request, String name, int max) {
    List<String> values = new ArrayList<>(1);
    Enumeration<String> headers = request.getHeaders("Cookie");
    while (headers != null && headers.hasMoreElements() && values.size() < max) {
      collect(headers.nextElement(), name, values, max);
    }
    return values;
  }

  /**
   * Adds to {@code values} the distinct non-empty values of cookie {@code name} in one {@code
   * Cookie} header, until it holds {@code max}. The header is RFC 6265's cookie-string: {@code
   * name=value} pairs separated by {@code ;}, with optional whitespace around names and values.
   * Read here rather than through {@code getCookies()}, which builds an object for every cookie of
   * the request (the largest cost of a request this filter lets through). A value is taken as
   * sent: a quoted one is not a value this filter set, and is never unquoted into one.
   */
  static void collect(CharSequence header, String name, List<String> values, int max) {
    int length = header.length();
    int start = 0;
    // One pass: every character is read a bounded number of times (a header of many pairs
    // without "=" stays linear).
    while (start < length && values.size() < max) {
      int end = start;
      while (end < length && header.charAt(end) != ';') {
        end++;
      }
      int nameStart = skipSpace(header, start, end);
      int equals = nameStart;
      while (equals < end && header.charAt(equals) != '=') {
        equals++;
      }
      if (equals < end && trimSpace(header, nameStart, equals) - nameStart == name.length()
          && regionIs(header, nameStart, name)) {
        int valueStart = skipSpace(header, equals + 1, end);
        String value = header.subSequence(valueStart, trimSpace(header, valueStart, end)).toString();
        if (!value.isEmpty() && !values.contains(value)) {
          values.add(value);
        }
      }
      start = end + 1;
    }
  }

  /** Whether {@code text} holds {@code name} from {@code from} on. */
  private static boolean regionIs(CharSequence text, int from, String name) {
    for (int i = 0; i < name.length(); i++) {
      if (text.charAt(from + i) != name.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** The first index in {@code [from, to)} that is not a space or tab, else {@code to}. */
  private static int skipSpace(CharSequence text, int from, int to) {
    int i = from;
    while (i < to && isSpace(text.charAt(i))) {
      i++;
    }
    return i;
  }

  /** The end of {@code [from, to)} without its trailing spaces and tabs. */
  private static int trimSpace(CharSequence text, int from, int to) {
    int i = to;
    while (i > from && isSpace(text.charAt(i - 1))) {
      i--;
    }
    return i;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t';
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
