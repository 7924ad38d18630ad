package dev.oidcsession.core;

import dev.oidcsession.core.internal.Digests;
import java.util.Arrays;
import java.util.Objects;

/**
 * The key a session is stored under: HMAC-SHA-256 of the cookie's secret value with a fixed label,
 * base64url. A store sees only this key, from which neither the cookie value nor the session's
 * encryption key can be computed.
 *
 * @param value base64url characters only, 16 to 128 of them
 */
public record StoreKey(String value) {

  /** Validates the form. */
  public StoreKey {
    Objects.requireNonNull(value, "value");
    if (!StoreKey.base64Url(value)) {
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

  /**
   * Whether {@code value} is 16 to 128 base64url characters: the form of store and index keys. A
   * loop, not a regular expression: it runs on every request.
   */
  static boolean base64Url(String value) {
    int length = value.length();
    if (length < 16 || length > 128) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (!base64UrlChar(value.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code c} is in the base64url alphabet ({@code A-Z a-z 0-9 - _}), by table lookup. */
  static boolean base64UrlChar(char c) {
    return base64UrlValue(c) >= 0;
  }

  /** The 6-bit value of base64url character {@code c}, or -1 when it is none. */
  static int base64UrlValue(char c) {
    return c < 128 ? BASE64URL_VALUES[c] : -1;
  }

  private static final byte[] BASE64URL_VALUES = new byte[128];

  static {
    Arrays.fill(BASE64URL_VALUES, (byte) -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < alphabet.length(); i++) {
      BASE64URL_VALUES[alphabet.charAt(i)] = (byte) i;
    }
  }

}
