package dev.oidcsession.servlet;

import dev.oidcsession.core.internal.Digests;
import dev.oidcsession.core.internal.Jwe;
import dev.oidcsession.core.oidc.PendingLogin;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The pending login (state, nonce, PKCE verifier, return path) as a cookie: a compact JWE ({@code
 * dir}, {@code A256GCM}) under a key derived from the configured secret, so anonymous visitors write
 * nothing to the store and a login started on one server completes on another. Each login has its
 * own cookie, named after a hash of its {@code state}, so logins started in parallel tabs all
 * complete.
 */
final class PendingLoginCookies {

  private static final byte[] LABEL =
      "oidc-session/v1/pending-login".getBytes(StandardCharsets.US_ASCII);

  private final SecretKey key;
  private final String namePrefix;

  /**
   * @param secret the configured secret material (any length; 32 bytes or more recommended)
   * @param secureCookies whether names take the {@code __Host-} prefix
   */
  PendingLoginCookies(byte[] secret, boolean secureCookies) {
    this.key = new SecretKeySpec(Digests.hmacSha256(secret, LABEL), "AES");
    this.namePrefix = (secureCookies ? "__Host-" : "") + "oidc-login-";
  }

  /** The cookie name for the login whose {@code state} is given. */
  String name(String state) {
    return namePrefix + Digests.sha256Hex(state).substring(0, 16);
  }

  /** Whether {@code cookieName} is one of ours. */
  boolean owns(String cookieName) {
    return cookieName.startsWith(namePrefix);
  }

  String seal(PendingLogin pending) {
    return Jwe.seal(key, pending.encode());
  }

  /** The pending login in {@code cookieValue}, or empty when it does not decrypt or parse. */
  Optional<PendingLogin> open(String cookieValue) {
    try {
      return Jwe.open(key, cookieValue).map(PendingLogin::decode);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
