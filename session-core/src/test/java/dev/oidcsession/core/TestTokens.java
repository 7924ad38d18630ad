package dev.oidcsession.core;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds token sets for tests. Tokens are signed JWTs (HS256 under a fixed test key: the core only
 * reads claims), each with a distinctive marker so that a test can check a token never leaks.
 */
public final class TestTokens {

  public static final String ISSUER = "https://issuer.example.test";
  public static final String CLIENT = "client-1";
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
  private static final AtomicInteger SERIAL = new AtomicInteger();

  private TestTokens() {}

  /** An ID token for {@code subject}, expiring at {@code exp}. */
  public static String idToken(String subject, String sid, Instant issuedAt, Instant exp) {
    return idToken(subject, sid, List.of(CLIENT), issuedAt, exp, 0);
  }

  /** An ID token with a padding claim so its compact form is about {@code padTo} characters. */
  public static String idToken(
      String subject, String sid, List<String> audience, Instant issuedAt, Instant exp, int padTo) {
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .subject(subject)
            .audience(audience)
            .issueTime(Date.from(issuedAt))
            .expirationTime(Date.from(exp))
            .claim("serial", "id-secret-" + SERIAL.incrementAndGet());
    if (sid != null) {
      claims.claim("sid", sid);
    }
    return sign(claims, padTo);
  }

  /** A JWT access token expiring at {@code exp}. */
  public static String jwtAccessToken(Instant exp, int padTo) {
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .subject("user-1")
            .expirationTime(Date.from(exp))
            .claim("serial", "at-secret-" + SERIAL.incrementAndGet());
    return sign(claims, padTo);
  }

  /** An opaque access token. */
  public static String opaqueAccessToken() {
    return "opaque-at-secret-" + SERIAL.incrementAndGet();
  }

  /** A refresh token. */
  public static String refreshToken() {
    return "rt-secret-" + SERIAL.incrementAndGet();
  }

  /**
   * A token set as a login at {@code now} would give: JWT access token valid for {@code
   * accessLife}, ID token for {@code idLife}, a refresh token.
   */
  public static TokenSet tokens(String subject, Instant now, Duration accessLife, Duration idLife) {
    return TokenSet.fromTokenResponse(
        jwtAccessToken(now.plus(accessLife), 0),
        accessLife,
        idToken(subject, "sid-" + subject, now, now.plus(idLife)),
        refreshToken(),
        "openid profile",
        now);
  }

  /** The same, without a refresh token. */
  public static TokenSet tokensWithoutRefresh(
      String subject, Instant now, Duration accessLife, Duration idLife) {
    return TokenSet.fromTokenResponse(
        jwtAccessToken(now.plus(accessLife), 0),
        accessLife,
        idToken(subject, "sid-" + subject, now, now.plus(idLife)),
        null,
        "openid",
        now);
  }

  private static String sign(JWTClaimsSet.Builder claims, int padTo) {
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
      jwt.sign(new MACSigner(KEY));
      int missing = padTo - jwt.serialize().length();
      if (missing > 0) {
        // base64url grows 4/3; pad the claims so the compact form reaches padTo.
        claims.claim("pad", "x".repeat(missing * 3 / 4));
        jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        jwt.sign(new MACSigner(KEY));
      }
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }
}
