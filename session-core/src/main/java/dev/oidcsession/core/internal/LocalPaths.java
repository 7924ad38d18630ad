package dev.oidcsession.core.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The one rule for "a path on this site" (no open redirect), used by the pending login and the
 * servlet's {@code return_to}. Refused: absolute URLs and schemes, scheme-relative {@code //host},
 * {@code /\host} (browsers read {@code \} as {@code /}), any of these percent-encoded once or
 * twice, control characters (CR/LF header injection), and anything over {@link #MAX_LENGTH}
 * characters. Stateless and thread-safe. Not API.
 */
public final class LocalPaths {

  /** Longest accepted path, in characters. */
  public static final int MAX_LENGTH = 2048;

  private LocalPaths() {}

  /** Whether {@code candidate} is a local path; {@code null} is not. */
  public static boolean isLocal(String candidate) {
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
