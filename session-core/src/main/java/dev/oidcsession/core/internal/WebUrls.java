package dev.oidcsession.core.internal;

import java.net.URI;
import java.util.Locale;

/**
 * The one rule for URLs the client talks to or sends browsers to: absolute {@code https}, or
 * {@code http} on a loopback host ({@code localhost}, {@code 127.0.0.0/8}, {@code [::1]}) for
 * development. Stateless and thread-safe. Not API.
 */
public final class WebUrls {

  private WebUrls() {}

  /**
   * Checks {@code uri} against the rule.
   *
   * @param name the setting, for the message
   * @throws IllegalArgumentException {@code <name> must be ..., but was <uri>} if it fails
   */
  public static void requireWebUrl(String name, URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!uri.isAbsolute() || uri.getHost() == null) {
      throw new IllegalArgumentException(name + " must be an absolute URL, but was " + uri);
    }
    if (scheme.equals("https")) {
      return;
    }
    if (scheme.equals("http") && isLoopback(uri.getHost())) {
      return;
    }
    throw new IllegalArgumentException(
        name + " must be an https URL (http only on a loopback host), but was " + uri);
  }

  /**
   * Whether {@code host} (as {@link URI#getHost()} gives it) names this machine: {@code
   * localhost}, an IPv4 address in {@code 127.0.0.0/8}, or {@code ::1} (with or without
   * brackets). No name resolution.
   */
  public static boolean isLoopback(String host) {
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("localhost") || h.equals("[::1]") || h.equals("::1")) {
      return true;
    }
    String[] octets = h.split("\\.", -1);
    if (octets.length != 4 || !octets[0].equals("127")) {
      return false;
    }
    for (String octet : octets) {
      if (octet.isEmpty() || octet.length() > 3 || !octet.chars().allMatch(Character::isDigit)) {
        return false;
      }
      if (Integer.parseInt(octet) > 255) {
        return false;
      }
    }
    return true;
  }
}
