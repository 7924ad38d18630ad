package dev.oidcsession.core.oidc;

import java.net.URI;

/** Printing URLs whose query may hold secrets. */
final class Redacted {

  private Redacted() {}

  /** {@code uri} without query and fragment. */
  static String withoutQuery(URI uri) {
    String s = uri.toString();
    int cut = s.indexOf('?');
    if (cut < 0) {
      cut = s.indexOf('#');
    }
    return cut < 0 ? s : s.substring(0, cut) + "?…";
  }
}
