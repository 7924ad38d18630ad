package dev.oidcsession.core;

import dev.oidcsession.core.internal.Digests;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The key a session is stored under: HMAC-SHA-256 of the cookie's secret value with a fixed label,
 * base64url. A store sees only this key, from which neither the cookie value nor the session's
 * encryption key can be computed.
 *
 * @param value base64url characters only, 16 to 128 of them
 */
public record StoreKey(String value) {

  private static final Pattern FORM = Pattern.compile("[A-Za-z0-9_-]{16,128}");

  /** Validates the form. */
  public StoreKey {
    Objects.requireNonNull(value, "value");
    if (!FORM.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "store key must be 16 to 128 base64url characters, but had " + value.length());
    }
  }

  /**
   * The first 10 hex digits of the key's SHA-256: enough to correlate log lines, useless for
   * finding the entry.
   */
  public String fingerprint() {
    return Digests.sha256Hex(value).substring(0, 10);
  }

  /** Returns {@code StoreKey[<fingerprint>]}. */
  @Override
  public String toString() {
    return "StoreKey[" + fingerprint() + "]";
  }
}
