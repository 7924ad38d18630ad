package dev.oidcsession.core;

import dev.oidcsession.core.internal.Digests;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A bearer secret (an access, refresh or ID token) that never prints itself.
 *
 * <p>nimbus's {@code AccessToken} and {@code RefreshToken} return the raw token from {@code
 * toString()}, and so does any record that holds a {@code String} token. This type's {@link
 * #toString()} prints only a short SHA-256 fingerprint, so a token that reaches a log line, an
 * exception message or a debugger's variable view stays secret. Read the token with {@link
 * #value()} only where it leaves the process (an {@code Authorization} header, a token request).
 *
 * <p>{@link #equals(Object)} compares in constant time. Instances are immutable and thread-safe.
 */
public final class TokenSecret {

  private final String value;

  private TokenSecret(String value) {
    this.value = value;
  }

  /**
   * Wraps a token.
   *
   * @param value the raw token, not blank
   * @return the wrapped token
   * @throws IllegalArgumentException if {@code value} is blank (the message does not repeat it)
   */
  public static TokenSecret of(String value) {
    Objects.requireNonNull(value, "token");
    if (value.isBlank()) {
      throw new IllegalArgumentException("token must not be blank");
    }
    return new TokenSecret(value);
  }

  /** Returns the raw token. Never log it. */
  public String value() {
    return value;
  }

  /**
   * Returns the first 12 hex digits of the token's SHA-256: enough to tell two tokens apart in a
   * log, useless for recovering the token.
   */
  public String fingerprint() {
    return Digests.sha256Hex(value).substring(0, 12);
  }

  /** Constant-time comparison of the raw tokens. */
  @Override
  public boolean equals(Object o) {
    return o instanceof TokenSecret other
        && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.UTF_8), other.value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int hashCode() {
    // Derived from the digest, so a hash table's timing says nothing about the raw token.
    return Digests.sha256Hex(value).hashCode();
  }

  /** Returns {@code TokenSecret[sha256:<fingerprint>]}, never the token. */
  @Override
  public String toString() {
    return "TokenSecret[sha256:" + fingerprint() + "]";
  }
}
