package dev.oidcsession.servlet;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Decides whether a {@code return_to} value is a path on this site, so the login cannot be turned
 * into an open redirect. Refused: absolute URLs, scheme-relative {@code //host}, {@code /\host}
 * (browsers read {@code \} as {@code /}), any of these percent-encoded once or twice, control
 * characters (CR/LF header injection), and anything over 2,048 characters.
 */
final class ReturnPaths {

  static final int MAX_LENGTH = 2048;

  private ReturnPaths() {}

  /** {@code candidate} if it is local, else {@code /}. */
  static String sanitize(String candidate) {
    return isLocal(candidate) ? candidate : "/";
  }

  static boolean isLocal(String candidate) {
    if (candidate == null || candidate.isEmpty() || candidate.length() > MAX_LENGTH) {
      return false;
    }
    String current = candidate;
    // Check the raw value and its decodings: a browser or proxy may decode before resolving.
    for (int round = 0; round < 3; round++) {
      if (!plainLocal(current)) {
        return false;
      }
      String decoded;
      try {
        decoded = URLDecoder.decode(current.replace("+", "%2B"), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return false; // malformed percent-encoding
      }
      if (decoded.equals(current)) {
        return true;
      }
      current = decoded;
    }
    return false; // encoded three times over: not a path anyone means
  }

  private static boolean plainLocal(String path) {
    if (!path.startsWith("/") || path.startsWith("//")) {
      return false;
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '\\' || c < 0x20 || c == 0x7f) {
        return false;
      }
    }
    return true;
  }
}
