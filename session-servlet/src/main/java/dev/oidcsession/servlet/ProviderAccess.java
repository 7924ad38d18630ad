package dev.oidcsession.servlet;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import dev.oidcsession.core.oidc.OidcClient;
import dev.oidcsession.core.oidc.OidcClientConfig;
import dev.oidcsession.core.oidc.OidcClientConfig.ClientAuthMethod;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;

/**
 * How the filter talks to the provider: which client authentication a configuration means, the
 * rules between the method and its secret or key, their mapping onto {@link OidcClientConfig},
 * and the HTTP client with the renewal rules applied. Stateless.
 */
final class ProviderAccess {

  private ProviderAccess() {}

  /** The method given, else {@code private_key_jwt} with a key, {@code client_secret_basic} with a secret, else {@code none}. */
  static ClientAuthMethod method(ClientAuthMethod given, boolean secret, boolean key) {
    if (given != null) {
      return given;
    }
    return key ? ClientAuthMethod.PRIVATE_KEY_JWT
        : secret ? ClientAuthMethod.CLIENT_SECRET_BASIC : ClientAuthMethod.NONE;
  }

  /** The rules between the method, the secret, the key and its id; an {@link IllegalStateException} names the first broken one. */
  static void checkAuthentication(ClientAuthMethod clientAuthMethod, String clientSecret,
      JWK clientKey, String clientKeyId) {
    ClientAuthMethod method = clientAuthMethod;
    boolean secretMethod = method == ClientAuthMethod.CLIENT_SECRET_BASIC
        || method == ClientAuthMethod.CLIENT_SECRET_POST;
    String name = method == null ? null : method.name().toLowerCase(Locale.ROOT);
    if (method != null && !secretMethod && clientSecret != null) {
      throw new IllegalStateException("clientSecret must not be set for " + name + ", but was");
    }
    if (method != null && method != ClientAuthMethod.PRIVATE_KEY_JWT && clientKey != null) {
      throw new IllegalStateException("clientKey must not be set for " + name + ", but was");
    }
    if (secretMethod && clientSecret == null) {
      throw new IllegalStateException(
          "clientSecret (OIDC_CLIENT_SECRET) must be set for " + name + ", but was not");
    }
    if (method == ClientAuthMethod.PRIVATE_KEY_JWT && clientKey == null) {
      throw new IllegalStateException(
          "clientKey (OIDC_CLIENT_KEY_FILE) must be set for " + name + ", but was not");
    }
    if (clientKeyId != null && clientKey == null) {
      throw new IllegalStateException("clientKeyId must come with a clientKey"
          + " (OIDC_CLIENT_KEY_FILE), but was set alone");
    }
    if (clientKeyId != null && clientKey.getKeyID() != null
        && !clientKeyId.equals(clientKey.getKeyID())) {
      throw new IllegalStateException("clientKeyId must equal the kid of the clientKey ("
          + clientKey.getKeyID() + "), but was " + clientKeyId);
    }
  }

  /** Sets the client authentication of {@code c}; the secret and key go nowhere else. */
  static void authenticate(OidcClientConfig.Builder c, ClientAuthMethod method, String secret,
      JWK key, String keyId) {
    switch (method) {
      case CLIENT_SECRET_BASIC -> c.clientSecretBasic(secret);
      case CLIENT_SECRET_POST -> c.clientSecretPost(secret);
      case PRIVATE_KEY_JWT -> c.privateKeyJwt(withKeyId(key, keyId));
      case NONE -> c.publicClient();
    }
  }

  /** The key with {@code kid} = the given id, else its own, else its RFC 7638 thumbprint. */
  private static JWK withKeyId(JWK key, String keyId) {
    String kid = keyId != null ? keyId : key.getKeyID();
    try {
      if (kid == null) {
        kid = key.computeThumbprint().toString(); // RFC 7638
      }
      if (key instanceof RSAKey rsa) {
        return new RSAKey.Builder(rsa).keyID(kid).build();
      }
      return new ECKey.Builder((ECKey) key).keyID(kid).build();
    } catch (JOSEException e) {
      throw new IllegalStateException("clientKey must allow an RFC 7638 thumbprint, but did not", e);
    }
  }

  /**
   * The caller's client (or the library's default) with the renewal rules applied: no silent
   * retries (a re-sent refresh would spend a rotating refresh token twice), no redirects (a token
   * request must not carry credentials elsewhere), and a call timeout shorter than the renewal
   * lease, so a renewal ends before another node may take the lease over.
   */
  static OkHttpClient httpClient(OkHttpClient given, Duration lease) {
    OkHttpClient base = given != null ? given : OidcClient.defaultHttpClient();
    Duration timeout;
    if (given != null && given.callTimeoutMillis() > 0) {
      timeout = Duration.ofMillis(given.callTimeoutMillis());
      if (timeout.compareTo(lease) >= 0) {
        throw new IllegalStateException("httpClient callTimeout must be shorter than the policy's"
            + " renewalLease (" + lease + "), but was " + timeout);
      }
    } else {
      Duration half = lease.dividedBy(2);
      timeout = OidcSessionConfig.DEFAULT_CALL_TIMEOUT.compareTo(half) < 0 ? OidcSessionConfig.DEFAULT_CALL_TIMEOUT : half;
    }
    return base.newBuilder()
        .retryOnConnectionFailure(false)
        .followRedirects(false)
        .followSslRedirects(false)
        .callTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .build();
  }
}
