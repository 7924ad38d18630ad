package dev.oidcsession.servlet;

import dev.oidcsession.core.StoreKey;
import dev.oidcsession.core.StoredEntry;
import dev.oidcsession.core.internal.Digests;
import dev.oidcsession.core.internal.Jwe;
import dev.oidcsession.core.oidc.PendingLogin;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
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
  private static final byte[] CONSUMED_LABEL =
      "oidc-session/v1/consumed-state".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CONSUMED_VALUE = {1};

  private final SecretKey key;
  private final byte[] consumedKey;
  private final Duration maxAge;
  private final String namePrefix;

  /**
   * @param secret the configured secret material (any length; 32 bytes or more recommended)
   * @param secureCookies whether names take the {@code __Host-} prefix
   * @param maxAge how long a pending login may be completed ({@code pendingLoginMaxAge})
   */
  PendingLoginCookies(byte[] secret, boolean secureCookies, Duration maxAge) {
    this.key = new SecretKeySpec(Digests.hmacSha256(secret, LABEL), "AES");
    this.consumedKey = Digests.hmacSha256(secret, CONSUMED_LABEL);
    this.maxAge = maxAge;
    this.namePrefix = (secureCookies ? "__Host-" : "") + "oidc-login-";
  }

  /** The cookie name for the login whose {@code state} is given. */
  String name(String state) {
    return namePrefix + Digests.sha256Hex(state).substring(0, 16);
  }

  /**
   * The store entry that marks the login of {@code pending} as completed on every node that shares
   * the store: its key is a keyed hash of the {@code state} under its own label (a copy of the
   * store reveals no state, and no session key can collide with it), it holds one byte and no
   * index, and it expires when the pending login could no longer be completed anyway. Inserting
   * it is the "first callback wins" test: an insert conflict means the state was consumed.
   *
   * @return the marker, or empty when the pending login is already too old at {@code now} (the
   *     protocol client refuses it before any token request, so nothing needs marking)
   */
  Optional<StoredEntry> consumedMarker(PendingLogin pending, Instant now) {
    Instant until = pending.createdAt().plus(maxAge);
    if (!until.isAfter(now)) {
      return Optional.empty();
    }
    StoreKey storeKey = new StoreKey(Digests.base64Url(Digests.hmacSha256(consumedKey,
        pending.state().value().getBytes(StandardCharsets.UTF_8))));
    return Optional.of(new StoredEntry(storeKey, CONSUMED_VALUE, 1, until, Set.of()));
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
