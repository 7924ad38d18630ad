package dev.oidcsession.core;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One login session: the tokens and the times that govern them. Immutable; the manager replaces
 * the stored session as a whole (compare-and-set on {@link #version()}).
 *
 * <p>All times are wall-clock {@link Instant}s from the manager's {@link java.time.Clock}, with
 * millisecond precision. The generated {@code toString()} holds no secret: the tokens print as
 * fingerprints.
 *
 * @param key the store key (derived from the cookie value, which the session does not hold)
 * @param tokens the current tokens
 * @param sid the provider's session id ({@code sid}, OIDC Back-Channel Logout 1.0 section 2.4) of
 *     the login, kept across renewals whatever the refreshed ID tokens carry, so that a
 *     back-channel logout by that {@code sid} always finds the session; taken from the first
 *     refreshed ID token that has one when the login's had none; empty when no ID token had one
 * @param createdAt when the user logged in
 * @param renewedAt when the tokens were last obtained (at login, then at each renewal)
 * @param lastSeenAt the last request recorded for the idle timeout (written at most once per
 *     tenth of the idle timeout)
 * @param expiresAt when the session ends: {@code min(access token expiry, ID token expiry,
 *     createdAt + maxLifetime)}
 * @param renewAt when a renewal becomes due; fixed when the tokens are obtained
 * @param version the store's compare-and-set version
 * @param attributes a few application strings stored with the session, unmodifiable
 */
public record Session(
    StoreKey key,
    TokenSet tokens,
    Optional<String> sid,
    Instant createdAt,
    Instant renewedAt,
    Instant lastSeenAt,
    Instant expiresAt,
    Instant renewAt,
    long version,
    Map<String, String> attributes) {

  /** Validates the order of the times and copies the attributes. */
  public Session {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(tokens, "tokens");
    Objects.requireNonNull(sid, "sid");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(renewedAt, "renewedAt");
    Objects.requireNonNull(lastSeenAt, "lastSeenAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(renewAt, "renewAt");
    attributes = Map.copyOf(attributes);
    if (renewedAt.isBefore(createdAt)) {
      throw new IllegalArgumentException(
          "renewedAt must not be before createdAt " + createdAt + ", but was " + renewedAt);
    }
    if (renewAt.isAfter(expiresAt)) {
      throw new IllegalArgumentException(
          "renewAt must not be after expiresAt " + expiresAt + ", but was " + renewAt);
    }
    if (version < 1) {
      throw new IllegalArgumentException("version must be at least 1, but was " + version);
    }
  }

  /**
   * A session whose {@code sid} is its ID token's: a new login's session.
   *
   * @see #Session(StoreKey, TokenSet, Optional, Instant, Instant, Instant, Instant, Instant, long,
   *     Map)
   */
  public Session(StoreKey key, TokenSet tokens, Instant createdAt, Instant renewedAt,
      Instant lastSeenAt, Instant expiresAt, Instant renewAt, long version,
      Map<String, String> attributes) {
    this(key, tokens, tokens.idToken().sid(), createdAt, renewedAt, lastSeenAt, expiresAt, renewAt,
        version, attributes);
  }

  /** This session seen by a request at {@code at}: {@code lastSeenAt} moved, the version bumped. */
  Session seenAt(Instant at) {
    return new Session(key, tokens, sid, createdAt, renewedAt, at, expiresAt, renewAt, version + 1,
        attributes);
  }

  /** This session at another store version, nothing else changed. */
  Session atVersion(long storeVersion) {
    return new Session(key, tokens, sid, createdAt, renewedAt, lastSeenAt, expiresAt, renewAt,
        storeVersion, attributes);
  }

  /**
   * This session with renewed tokens obtained at {@code renewedAt}, and the times that follow from
   * them; {@code lastSeenAt} kept, the version bumped.
   */
  Session renewed(TokenSet tokens, Instant renewedAt, Instant expiresAt, Instant renewAt) {
    // Review #2: the login's sid stays, so a back-channel logout by it still finds the session.
    Optional<String> keptSid = sid.isPresent() ? sid : tokens.idToken().sid();
    return new Session(key, tokens, keptSid, createdAt, renewedAt, lastSeenAt, expiresAt, renewAt,
        version + 1, attributes);
  }

  /**
   * This session renewed no more: {@code renewAt} moved to {@code expiresAt}, the version bumped
   * (its refresh token was refused after the provider may have rotated it).
   */
  Session renewingNoMore() {
    return new Session(key, tokens, sid, createdAt, renewedAt, lastSeenAt, expiresAt, expiresAt,
        version + 1, attributes);
  }

  /** The {@code iss} of the ID token. */
  public String issuer() {
    return tokens.issuer();
  }

  /** The {@code sub} of the ID token: who is logged in. */
  public String subject() {
    return tokens.subject();
  }

  /** Whether this session can be renewed: it has a refresh token. */
  public boolean renewable() {
    return tokens.refreshToken().isPresent();
  }

  /** The access token's expiry, or {@link #expiresAt()} when the token does not say. */
  public Instant accessTokenExpiresAt() {
    return tokens.accessTokenExpiresAt().orElse(expiresAt);
  }
}
