package dev.oidcsession.core.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import dev.oidcsession.core.TokenSecret;
import java.net.URI;
import java.security.PrivateKey;
import java.util.Objects;

/**
 * How the client authenticates at the token and revocation endpoints (OIDC Core 9): one of four
 * methods, each holding exactly what it needs. The secret and key never appear in {@code
 * toString()}. Immutable and thread-safe.
 */
sealed interface ClientAuthentication {

  /** The method, whose {@link OidcClientConfig.ClientAuthMethod#registeredName()} is its name. */
  OidcClientConfig.ClientAuthMethod method();

  /**
   * The nimbus authentication for one request, or {@code null} for {@link None} (the request then
   * carries {@code client_id} only). {@code audience} is the {@code aud} of a client assertion:
   * the token endpoint, for every request (OIDC Core 9), revocation included.
   *
   * @throws OidcException {@link OidcException.Reason#CLIENT_MISCONFIGURED} if a client assertion
   *     cannot be signed
   */
  com.nimbusds.oauth2.sdk.auth.ClientAuthentication forRequest(ClientID clientId, URI audience)
      throws OidcException;

  /** HTTP Basic with the client secret (RFC 6749 §2.3.1). */
  record SecretBasic(TokenSecret secret) implements ClientAuthentication {
    public SecretBasic {
      Objects.requireNonNull(secret, "secret");
    }

    @Override
    public OidcClientConfig.ClientAuthMethod method() {
      return OidcClientConfig.ClientAuthMethod.CLIENT_SECRET_BASIC;
    }

    @Override
    public com.nimbusds.oauth2.sdk.auth.ClientAuthentication forRequest(
        ClientID clientId, URI endpoint) {
      return new ClientSecretBasic(clientId, new Secret(secret.value()));
    }

    @Override
    public String toString() {
      return method().registeredName();
    }
  }

  /** The client secret in the form body (RFC 6749 §2.3.1). */
  record SecretPost(TokenSecret secret) implements ClientAuthentication {
    public SecretPost {
      Objects.requireNonNull(secret, "secret");
    }

    @Override
    public OidcClientConfig.ClientAuthMethod method() {
      return OidcClientConfig.ClientAuthMethod.CLIENT_SECRET_POST;
    }

    @Override
    public com.nimbusds.oauth2.sdk.auth.ClientAuthentication forRequest(
        ClientID clientId, URI endpoint) {
      return new ClientSecretPost(clientId, new Secret(secret.value()));
    }

    @Override
    public String toString() {
      return method().registeredName();
    }
  }

  /**
   * A JWT signed with the client's private key (OIDC Core 9, RFC 7523): {@code iss} = {@code sub}
   * = {@code client_id}, {@code aud} = the endpoint, a fresh {@code jti}.
   */
  record PrivateKeyJwt(JWK key, JWSAlgorithm algorithm) implements ClientAuthentication {
    public PrivateKeyJwt {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(algorithm, "algorithm");
    }

    /**
     * The key's signing algorithm: RS256 for a private RSA key, ES256/384/512 for a private EC key
     * on P-256/384/521; the key must carry a {@code kid}.
     *
     * @throws IllegalArgumentException (house message, named {@code privateKeyJwt}) otherwise
     */
    static PrivateKeyJwt of(JWK key) {
      Objects.requireNonNull(key, "privateKeyJwt");
      JWSAlgorithm alg;
      if (key instanceof RSAKey rsa && rsa.isPrivate()) {
        alg = JWSAlgorithm.RS256;
      } else if (key instanceof ECKey ec && ec.isPrivate()) {
        Curve curve = ec.getCurve();
        if (Curve.P_256.equals(curve)) {
          alg = JWSAlgorithm.ES256;
        } else if (Curve.P_384.equals(curve)) {
          alg = JWSAlgorithm.ES384;
        } else if (Curve.P_521.equals(curve)) {
          alg = JWSAlgorithm.ES512;
        } else {
          throw new IllegalArgumentException(
              "privateKeyJwt must be an EC key on P-256, P-384 or P-521, but was on " + curve);
        }
      } else {
        throw new IllegalArgumentException(
            "privateKeyJwt must be a private RSA or EC key, but was a "
                + (key.isPrivate() ? "private " : "public ")
                + key.getKeyType()
                + " key");
      }
      if (key.getKeyID() == null || key.getKeyID().isBlank()) {
        throw new IllegalArgumentException("privateKeyJwt must carry a kid, but had none");
      }
      return new PrivateKeyJwt(key, alg);
    }

    @Override
    public OidcClientConfig.ClientAuthMethod method() {
      return OidcClientConfig.ClientAuthMethod.PRIVATE_KEY_JWT;
    }

    @Override
    public com.nimbusds.oauth2.sdk.auth.ClientAuthentication forRequest(
        ClientID clientId, URI audience) throws OidcException {
      try {
        PrivateKey privateKey =
            JWSAlgorithm.Family.RSA.contains(algorithm)
                ? key.toRSAKey().toPrivateKey()
                : key.toECKey().toPrivateKey();
        return new PrivateKeyJWT(clientId, audience, algorithm, privateKey, key.getKeyID(), null);
      } catch (JOSEException e) {
        throw new OidcException(
            OidcException.Reason.CLIENT_MISCONFIGURED,
            "private_key_jwt client assertion could not be signed: " + e.getClass().getSimpleName(),
            null,
            null);
      }
    }

    @Override
    public String toString() {
      return method().registeredName() + "(kid=" + key.getKeyID() + ")";
    }
  }

  /** No client authentication: a public client, protected by PKCE only (RFC 7636). */
  record None() implements ClientAuthentication {
    @Override
    public OidcClientConfig.ClientAuthMethod method() {
      return OidcClientConfig.ClientAuthMethod.NONE;
    }

    @Override
    public com.nimbusds.oauth2.sdk.auth.ClientAuthentication forRequest(
        ClientID clientId, URI endpoint) {
      return null;
    }

    @Override
    public String toString() {
      return method().registeredName();
    }
  }
}
