package dev.oidcsession.core.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.claims.LogoutTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.validators.AccessTokenValidator;
import com.nimbusds.openid.connect.sdk.validators.InvalidHashException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The claim checks of ID tokens (OIDC Core 3.1.3.7, with nimbus's validator plus {@code azp} and
 * {@code at_hash}) and back-channel logout tokens (OIDC Back-Channel Logout 1.0 §2.6, with {@code
 * iat} and one-time {@code jti}). Rejection messages never quote a claim that could be a secret.
 * Thread-safe.
 */
final class TokenValidation {

  private static final Logger log = LoggerFactory.getLogger(TokenValidation.class);

  private final OidcClientConfig config;
  private final ProviderCache providers;
  private final ReplayCache replays;

  TokenValidation(OidcClientConfig config, ProviderCache providers, ReplayCache replays) {
    this.config = config;
    this.providers = providers;
    this.replays = replays;
  }

  /**
   * Validates an ID token: signature, {@code iss}, {@code aud}, {@code exp}, {@code iat}, {@code
   * nonce} when given, {@code azp}, {@code at_hash} when present.
   *
   * @throws OidcException {@link OidcException.Reason#INVALID_ID_TOKEN}, or {@link
   *     OidcException.Reason#PROVIDER_UNAVAILABLE} if the keys cannot be fetched
   */
  void validateIdToken(JWT idToken, Nonce nonce, AccessToken accessToken) throws OidcException {
    IDTokenClaimsSet claims;
    try {
      claims = providers.provider().idTokens().validate(idToken, nonce);
    } catch (BadJOSEException e) {
      throw OidcException.rejected(
          OidcException.Reason.INVALID_ID_TOKEN, "ID token rejected: " + clean(e));
    } catch (JOSEException e) {
      throw keyFailure(e, OidcException.Reason.INVALID_ID_TOKEN, "ID token");
    }
    // OIDC Core 3.1.3.7 steps 4-5: with several audiences azp must be present; if present, it
    // must be our client_id (nimbus reads azp but does not compare it).
    int audiences = claims.getAudience() == null ? 0 : claims.getAudience().size();
    Object azp = claims.getClaim("azp");
    if (audiences > 1 && azp == null) {
      throw OidcException.rejected(
          OidcException.Reason.INVALID_ID_TOKEN,
          "ID token rejected: azp must be present when aud has several values, but was missing");
    }
    if (azp != null && !config.clientId().equals(azp.toString())) {
      throw OidcException.rejected(
          OidcException.Reason.INVALID_ID_TOKEN,
          "ID token rejected: azp must equal the client_id "
              + config.clientId()
              + ", but was "
              + azp);
    }
    // OIDC Core 3.2.2.9 (applied to the code flow as well): at_hash, when present, binds the
    // access token to the ID token.
    if (claims.getAccessTokenHash() != null && accessToken != null) {
      try {
        AccessTokenValidator.validate(
            accessToken,
            ((SignedJWT) idToken).getHeader().getAlgorithm(),
            claims.getAccessTokenHash());
      } catch (InvalidHashException | RuntimeException e) {
        throw OidcException.rejected(
            OidcException.Reason.INVALID_ID_TOKEN,
            "ID token rejected: at_hash must match the access token, but did not");
      }
    }
  }

