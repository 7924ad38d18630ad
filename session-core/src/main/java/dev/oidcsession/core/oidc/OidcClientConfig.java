package dev.oidcsession.core.oidc;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import dev.oidcsession.core.TokenSecret;
import dev.oidcsession.core.internal.WebUrls;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The settings of one relying party at one provider: who the provider is, who we are, how we
 * authenticate, and how strictly tokens are checked. Immutable and thread-safe; build it with
 * {@link #builder()}.
 *
 * <p>Every setter checks its own value at once ({@link IllegalArgumentException}, message {@code
 * <setting> must be <rule>, but was <value>}, secrets never echoed) and may be called once ({@link
 * IllegalStateException}); {@link Builder#build()} checks only the rules that span settings. {@link
 * #toString()} never prints a secret or a private key.
 */
public final class OidcClientConfig {

  /**
   * How the client authenticates at the token and revocation endpoints (OIDC Core 9), named in
   * configuration by its registered {@code token_endpoint_auth_method} (OIDC Registration §2).
   */
  public enum ClientAuthMethod {
    /** HTTP Basic with the client secret (RFC 6749 §2.3.1); the default for confidential clients. */
    CLIENT_SECRET_BASIC("client_secret_basic"),
    /** The client secret in the form body (RFC 6749 §2.3.1). */
    CLIENT_SECRET_POST("client_secret_post"),
    /** A JWT signed with the client's private key (OIDC Core 9, RFC 7523). */
    PRIVATE_KEY_JWT("private_key_jwt"),
    /** No client authentication: a public client, protected by PKCE only (RFC 7636). */
    NONE("none");

    private final String registeredName;

    ClientAuthMethod(String registeredName) {
      this.registeredName = registeredName;
    }

    /** The registered {@code token_endpoint_auth_method} name, e.g. {@code client_secret_basic}. */
    public String registeredName() {
      return registeredName;
    }
  }


  /** Default {@link Builder#validationClockSkew}: 60 seconds. */
  public static final Duration DEFAULT_VALIDATION_CLOCK_SKEW = Duration.ofSeconds(60);
  /** Largest {@link Builder#validationClockSkew}: 5 minutes. */
  public static final Duration MAX_VALIDATION_CLOCK_SKEW = Duration.ofMinutes(5);
  /** Default {@link Builder#jwksCacheTtl}: 5 minutes. */
  public static final Duration DEFAULT_JWKS_CACHE_TTL = Duration.ofMinutes(5);
  /** Default {@link Builder#jwksRefetchMinInterval}: 30 seconds. */
  public static final Duration DEFAULT_JWKS_REFETCH_MIN_INTERVAL = Duration.ofSeconds(30);
  /** Smallest {@link Builder#jwksCacheTtl} and {@link Builder#jwksRefetchMinInterval}: 1 second. */
  public static final Duration MIN_JWKS_INTERVAL = Duration.ofSeconds(1);
  /** Default {@link Builder#pendingLoginMaxAge}: 10 minutes. */
  public static final Duration DEFAULT_PENDING_LOGIN_MAX_AGE = Duration.ofMinutes(10);
  /** Largest {@link Builder#pendingLoginMaxAge}: 1 hour. */
  public static final Duration MAX_PENDING_LOGIN_MAX_AGE = Duration.ofHours(1);

  /**
   * Default {@link Builder#allowedSigningAlgorithms}: the asymmetric RSA, RSA-PSS and ECDSA
   * algorithms. Never {@code none}, never HMAC: a public key must not double as a shared secret.
   */
  public static final Set<JWSAlgorithm> DEFAULT_SIGNING_ALGORITHMS =
      Collections.unmodifiableSet(
          new LinkedHashSet<>(
              Arrays.asList(
                  JWSAlgorithm.RS256,
                  JWSAlgorithm.RS384,
                  JWSAlgorithm.RS512,
                  JWSAlgorithm.PS256,
                  JWSAlgorithm.PS384,
                  JWSAlgorithm.PS512,
                  JWSAlgorithm.ES256,
                  JWSAlgorithm.ES384,
                  JWSAlgorithm.ES512)));

  private final URI issuer;
  private final String clientId;
  private final ClientAuthentication clientAuthentication;
  private final URI redirectUri;
  private final Set<String> scopes;
  private final Optional<URI> postLogoutRedirectUri;
  private final Optional<OIDCProviderMetadata> providerMetadata;
  private final Set<JWSAlgorithm> allowedSigningAlgorithms;
  private final Duration validationClockSkew;
  private final Duration jwksCacheTtl;
  private final Duration jwksRefetchMinInterval;
  private final Duration pendingLoginMaxAge;
  private final Clock clock;
  private final SecureRandom secureRandom;

  private OidcClientConfig(Builder b) {
    this.issuer = b.issuer;
    this.clientId = b.clientId;
    this.clientAuthentication = b.clientAuthentication;
    this.redirectUri = b.redirectUri;
    this.scopes = b.scopes != null ? b.scopes : Set.of("openid");
    this.postLogoutRedirectUri = Optional.ofNullable(b.postLogoutRedirectUri);
    this.providerMetadata = Optional.ofNullable(b.providerMetadata);
    this.allowedSigningAlgorithms =
        b.allowedSigningAlgorithms != null ? b.allowedSigningAlgorithms : DEFAULT_SIGNING_ALGORITHMS;
    this.validationClockSkew = Objects.requireNonNullElse(b.validationClockSkew, DEFAULT_VALIDATION_CLOCK_SKEW);
    this.jwksCacheTtl = Objects.requireNonNullElse(b.jwksCacheTtl, DEFAULT_JWKS_CACHE_TTL);
    this.jwksRefetchMinInterval =
        Objects.requireNonNullElse(b.jwksRefetchMinInterval, DEFAULT_JWKS_REFETCH_MIN_INTERVAL);
    this.pendingLoginMaxAge =
        Objects.requireNonNullElse(b.pendingLoginMaxAge, DEFAULT_PENDING_LOGIN_MAX_AGE);
    this.clock = b.clock != null ? b.clock : Clock.systemUTC();
    this.secureRandom = b.secureRandom != null ? b.secureRandom : new SecureRandom();
  }

  /** A builder; {@code issuer}, {@code clientId}, {@code redirectUri} and one client authentication are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The provider's issuer identifier, compared exactly. */
  public URI issuer() {
    return issuer;
  }

  /** The {@code client_id}. */
  public String clientId() {
    return clientId;
  }

  /** How the client authenticates at the token and revocation endpoints. */
  public ClientAuthMethod clientAuthMethod() {
    return clientAuthentication.method();
  }

  ClientAuthentication clientAuthentication() {
    return clientAuthentication;
  }

  /** The {@code redirect_uri} registered at the provider. */
  public URI redirectUri() {
    return redirectUri;
  }

  /** The requested scopes, {@code openid} among them. */
  public Set<String> scopes() {
    return scopes;
  }

  /** Where the provider sends the browser after RP-initiated logout, if set. */
  public Optional<URI> postLogoutRedirectUri() {
    return postLogoutRedirectUri;
  }

  /** Provider metadata given explicitly instead of discovered, if set. */
  public Optional<OIDCProviderMetadata> providerMetadata() {
    return providerMetadata;
  }

  /** The JWS algorithms accepted on ID and logout tokens. */
  public Set<JWSAlgorithm> allowedSigningAlgorithms() {
    return allowedSigningAlgorithms;
  }

  /**
   * The clock skew of token validation: how far the provider's clock may differ from ours when the
   * {@code exp} and {@code iat} of ID tokens (OIDC Core 3.1.3.7) and logout tokens (Back-Channel
   * Logout 1.0 §2.6) are checked, and how long past {@code exp} a logout {@code jti} is remembered.
   * It is not the session's renewal skew ({@code SessionPolicy}).
   */
  public Duration validationClockSkew() {
    return validationClockSkew;
  }

  /** How long fetched provider keys are used before they are fetched again. */
  public Duration jwksCacheTtl() {
    return jwksCacheTtl;
  }

  /** The least time between two key fetches caused by unknown {@code kid}s. */
  public Duration jwksRefetchMinInterval() {
    return jwksRefetchMinInterval;
  }

  /** How long a started login may take before its callback is refused. */
  public Duration pendingLoginMaxAge() {
    return pendingLoginMaxAge;
  }

  /** Wall time for pending-login age, {@code expires_in} and the logout-token replay cache. */
  public Clock clock() {
    return clock;
  }

  SecureRandom secureRandom() {
    return secureRandom;
  }

  /** Issuer, client, method and settings; never the secret or key material. */
  @Override
  public String toString() {
    return "OidcClientConfig[issuer="
        + issuer
        + ", clientId="
        + clientId
        + ", auth="
        + clientAuthentication
        + ", redirectUri="
        + redirectUri
        + ", scopes="
        + scopes
        + ", validationClockSkew="
        + validationClockSkew
        + ", jwksCacheTtl="
        + jwksCacheTtl
        + ", jwksRefetchMinInterval="
        + jwksRefetchMinInterval
        + "]";
  }

  /**
   * Builds an {@link OidcClientConfig}. Each setter validates its value and may be called once;
   * {@link #build()} leaves the builder as it was.
   */
  public static final class Builder {

    private URI issuer;
    private String clientId;
    private ClientAuthentication clientAuthentication;
    private URI redirectUri;
    private Set<String> scopes;
    private URI postLogoutRedirectUri;
    private OIDCProviderMetadata providerMetadata;
    private Set<JWSAlgorithm> allowedSigningAlgorithms;
    private Duration validationClockSkew;
    private Duration jwksCacheTtl;
    private Duration jwksRefetchMinInterval;
    private Duration pendingLoginMaxAge;
    private Clock clock;
    private SecureRandom secureRandom;

    private Builder() {}

    /**
     * The provider's issuer identifier (OIDC Discovery §4.3: compared exactly, so mind the trailing
     * slash). An {@code https} URL without query or fragment; {@code http} only on a loopback host.
     */
    public Builder issuer(String value) {
      Objects.requireNonNull(value, "issuer");
      URI uri;
      try {
        uri = URI.create(value);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("issuer must be a URL, but was " + value);
      }
      WebUrls.requireWebUrl("issuer", uri);
      if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
        throw new IllegalArgumentException(
            "issuer must be a URL without query or fragment, but was " + value);
      }
      issuer = set(issuer, uri, "issuer");
      return this;
    }

    /** The {@code client_id}: not blank. */
    public Builder clientId(String value) {
      Objects.requireNonNull(value, "clientId");
      if (value.isBlank()) {
        throw new IllegalArgumentException("clientId must be non-blank, but was '" + value + "'");
      }
      clientId = set(clientId, value, "clientId");
      return this;
    }

    /** Authenticate with {@code client_secret_basic} (the usual choice for a confidential client). */
    public Builder clientSecretBasic(String secret) {
      return secret(true, secret, "clientSecretBasic");
    }

    /** Authenticate with {@code client_secret_post}. */
    public Builder clientSecretPost(String secret) {
      return secret(false, secret, "clientSecretPost");
    }

    /**
     * Authenticate with {@code private_key_jwt}: {@code key} is an RSA key (signs RS256) or an EC
     * key on P-256, P-384 or P-521 (ES256/384/512), with its private part and a {@code kid}.
     */
    public Builder privateKeyJwt(JWK key) {
      authentication(ClientAuthentication.PrivateKeyJwt.of(key));
      return this;
    }

    /** A public client: no client authentication, PKCE only. */
    public Builder publicClient() {
      authentication(new ClientAuthentication.None());
      return this;
    }

    /** The {@code redirect_uri}: an absolute {@code https} URL ({@code http} on loopback only). */
    public Builder redirectUri(URI value) {
      Objects.requireNonNull(value, "redirectUri");
      WebUrls.requireWebUrl("redirectUri", value);
      if (value.getRawFragment() != null) {
        throw new IllegalArgumentException(
            "redirectUri must be a URL without fragment, but was " + value);
      }
      redirectUri = set(redirectUri, value, "redirectUri");
      return this;
    }

    /** The scopes to request; must include {@code openid}. Default: {@code openid}. */
    public Builder scopes(String... values) {
      Objects.requireNonNull(values, "scopes");
      Set<String> set = new LinkedHashSet<>();
      for (String scope : values) {
        if (scope == null || scope.isBlank() || scope.contains(" ")) {
          throw new IllegalArgumentException(
              "scopes must be non-blank single tokens, but was " + Arrays.toString(values));
        }
        set.add(scope);
      }
      if (!set.contains("openid")) {
        throw new IllegalArgumentException(
            "scopes must include openid, but was " + Arrays.toString(values));
      }
      scopes = set(scopes, Collections.unmodifiableSet(set), "scopes");
      return this;
    }

    /** The {@code post_logout_redirect_uri} sent on RP-initiated logout. Default: none. */
    public Builder postLogoutRedirectUri(URI value) {
      Objects.requireNonNull(value, "postLogoutRedirectUri");
      WebUrls.requireWebUrl("postLogoutRedirectUri", value);
      postLogoutRedirectUri = set(postLogoutRedirectUri, value, "postLogoutRedirectUri");
      return this;
    }

    /**
     * Provider metadata to use instead of discovery; its issuer must equal {@link #issuer}
     * (checked by {@link #build()}) and it must name a {@code jwks_uri}.
     */
    public Builder providerMetadata(OIDCProviderMetadata value) {
      Objects.requireNonNull(value, "providerMetadata");
      if (value.getJWKSetURI() == null) {
        throw new IllegalArgumentException(
            "providerMetadata must name a jwks_uri, but had none (issuer " + value.getIssuer() + ")");
      }
      providerMetadata = set(providerMetadata, value, "providerMetadata");
      return this;
    }

    /**
     * The JWS algorithms accepted on ID and logout tokens: asymmetric only. Default: {@link
     * #DEFAULT_SIGNING_ALGORITHMS}.
     */
    public Builder allowedSigningAlgorithms(Set<JWSAlgorithm> values) {
      Objects.requireNonNull(values, "allowedSigningAlgorithms");
      if (values.isEmpty()) {
        throw new IllegalArgumentException("allowedSigningAlgorithms must be non-empty, but was []");
      }
      for (JWSAlgorithm alg : values) {
        boolean asymmetric =
            JWSAlgorithm.Family.RSA.contains(alg)
                || JWSAlgorithm.Family.EC.contains(alg)
                || JWSAlgorithm.Family.ED.contains(alg);
        if (!asymmetric) {
          throw new IllegalArgumentException(
              "allowedSigningAlgorithms must be asymmetric JWS algorithms (RSA, RSA-PSS, ECDSA,"
                  + " EdDSA), but was "
                  + values);
        }
      }
      allowedSigningAlgorithms =
          set(
              allowedSigningAlgorithms,
              Collections.unmodifiableSet(new LinkedHashSet<>(values)),
              "allowedSigningAlgorithms");
      return this;
    }

    /**
     * The clock skew of token validation (see {@link OidcClientConfig#validationClockSkew()}): 0
     * to 5 minutes. Default: 60 seconds.
     */
    public Builder validationClockSkew(Duration value) {
      Objects.requireNonNull(value, "validationClockSkew");
      if (value.isNegative() || value.compareTo(MAX_VALIDATION_CLOCK_SKEW) > 0) {
        throw new IllegalArgumentException(
            "validationClockSkew must be between PT0S and " + MAX_VALIDATION_CLOCK_SKEW + ", but was " + value);
      }
      validationClockSkew = set(validationClockSkew, value, "validationClockSkew");
      return this;
    }

    /** How long provider keys are cached: at least 1 second. Default: 5 minutes. */
    public Builder jwksCacheTtl(Duration value) {
      jwksCacheTtl = set(jwksCacheTtl, atLeast("jwksCacheTtl", value, MIN_JWKS_INTERVAL), "jwksCacheTtl");
      return this;
    }

    /**
     * The least time between key refetches caused by unknown {@code kid}s: at least 1 second, and
     * less than {@link #jwksCacheTtl} (checked by {@link #build()}). Default: 30 seconds.
     */
    public Builder jwksRefetchMinInterval(Duration value) {
      jwksRefetchMinInterval =
          set(
              jwksRefetchMinInterval,
              atLeast("jwksRefetchMinInterval", value, MIN_JWKS_INTERVAL),
              "jwksRefetchMinInterval");
      return this;
    }

    /** How long a login may take, from its start to its callback: (0, 1 hour]. Default: 10 minutes. */
    public Builder pendingLoginMaxAge(Duration value) {
      Objects.requireNonNull(value, "pendingLoginMaxAge");
      if (value.isNegative()
          || value.isZero()
          || value.compareTo(MAX_PENDING_LOGIN_MAX_AGE) > 0) {
        throw new IllegalArgumentException(
            "pendingLoginMaxAge must be greater than PT0S and at most "
                + MAX_PENDING_LOGIN_MAX_AGE
                + ", but was "
                + value);
      }
      pendingLoginMaxAge = set(pendingLoginMaxAge, value, "pendingLoginMaxAge");
      return this;
    }

    /** Wall time for our own time rules. Default: {@link Clock#systemUTC()}. */
    public Builder clock(Clock value) {
      clock = set(clock, Objects.requireNonNull(value, "clock"), "clock");
      return this;
    }

    /** Randomness for {@code state}, {@code nonce} and the PKCE verifier. Default: a new {@link SecureRandom}. */
    public Builder secureRandom(SecureRandom value) {
      secureRandom = set(secureRandom, Objects.requireNonNull(value, "secureRandom"), "secureRandom");
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @throws IllegalStateException if a required setting is missing, the explicit provider
     *     metadata names another issuer, or {@code jwksRefetchMinInterval} is not less than {@code
     *     jwksCacheTtl}
     */
    public OidcClientConfig build() {
      requireSet(issuer, "issuer");
      requireSet(clientId, "clientId");
      requireSet(redirectUri, "redirectUri");
      requireSet(clientAuthentication, "client authentication");
      if (providerMetadata != null
          && !providerMetadata.getIssuer().getValue().equals(issuer.toString())) {
        throw new IllegalStateException(
            "providerMetadata issuer must equal issuer "
                + issuer
                + ", but was "
                + providerMetadata.getIssuer().getValue());
      }
      Duration ttl = Objects.requireNonNullElse(jwksCacheTtl, DEFAULT_JWKS_CACHE_TTL);
      Duration interval =
          Objects.requireNonNullElse(jwksRefetchMinInterval, DEFAULT_JWKS_REFETCH_MIN_INTERVAL);
      if (interval.compareTo(ttl) >= 0) {
        throw new IllegalStateException(
            "jwksRefetchMinInterval must be less than jwksCacheTtl " + ttl + ", but was " + interval);
      }
      return new OidcClientConfig(this);
    }

    private Builder secret(boolean basic, String secret, String name) {
      Objects.requireNonNull(secret, name);
      if (secret.isBlank()) {
        throw new IllegalArgumentException(name + " must be non-blank, but was blank");
      }
      TokenSecret value = TokenSecret.of(secret);
      authentication(
          basic
              ? new ClientAuthentication.SecretBasic(value)
              : new ClientAuthentication.SecretPost(value));
      return this;
    }

    private void authentication(ClientAuthentication chosen) {
      if (clientAuthentication != null) {
        throw new IllegalStateException(
            "client authentication was already set to " + clientAuthentication.method().registeredName());
      }
      clientAuthentication = chosen;
    }

    private static Duration atLeast(String name, Duration value, Duration min) {
      Objects.requireNonNull(value, name);
      if (value.compareTo(min) < 0) {
        throw new IllegalArgumentException(name + " must be at least " + min + ", but was " + value);
      }
      return value;
    }

    private static void requireSet(Object value, String name) {
      if (value == null) {
        throw new IllegalStateException(name + " must be set, but was not");
      }
    }

    private static <T> T set(T current, T value, String name) {
      if (current != null) {
        throw new IllegalStateException(name + " was already set");
      }
      return value;
    }
  }
}
