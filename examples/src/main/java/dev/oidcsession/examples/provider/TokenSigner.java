package dev.oidcsession.examples.provider;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.util.Optional;
import java.util.UUID;

/**
 * The provider's one signing key (RSA 2048, generated at start, never persisted) and the only
 * place that signs or verifies. Thread-safe: the key is immutable and each call makes its own
 * signer.
 */
final class TokenSigner {

  /** RFC 9068 §2.1: the media type of a JWT access token. */
  static final JOSEObjectType ACCESS_TOKEN_TYPE = new JOSEObjectType("at+jwt");

  /** OIDC Back-Channel Logout 1.0 §2.4: the explicit type of a logout token. */
  static final JOSEObjectType LOGOUT_TOKEN_TYPE = new JOSEObjectType("logout+jwt");

  static final int KEY_SIZE = 2048;

  private final RSAKey key;

  private TokenSigner(RSAKey key) {
    this.key = key;
  }

  /** A signer with a fresh key and a random {@code kid}. */
  static TokenSigner generate() {
    try {
      return new TokenSigner(
          new RSAKeyGenerator(KEY_SIZE)
              .keyID(UUID.randomUUID().toString())
              .keyUse(KeyUse.SIGNATURE)
              .algorithm(JWSAlgorithm.RS256)
              .generate());
    } catch (JOSEException e) {
      throw new IllegalStateException("an RSA " + KEY_SIZE + " key could not be generated", e);
    }
  }

  /** The public half, as served at {@code /jwks}. */
  JWKSet publicKeys() {
    return new JWKSet(key.toPublicJWK());
  }

  /** Signs {@code claims} with RS256 and this key's {@code kid}, with header {@code typ}. */
  String sign(JWTClaimsSet claims, JOSEObjectType type) {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(type).build(),
            claims);
    try {
      jwt.sign(new RSASSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("a token could not be signed", e);
    }
    return jwt.serialize();
  }

  /**
   * The claims of {@code jwt} if this key signed it with RS256; nothing else is checked (an
   * expired ID token is still a valid {@code id_token_hint}, RP-Initiated Logout 1.0 §2).
   */
  Optional<JWTClaimsSet> verified(JWT jwt) {
    if (!(jwt instanceof SignedJWT signed)
        || !JWSAlgorithm.RS256.equals(signed.getHeader().getAlgorithm())) {
      return Optional.empty();
    }
    try {
      return signed.verify(new RSASSAVerifier(key.toRSAPublicKey()))
          ? Optional.of(signed.getJWTClaimsSet())
          : Optional.empty();
    } catch (JOSEException | java.text.ParseException e) {
      return Optional.empty();
    }
  }
}
