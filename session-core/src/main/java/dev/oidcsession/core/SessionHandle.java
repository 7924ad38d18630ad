package dev.oidcsession.core;

import dev.oidcsession.core.internal.Digests;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret a browser holds for its session: 256 random bits, sent as the cookie value (43
 * base64url characters). Everything else is derived from it with HMAC-SHA-256 under distinct
 * labels: the {@link StoreKey} the store files the session under, and the AES-256 key that
 * encrypts it. The store never sees the handle, so a copy of the store yields neither tokens nor
 * a usable cookie.
 *
 * <p>Immutable and thread-safe; {@link #toString()} prints only the store key's fingerprint.
 */
public final class SessionHandle {

  /** Bytes of randomness in a handle. */
  static final int BYTES = 32;

  private static final int ENCODED_LENGTH = 43;
  private static final byte[] STORE_KEY_LABEL =
      "oidc-session/v1/store-key".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ENCRYPTION_KEY_LABEL =
      "oidc-session/v1/encryption-key".getBytes(StandardCharsets.US_ASCII);

  private final byte[] secret;
  private final StoreKey storeKey;
  private volatile SecretKey encryptionKey;

  private SessionHandle(byte[] secret) {
    this.secret = secret;
    this.storeKey = new StoreKey(Digests.base64Url(Digests.hmacSha256(secret, STORE_KEY_LABEL)));
  }

  /** A new handle with 256 bits from {@code random}. */
  static SessionHandle generate(SecureRandom random) {
    byte[] secret = new byte[BYTES];
    random.nextBytes(secret);
    return new SessionHandle(secret);
  }

  /**
   * Reads a cookie value. Anything that is not exactly 43 base64url characters is no handle.
   *
   * @param cookieValue the cookie's value, possibly {@code null}
   * @return the handle, or empty for a missing or malformed value
   */
  static Optional<SessionHandle> parse(String cookieValue) {
    if (!wellFormed(cookieValue)) {
      return Optional.empty();
    }
    try {
      byte[] secret = Base64.getUrlDecoder().decode(cookieValue);
      if (secret.length != BYTES) {
        return Optional.empty();
      }
      return Optional.of(new SessionHandle(secret));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether {@code cookieValue} has the form of a handle: exactly 43 base64url characters, the last
   * one canonical.
   */
  static boolean wellFormed(String cookieValue) {
    if (cookieValue == null || cookieValue.length() != ENCODED_LENGTH) {
      return false;
    }
    for (int i = 0; i < ENCODED_LENGTH; i++) {
      if (!StoreKey.base64UrlChar(cookieValue.charAt(i))) {
        return false;
      }
    }
    // The last character carries 2 unused bits, which an encoder sets to zero: a value with them
    // set is not canonical, so not ours (checked on the character, without encoding it again).
    return (StoreKey.base64UrlValue(cookieValue.charAt(ENCODED_LENGTH - 1)) & 3) == 0;
  }

  /** The cookie value. Never log it. */
  public String cookieValue() {
    return Digests.base64Url(secret);
  }

  /** The key the session is stored under. */
  StoreKey storeKey() {
    return storeKey;
  }

  /** The AES-256 key that encrypts the stored session; derived on first use. */
  SecretKey encryptionKey() {
    SecretKey key = encryptionKey;
    if (key == null) {
      key = new SecretKeySpec(Digests.hmacSha256(secret, ENCRYPTION_KEY_LABEL), "AES");
      encryptionKey = key;
    }
    return key;
  }

  /** Constant-time comparison of the secrets. */
  @Override
  public boolean equals(Object o) {
    return o instanceof SessionHandle other && MessageDigest.isEqual(secret, other.secret);
  }

  @Override
  public int hashCode() {
    return storeKey.hashCode();
  }

  @Override
  public String toString() {
    return "SessionHandle[" + storeKey.fingerprint() + "]";
  }
}
