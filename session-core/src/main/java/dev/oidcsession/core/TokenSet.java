package dev.oidcsession.core;

import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import java.util.Optional;

/**
 * The tokens of one login, after validation: what a session holds and what a renewal replaces.
 *
 * <p>Every component prints safely: tokens are {@link TokenSecret}s and the ID token prints its
 * claims' fingerprint, so this record's generated {@code toString()} holds no secret.
 *
 * @param accessToken the access token
 * @param accessTokenExpiresAt when the access token expires (wall time), or empty when neither
 *     its JWT {@code exp} nor the response's {@code expires_in} says; the ID token then bounds the
 *     session
 * @param idToken the validated ID token
 * @param refreshToken the refresh token, or empty when the provider issued none (the session
 *     then cannot be renewed and lives until its expiry)
 * @param scope the granted scope, space-separated, possibly empty
 */
public record TokenSet(
    TokenSecret accessToken,
    Optional<Instant> accessTokenExpiresAt,
    IdToken idToken,
    Optional<TokenSecret> refreshToken,
    String scope) {

  /** Validates that no component is null. */
  public TokenSet {
    Objects.requireNonNull(accessToken, "accessToken");
    Objects.requireNonNull(accessTokenExpiresAt, "accessTokenExpiresAt");
    Objects.requireNonNull(idToken, "idToken");
    Objects.requireNonNull(refreshToken, "refreshToken");
    Objects.requireNonNull(scope, "scope");
  }

  /**
   * Builds a token set from a token endpoint response.
   *
   * @param accessToken the {@code access_token}
   * @param expiresIn the {@code expires_in}, or {@code null} when the response had none
   * @param idToken the {@code id_token}, already validated
   * @param refreshToken the {@code refresh_token}, or {@code null} when the response had none
   * @param scope the {@code scope}, or {@code null}
   * @param receivedAt when the response arrived (wall time), the origin of {@code expires_in}
   * @return the token set, its access-token expiry computed by {@link #accessTokenExpiry}
   */
  public static TokenSet fromTokenResponse(
      String accessToken,
      Duration expiresIn,
      String idToken,
      String refreshToken,
      String scope,
      Instant receivedAt) {
    return new TokenSet(
        TokenSecret.of(accessToken),
        accessTokenExpiry(accessToken, expiresIn, receivedAt),
        IdToken.parse(idToken),
        Optional.ofNullable(refreshToken).filter(t -> !t.isBlank()).map(TokenSecret::of),
        scope == null ? "" : scope);
  }

  /**
   * When an access token expires: its JWT {@code exp} when it is a readable JWT carrying one,
   * else {@code receivedAt + expiresIn}, else empty.
   *
   * @param accessToken the raw access token (only its claims are read; nothing is verified)
   * @param expiresIn the response's {@code expires_in}, or {@code null}
   * @param receivedAt when the token response arrived (wall time)
   * @return the expiry, or empty when nothing says
   * @throws IllegalArgumentException if {@code expiresIn} is negative
   */
  public static Optional<Instant> accessTokenExpiry(
      String accessToken, Duration expiresIn, Instant receivedAt) {
    Objects.requireNonNull(accessToken, "accessToken");
    Objects.requireNonNull(receivedAt, "receivedAt");
    if (expiresIn != null && expiresIn.isNegative()) {
      throw new IllegalArgumentException("expiresIn must not be negative, but was " + expiresIn);
    }
    Optional<Instant> exp = jwtExpiry(accessToken);
    if (exp.isPresent()) {
      return exp;
    }
    return Optional.ofNullable(expiresIn).map(receivedAt::plus);
  }

  private static Optional<Instant> jwtExpiry(String token) {
    // An opaque token fails to parse; an encrypted JWT parses but its claims are unreadable.
    if (token.chars().filter(c -> c == '.').count() != 2) {
      return Optional.empty();
    }
    try {
      JWT jwt = JWTParser.parse(token);
      Date exp = jwt.getJWTClaimsSet().getExpirationTime();
      return Optional.ofNullable(exp).map(Date::toInstant);
    } catch (ParseException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The {@code iss} of the ID token. */
  public String issuer() {
    return idToken.issuer();
  }

  /** The {@code sub} of the ID token. */
  public String subject() {
    return idToken.subject();
  }
}