  /** See {@link OidcClient#validateLogoutToken(String)}. */
  LogoutNotice validateLogoutToken(String logoutToken) throws OidcException {
    JWT jwt;
    try {
      jwt = JWTParser.parse(logoutToken);
    } catch (java.text.ParseException e) {
      throw OidcException.rejected(
          OidcException.Reason.INVALID_LOGOUT_TOKEN,
          "logout token must be a JWT, but could not be parsed");
    }
    LogoutTokenClaimsSet claims;
    try {
      claims = providers.provider().logoutTokens().validate(jwt);
    } catch (BadJOSEException e) {
      throw OidcException.rejected(
          OidcException.Reason.INVALID_LOGOUT_TOKEN, "logout token rejected: " + clean(e));
    } catch (JOSEException e) {
      throw keyFailure(e, OidcException.Reason.INVALID_LOGOUT_TOKEN, "logout token");
    }
    Instant now = config.clock().instant();
    JWTClaimsSet jwtClaims;
    try {
      jwtClaims = claims.toJWTClaimsSet();
    } catch (ParseException e) {
      throw OidcException.rejected(
          OidcException.Reason.INVALID_LOGOUT_TOKEN, "logout token claims unreadable");
    }
    Duration skew = config.validationClockSkew();
    // §2.6 step 4: iat validated as in ID tokens: not in the future beyond the skew.
    Instant iat = jwtClaims.getIssueTime().toInstant();
    if (iat.isAfter(now.plus(skew))) {
      throw OidcException.rejected(
          OidcException.Reason.INVALID_LOGOUT_TOKEN,
          "logout token rejected: iat must not be after now + " + skew + ", but was " + iat);
    }
    // nimbus checks that jti and sub or sid are present, but wraps an empty one only when read
    // (an IllegalArgumentException): read them as strings, and refuse blank ones here.
    String jti = logoutClaim(jwtClaims, "jti")
        .orElseThrow(() -> OidcException.rejected(OidcException.Reason.INVALID_LOGOUT_TOKEN,
            "logout token rejected: jti must be present, but was not"));
    Optional<String> sid = logoutClaim(jwtClaims, "sid");
    Optional<String> sub = logoutClaim(jwtClaims, "sub");
    if (sid.isEmpty() && sub.isEmpty()) {
      throw OidcException.rejected(OidcException.Reason.INVALID_LOGOUT_TOKEN,
          "logout token rejected: sid or sub must be present, but neither was");
    }
    // §2.6 step 9 (and §2.4 jti): a logout token is used once; remember it while it is valid.
    Instant keepUntil = jwtClaims.getExpirationTime().toInstant().plus(skew);
    String issuer = claims.getIssuer().getValue();
    if (!replays.firstUse(issuer, jti, keepUntil)) {
      throw OidcException.rejected(
          OidcException.Reason.INVALID_LOGOUT_TOKEN,
          "logout token rejected: jti must not have been used before, but was replayed");
    }
    return new LogoutNotice(issuer, sid, sub, jti);
  }

  /** A string claim of a logout token, empty when absent; present but blank is refused. */
  private static Optional<String> logoutClaim(JWTClaimsSet claims, String name)
      throws OidcException {
    String value;
    try {
      value = claims.getStringClaim(name);
    } catch (java.text.ParseException e) {
      throw OidcException.rejected(OidcException.Reason.INVALID_LOGOUT_TOKEN,
          "logout token rejected: " + name + " must be a string, but was not");
    }
    if (value != null && value.isBlank()) {
      throw OidcException.rejected(OidcException.Reason.INVALID_LOGOUT_TOKEN,
          "logout token rejected: " + name + " must not be blank, but was");
    }
    return Optional.ofNullable(value);
  }

  /** Forgets a validated logout token's {@code jti}, so the provider's retry is accepted. */
  void forgetLogoutToken(LogoutNotice notice) {
    replays.forget(notice.issuer(), notice.jwtId());
  }

  /** A nimbus rejection message without any claim value that could be a secret (the nonce). */
  private static String clean(Exception e) {
    String message = String.valueOf(e.getMessage());
    // IDTokenClaimsVerifier quotes the token's nonce after "nonce (nonce) claim".
    if (message.contains("nonce (nonce) claim")) {
      return message.contains("Missing")
          ? "nonce must be present, but was missing"
          : "nonce must equal the login's nonce, but did not";
    }
    return message;
  }

  private OidcException keyFailure(JOSEException e, OidcException.Reason invalid, String what) {
    if (e instanceof KidStrictKeySelector.AmbiguousKeyException) {
      return OidcException.rejected(invalid, what + " rejected: " + e.getMessage());
    }
    if (causedBy(e, RateLimitReachedException.class)) {
      // The cause marks it for renew(): a rate-limited refetch is no proof of forgery.
      String message =
          what
              + " rejected: no provider key matches its kid, and the key set was refetched less than "
              + config.jwksRefetchMinInterval()
              + " ago";
      log.debug("{}: {}", invalid, message);
      return new OidcException(invalid, message, null, e);
    }
    if (e instanceof KeySourceException) {
      log.warn("provider keys could not be fetched: {}", e.toString());
      return new OidcException(
          OidcException.Reason.PROVIDER_UNAVAILABLE,
          "provider keys could not be fetched to verify the " + what,
          null,
          e);
    }
    return OidcException.rejected(invalid, what + " rejected: " + e.getClass().getSimpleName());
  }

  /** Whether {@code type} is in {@code e}'s cause chain. */
  static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
