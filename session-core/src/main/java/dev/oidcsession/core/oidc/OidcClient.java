package dev.oidcsession.core.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.TokenRevocationRequest;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.oauth2.sdk.token.Token;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.AuthenticationResponse;
import com.nimbusds.openid.connect.sdk.AuthenticationResponseParser;
import com.nimbusds.openid.connect.sdk.LogoutRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.claims.LogoutTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderConfigurationRequest;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.token.OIDCTokens;
import com.nimbusds.openid.connect.sdk.validators.AccessTokenValidator;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import com.nimbusds.openid.connect.sdk.validators.InvalidHashException;
import com.nimbusds.openid.connect.sdk.validators.LogoutTokenValidator;
import dev.oidcsession.core.IdToken;
import dev.oidcsession.core.TokenRenewalException;
import dev.oidcsession.core.TokenRenewer;
import dev.oidcsession.core.TokenSecret;
import dev.oidcsession.core.TokenSet;
import dev.oidcsession.core.oidc.OidcClientConfig.ClientAuthMethod;
import dev.oidcsession.core.oidc.internal.JtiReplayCache;
import dev.oidcsession.core.oidc.internal.KidStrictKeySelector;
import dev.oidcsession.core.oidc.internal.OkHttpResourceRetriever;
import dev.oidcsession.core.oidc.internal.OkHttpSender;
import java.io.Closeable;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relying party of one OpenID Connect provider: starts and completes the authorization-code
 * flow with PKCE, renews tokens (it is the {@link TokenRenewer} of a {@code SessionManager}),
 * revokes them, builds the RP-initiated logout redirect and validates back-channel logout tokens.
 * Every protocol message is built, parsed and validated by nimbus's oauth2-oidc-sdk; every HTTP
 * exchange goes through the {@link OkHttpClient} given to {@link #create(OidcClientConfig,
 * OkHttpClient)}.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li><b>Provider.</b> Discovered lazily on first use from {@code
 *       <issuer>/.well-known/openid-configuration}, and used only if its {@code issuer} equals the
 *       configured one exactly; cached until {@link #refreshProviderMetadata()}.
 *   <li><b>Keys.</b> The JWK set is cached for {@code jwksCacheTtl}; an unknown {@code kid}
 *       refetches it, at most twice per {@code jwksRefetchMinInterval} (nimbus's rate limit: one
 *       fetch opens a window, one more is allowed in it), so a flood of forged tokens cannot make us
 *       hammer the provider; cached keys stay in use for {@code 12 × jwksCacheTtl} while the
 *       provider is unreachable.
 *   <li><b>ID tokens</b> (OIDC Core 3.1.3.7): signed with an allowed asymmetric algorithm by a
 *       provider key (never {@code none}, never HMAC); {@code iss}, {@code aud}, {@code azp} when
 *       several audiences or present, {@code exp}, {@code iat} within {@code maxClockSkew}, {@code
 *       nonce}, and {@code at_hash} when present. A token without {@code kid} is accepted only when
 *       a single provider key fits.
 *   <li><b>Callback.</b> {@code state} compared in constant time; RFC 9207 {@code iss} checked
 *       (required when the provider advertises it); each code exchanged at most once by this
 *       client.
 *   <li><b>Secrets.</b> No log line, exception message or {@code toString()} holds a token, code,
 *       client secret, state, nonce or verifier. Failures a client can cause log at DEBUG.
 * </ul>
 *
 * <p>Time: our own rules (pending-login age, {@code expires_in}, logout-token {@code iat} and
 * replay window) use the configured {@link java.time.Clock}; nimbus's ID-token and logout-token
 * {@code exp}/{@code iat} checks read the wall clock, with {@code maxClockSkew}.
 *
 * <p>Thread-safe. Blocking: methods that talk to the provider block for one HTTP exchange (plus a
 * discovery and a key fetch when not cached) and never retry. {@link #close()} releases the key
 * cache; the {@link OkHttpClient} is the caller's.
 */
public final class OidcClient implements TokenRenewer, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OidcClient.class);

  /** OAuth error codes after which a refresh token is dead (RFC 6749 §5.2). */
  static final Set<String> TERMINAL_ERRORS =
      Set.of("invalid_grant", "invalid_client", "unauthorized_client", "unsupported_grant_type");

  /** Size of state, nonce and verifier: 256 bits each, from the {@code SecureRandom}. */
  static final int SECRET_BYTES = 32;

  /** Most authorization codes remembered for local replay detection. */
  static final int MAX_REMEMBERED_CODES = 100_000;

  /** How long keys stay usable while the provider's JWK set cannot be fetched, in cache TTLs. */
  static final int OUTAGE_TOLERANCE_TTLS = 12;

  private final OidcClientConfig config;
  private final OkHttpSender sender;
  private final OkHttpResourceRetriever retriever;
  private final ClientID clientId;
  private final Issuer issuer;
  private final JtiReplayCache logoutJtis;
  private final ConcurrentHashMap<TokenSecret, Instant> exchangedCodes = new ConcurrentHashMap<>();
  private final Object providerLock = new Object();
  private volatile Provider provider;

  private OidcClient(OidcClientConfig config, OkHttpClient http) {
    this.config = Objects.requireNonNull(config, "config");
    Objects.requireNonNull(http, "httpClient");
    this.sender = new OkHttpSender(http);
    this.retriever = new OkHttpResourceRetriever(http);
    this.clientId = new ClientID(config.clientId());
    this.issuer = new Issuer(config.issuer().toString());
    this.logoutJtis = new JtiReplayCache(config.clock());
    if ("http".equalsIgnoreCase(config.issuer().getScheme())) {
      log.warn(
          "issuer {} uses plain http: acceptable on loopback for development only", config.issuer());
    }
  }

  /** A client on {@link #defaultHttpClient()}. No I/O happens until first use. */
  public static OidcClient create(OidcClientConfig config) {
    return new OidcClient(config, defaultHttpClient());
  }

  /**
   * A client on the caller's {@link OkHttpClient} (timeouts, TLS, proxy, interceptors). Keep
   * {@code retryOnConnectionFailure(false)}: a silently re-sent refresh request would spend a
   * rotating refresh token twice. No I/O happens until first use.
   */
  public static OidcClient create(OidcClientConfig config, OkHttpClient httpClient) {
    return new OidcClient(config, httpClient);
  }

  /**
   * The default HTTP client: connect 5 s, read and write 10 s, whole call 15 s; no redirects (a
   * token request must not follow one elsewhere with its credentials); no silent retries. Add
   * interceptors with {@code defaultHttpClient().newBuilder()}.
   */
  public static OkHttpClient defaultHttpClient() {
    return new OkHttpClient.Builder()
        .connectTimeout(5, TimeUnit.SECONDS)
        .readTimeout(10, TimeUnit.SECONDS)
        .writeTimeout(10, TimeUnit.SECONDS)
        .callTimeout(15, TimeUnit.SECONDS)
        .followRedirects(false)
        .followSslRedirects(false)
        .retryOnConnectionFailure(false)
        .build();
  }

  /** The configuration. */
  public OidcClientConfig config() {
    return config;
  }

  // ---------------------------------------------------------------- provider

  /**
   * The provider's metadata, discovered on first call (or as configured) and cached.
   *
   * @throws OidcException {@link OidcException.Reason#ISSUER_MISMATCH} if the document names another
   *     issuer, {@link OidcException.Reason#PROVIDER_UNAVAILABLE} if it cannot be fetched, {@link
   *     OidcException.Reason#INVALID_RESPONSE} if it is not provider metadata
   */
  public OIDCProviderMetadata providerMetadata() throws OidcException {
    return provider().metadata;
  }

  /**
   * Discovers the provider again (for example after it moved an endpoint or its {@code jwks_uri})
   * and resets the key cache. On failure the previous metadata stays in use.
   *
   * @throws OidcException as {@link #providerMetadata()}
   */
  public void refreshProviderMetadata() throws OidcException {
    Provider fresh = loadProvider();
    Provider old;
    synchronized (providerLock) {
      old = provider;
      provider = fresh;
    }
    if (old != null) {
      old.close();
    }
  }

  private Provider provider() throws OidcException {
    Provider p = provider;
    if (p != null) {
      return p;
    }
    synchronized (providerLock) {
      if (provider == null) {
        provider = loadProvider();
      }
      return provider;
    }
  }

  private Provider loadProvider() throws OidcException {
    OIDCProviderMetadata metadata =
        config.providerMetadata().isPresent() ? config.providerMetadata().get() : discover();
    JWKSource<SecurityContext> keys;
    try {
      long ttl = config.jwksCacheTtl().toMillis();
      keys =
          JWKSourceBuilder.<SecurityContext>create(metadata.getJWKSetURI().toURL(), retriever)
              .cache(ttl, JWKSourceBuilder.DEFAULT_CACHE_REFRESH_TIMEOUT)
              .refreshAheadCache(false)
              .rateLimited(config.jwksRefetchMinInterval().toMillis())
              .outageTolerant(ttl * OUTAGE_TOLERANCE_TTLS)
              .build();
    } catch (MalformedURLException | IllegalArgumentException e) {
      throw new OidcException(
          OidcException.Reason.INVALID_RESPONSE,
          "provider jwks_uri must be a URL, but was " + metadata.getJWKSetURI(),
          null,
          null);
    }
    KidStrictKeySelector selector =
        new KidStrictKeySelector(config.allowedSigningAlgorithms(), keys);
    IDTokenValidator idTokens = new IDTokenValidator(issuer, clientId, selector, null);
    idTokens.setMaxClockSkew((int) config.maxClockSkew().toSeconds());
    LogoutTokenValidator logoutTokens =
        new LogoutTokenValidator(issuer, clientId, false, selector, null);
    return new Provider(metadata, keys, idTokens, logoutTokens);
  }

  private OIDCProviderMetadata discover() throws OidcException {
    HTTPRequest request = new OIDCProviderConfigurationRequest(issuer).toHTTPRequest();
    HTTPResponse response;
    try {
      response = request.send(sender);
    } catch (IOException e) {
      log.warn("provider discovery at {} failed: {}", request.getURI(), e.toString());
      throw new OidcException(
          OidcException.Reason.PROVIDER_UNAVAILABLE,
          "provider discovery document could not be fetched from " + request.getURI(),
          null,
          e);
    }
    if (isTransientStatus(response.getStatusCode())) {
      throw new OidcException(
          OidcException.Reason.PROVIDER_UNAVAILABLE,
          "provider discovery must answer 200, but answered " + response.getStatusCode());
    }
    if (response.getStatusCode() != HTTPResponse.SC_OK) {
      throw new OidcException(
          OidcException.Reason.INVALID_RESPONSE,
          "provider discovery must answer 200, but answered " + response.getStatusCode());
    }
    OIDCProviderMetadata metadata;
    try {
      metadata = OIDCProviderMetadata.parse(response.getBodyAsJSONObject());
    } catch (ParseException e) {
      throw new OidcException(
          OidcException.Reason.INVALID_RESPONSE,
          "provider discovery document must be OpenID provider metadata, but was not: "
              + e.getMessage());
    }
    // OIDC Discovery 1.0 §4.3: the issuer MUST be identical to the one the document was fetched for.
    String advertised = metadata.getIssuer().getValue();
    if (!advertised.equals(issuer.getValue())) {
      log.warn(
          "provider discovery rejected: document issuer {} is not the configured issuer {}",
          advertised,
          issuer);
      throw new OidcException(
          OidcException.Reason.ISSUER_MISMATCH,
          "discovery document issuer must equal the configured issuer "
              + issuer
              + ", but was "
              + advertised);
    }
    log.info(
        "discovered provider {}: authorization {}, token {}, jwks {}",
        advertised,
        metadata.getAuthorizationEndpointURI(),
        metadata.getTokenEndpointURI(),
        metadata.getJWKSetURI());
    return metadata;
  }

  // ---------------------------------------------------------------- login

  /** {@link #startLogin(String, LoginOptions)} without options. */
  public LoginRedirect startLogin(String returnPath) throws OidcException {
    return startLogin(returnPath, LoginOptions.none());
  }

  /**
   * Starts a login: the authorization request (code flow, PKCE S256, fresh 256-bit {@code state}
   * and {@code nonce}) and the pending login to keep until the callback.
   *
   * @param returnPath the local path to return to after login (checked: no open redirect)
   * @param options {@code prompt}, {@code login_hint}, {@code acr_values}, {@code audience}, ...
   * @throws IllegalArgumentException if {@code returnPath} is not a local path
   * @throws OidcException if the provider metadata cannot be obtained
   */
  public LoginRedirect startLogin(String returnPath, LoginOptions options) throws OidcException {
    PendingLogin.requireLocalPath(returnPath);
    Objects.requireNonNull(options, "options");
    OIDCProviderMetadata metadata = providerMetadata();
    State state = new State(randomValue());
    Nonce nonce = new Nonce(randomValue());
    CodeVerifier verifier = new CodeVerifier(randomValue());
    AuthenticationRequest.Builder request =
        new AuthenticationRequest.Builder(
                ResponseType.CODE,
                new Scope(config.scopes().toArray(String[]::new)),
                clientId,
                config.redirectUri())
            .endpointURI(metadata.getAuthorizationEndpointURI())
            .state(state)
            .nonce(nonce)
            .codeChallenge(verifier, CodeChallengeMethod.S256);
    for (Map.Entry<String, String> parameter : options.parameters().entrySet()) {
      request.customParameter(parameter.getKey(), parameter.getValue());
    }
    PendingLogin pending =
        new PendingLogin(
            TokenSecret.of(state.getValue()),
            TokenSecret.of(nonce.getValue()),
            TokenSecret.of(verifier.getValue()),
            returnPath,
            config.clock().instant());
    return new LoginRedirect(request.build().toURI(), pending);
  }

  private String randomValue() {
    byte[] bytes = new byte[SECRET_BYTES];
    config.secureRandom().nextBytes(bytes);
    return Base64URL.encode(bytes).toString();
  }

  /**
   * Completes a login from the callback URL (query or fragment) that the provider redirected to.
   *
   * @see #completeLogin(Map, PendingLogin)
   */
  public TokenSet completeLogin(URI callbackUri, PendingLogin pending) throws OidcException {
    Objects.requireNonNull(callbackUri, "callbackUri");
    AuthenticationResponse response;
    try {
      response = AuthenticationResponseParser.parse(callbackUri);
    } catch (ParseException e) {
      throw rejected(
          OidcException.Reason.INVALID_RESPONSE,
          "callback must be an authorization response, but could not be parsed");
    }
    return complete(response, pending);
  }

  /**
   * Completes a login from the callback's parameters (query or {@code form_post} body): checks
   * {@code state} (constant time), the pending login's age, RFC 9207 {@code iss}, maps a provider
   * error, exchanges the code once (with the PKCE verifier) and validates the ID token with the
   * login's {@code nonce}.
   *
   * @param parameters the callback parameters, each name with its values
   * @param pending the pending login stored when the login started
   * @return the validated tokens, ready for {@code SessionManager.create}
   * @throws OidcException with the failed rule's {@link OidcException.Reason}
   */
  public TokenSet completeLogin(Map<String, List<String>> parameters, PendingLogin pending)
      throws OidcException {
    Objects.requireNonNull(parameters, "parameters");
    AuthenticationResponse response;
    try {
      response = AuthenticationResponseParser.parse(config.redirectUri(), parameters);
    } catch (ParseException e) {
      throw rejected(
          OidcException.Reason.INVALID_RESPONSE,
          "callback must be an authorization response, but could not be parsed");
    }
    return complete(response, pending);
  }

  private TokenSet complete(AuthenticationResponse response, PendingLogin pending)
      throws OidcException {
    Objects.requireNonNull(pending, "pending");
    // RFC 6749 §10.12: the state binds the callback to this browser's login; constant time.
    State state = response.getState();
    if (state == null
        || !MessageDigest.isEqual(
            state.getValue().getBytes(StandardCharsets.UTF_8),
            pending.state().value().getBytes(StandardCharsets.UTF_8))) {
      throw rejected(
          OidcException.Reason.STATE_MISMATCH,
          "callback state must equal the pending login's state, but "
              + (state == null ? "was missing" : "did not"));
    }
    Instant now = config.clock().instant();
    Instant deadline = pending.createdAt().plus(config.pendingLoginMaxAge());
    if (!now.isBefore(deadline)) {
      throw rejected(
          OidcException.Reason.LOGIN_EXPIRED,
          "login must complete within "
              + config.pendingLoginMaxAge()
              + " of its start "
              + pending.createdAt()
              + ", but the callback came at "
              + now);
    }
    OIDCProviderMetadata metadata = providerMetadata();
    // RFC 9207 §2.4: compare iss when present; require it when the provider advertises it.
    Issuer responseIssuer = response.getIssuer();
    if (responseIssuer == null && metadata.supportsAuthorizationResponseIssuerParam()) {
      throw rejected(
          OidcException.Reason.ISSUER_MISMATCH,
          "callback must carry iss " + issuer + " (RFC 9207, advertised), but had none");
    }
    if (responseIssuer != null && !responseIssuer.getValue().equals(issuer.getValue())) {
      throw rejected(
          OidcException.Reason.ISSUER_MISMATCH,
          "callback iss must equal " + issuer + " (RFC 9207), but was " + responseIssuer.getValue());
    }
    if (!response.indicatesSuccess()) {
      ErrorObject error = response.toErrorResponse().getErrorObject();
      String code = error.getCode();
      log.debug("login refused by the provider: {}", code);
      throw new OidcException(
          OidcException.Reason.AUTHORIZATION_ERROR,
          "provider refused the login: " + code,
          code,
          null);
    }
    AuthorizationCode code = response.toSuccessResponse().getAuthorizationCode();
    if (code == null) {
      throw rejected(
          OidcException.Reason.INVALID_RESPONSE,
          "callback must carry an authorization code (response_type=code), but had none");
    }
    // Each code is exchanged at most once by this client (RFC 6749 §4.1.2); the provider enforces
    // it across servers, and its invalid_grant maps to TOKEN_ERROR.
    if (!firstExchange(TokenSecret.of(code.getValue()), deadline, now)) {
      throw rejected(
          OidcException.Reason.CODE_REPLAYED,
          "authorization code must be exchanged once, but was presented again");
    }
    AuthorizationCodeGrant grant =
        new AuthorizationCodeGrant(
            code, config.redirectUri(), new CodeVerifier(pending.codeVerifier().value()));
    HTTPResponse http;
    try {
      http = sendTokenRequest(grant, metadata);
    } catch (IOException e) {
      log.warn("token endpoint unreachable during login: {}", e.toString());
      throw new OidcException(
          OidcException.Reason.PROVIDER_UNAVAILABLE,
          "token endpoint could not be reached: " + e.getClass().getSimpleName(),
          null,
          e);
    }
    Instant receivedAt = config.clock().instant();
    if (isTransientStatus(http.getStatusCode())) {
      log.warn("token endpoint answered {} during login", http.getStatusCode());
      throw new OidcException(
          OidcException.Reason.PROVIDER_UNAVAILABLE,
          "token endpoint must answer 200, but answered " + http.getStatusCode());
    }
    OIDCTokens tokens = parseTokens(http, "authorization code");
    JWT idToken = tokens.getIDToken();
    if (idToken == null) {
      throw rejected(
          OidcException.Reason.INVALID_RESPONSE,
          "token response must carry an id_token (OIDC Core 3.1.3.3), but had none");
    }
    validateIdToken(idToken, new Nonce(pending.nonce().value()), tokens.getAccessToken());
    AccessToken accessToken = tokens.getAccessToken();
    RefreshToken refreshToken = tokens.getRefreshToken();
    TokenSet result =
        TokenSet.fromTokenResponse(
            accessToken.getValue(),
            accessToken.getLifetime() > 0 ? Duration.ofSeconds(accessToken.getLifetime()) : null,
            tokens.getIDTokenString(),
            refreshToken == null ? null : refreshToken.getValue(),
            accessToken.getScope() == null ? null : accessToken.getScope().toString(),
            receivedAt);
    log.debug("login completed for {} at {}", result.subject(), result.issuer());
    return result;
  }

  private boolean firstExchange(TokenSecret code, Instant keepUntil, Instant now) {
    if (exchangedCodes.size() > JtiReplayCache.PRUNE_THRESHOLD) {
      exchangedCodes.values().removeIf(until -> !until.isAfter(now));
      if (exchangedCodes.size() >= MAX_REMEMBERED_CODES) {
        // Bounded memory under a flood of callbacks: past the cap only the provider's own
        // one-time-code rule (mapped to TOKEN_ERROR invalid_grant) guards against replay.
        log.warn(
            "{} authorization codes exchanged within {}: not remembering more",
            exchangedCodes.size(),
            config.pendingLoginMaxAge());
        return true;
      }
    }
    return exchangedCodes.putIfAbsent(code, keepUntil) == null;
  }

  private OIDCTokens parseTokens(HTTPResponse http, String grant) throws OidcException {
    TokenResponse parsed;
    try {
      parsed = OIDCTokenResponseParser.parse(http);
    } catch (ParseException e) {
      throw rejected(
          OidcException.Reason.INVALID_RESPONSE,
          "token endpoint must answer a token or error response, but answered an unreadable HTTP "
              + http.getStatusCode());
    }
    if (!parsed.indicatesSuccess()) {
      ErrorObject error = parsed.toErrorResponse().getErrorObject();
      String code = error.getCode();
      log.debug("token endpoint refused the {} grant: {} (HTTP {})", grant, code, http.getStatusCode());
      throw new OidcException(
          OidcException.Reason.TOKEN_ERROR,
          "token endpoint refused the " + grant + ": " + code + " (HTTP " + http.getStatusCode() + ")",
          code,
          null);
    }
    return ((OIDCTokenResponse) parsed.toSuccessResponse()).getOIDCTokens();
  }

  private HTTPResponse sendTokenRequest(AuthorizationGrant grant, OIDCProviderMetadata metadata)
      throws IOException, OidcException {
    URI endpoint = metadata.getTokenEndpointURI();
    if (endpoint == null) {
      throw rejected(
          OidcException.Reason.INVALID_RESPONSE, "provider must have a token_endpoint, but has none");
    }
    ClientAuthentication auth = clientAuthentication(endpoint);
    TokenRequest request =
        auth == null
            ? new TokenRequest.Builder(endpoint, clientId, grant).build()
            : new TokenRequest.Builder(endpoint, auth, grant).build();
    return request.toHTTPRequest().send(sender);
  }

  private ClientAuthentication clientAuthentication(URI audience) throws OidcException {
    ClientAuthMethod method = config.clientAuthMethod();
    switch (method) {
      case CLIENT_SECRET_BASIC:
        return new ClientSecretBasic(clientId, new Secret(config.clientSecret().orElseThrow().value()));
      case CLIENT_SECRET_POST:
        return new ClientSecretPost(clientId, new Secret(config.clientSecret().orElseThrow().value()));
      case PRIVATE_KEY_JWT:
        try {
          var key = config.clientKey().orElseThrow();
          JWSAlgorithm alg = config.clientKeyAlgorithm();
          java.security.PrivateKey privateKey =
              JWSAlgorithm.Family.RSA.contains(alg)
                  ? key.toRSAKey().toPrivateKey()
                  : key.toECKey().toPrivateKey();
          // OIDC Core 9: a JWT with iss = sub = client_id, aud = the token endpoint, a fresh jti.
          return new PrivateKeyJWT(clientId, audience, alg, privateKey, key.getKeyID(), null);
        } catch (JOSEException e) {
          throw new OidcException(
              OidcException.Reason.INVALID_RESPONSE,
              "private_key_jwt client assertion could not be signed: " + e.getClass().getSimpleName(),
              null,
              null);
        }
      case NONE:
      default:
        return null;
    }
  }

  // ---------------------------------------------------------------- ID tokens

  private IDTokenClaimsSet validateIdToken(JWT idToken, Nonce nonce, AccessToken accessToken)
      throws OidcException {
    Provider p = provider();
    IDTokenClaimsSet claims;
    try {
      claims = p.idTokens.validate(idToken, nonce);
    } catch (BadJOSEException e) {
      throw rejected(OidcException.Reason.INVALID_ID_TOKEN, "ID token rejected: " + clean(e));
    } catch (JOSEException e) {
      throw keyFailure(e, OidcException.Reason.INVALID_ID_TOKEN, "ID token");
    }
    // OIDC Core 3.1.3.7 steps 4-5: with several audiences azp must be present; if present, it
    // must be our client_id (nimbus reads azp but does not compare it).
    int audiences = claims.getAudience() == null ? 0 : claims.getAudience().size();
    Object azp = claims.getClaim("azp");
    if (audiences > 1 && azp == null) {
      throw rejected(
          OidcException.Reason.INVALID_ID_TOKEN,
          "ID token rejected: azp must be present when aud has several values, but was missing");
    }
    if (azp != null && !clientId.getValue().equals(azp.toString())) {
      throw rejected(
          OidcException.Reason.INVALID_ID_TOKEN,
          "ID token rejected: azp must equal the client_id " + clientId + ", but was " + azp);
    }
    // OIDC Core 3.2.2.9 (applied to the code flow as well): at_hash, when present, binds the
    // access token to the ID token.
    if (claims.getAccessTokenHash() != null && accessToken != null) {
      try {
        AccessTokenValidator.validate(
            accessToken, ((SignedJWT) idToken).getHeader().getAlgorithm(), claims.getAccessTokenHash());
      } catch (InvalidHashException | RuntimeException e) {
        throw rejected(
            OidcException.Reason.INVALID_ID_TOKEN,
            "ID token rejected: at_hash must match the access token, but did not");
      }
    }
    return claims;
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
      return rejected(invalid, what + " rejected: " + e.getMessage());
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
    return rejected(invalid, what + " rejected: " + e.getClass().getSimpleName());
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static OidcException rejected(OidcException.Reason reason, String message) {
    log.debug("{}: {}", reason, message);
    return new OidcException(reason, message, null, null);
  }

  // ---------------------------------------------------------------- refresh

  /**
   * Renews {@code current} with the refresh-token grant (RFC 6749 §6). A rotated refresh token
   * replaces the old one, a missing one keeps it; a new ID token is validated (OIDC Core 12.2: same
   * {@code iss}, {@code sub} and {@code aud}; no {@code nonce} required), a missing one keeps the
   * old one. Never retries.
   *
   * @throws TokenRenewalException {@link TokenRenewalException.Kind#TERMINAL} for {@code
   *     invalid_grant}, {@code invalid_client}, {@code unauthorized_client}, {@code
   *     unsupported_grant_type}, an invalid new ID token or a changed identity; {@link
   *     TokenRenewalException.Kind#TRANSIENT} for I/O errors, timeouts, 5xx, 429 (with the {@code
   *     Retry-After} as {@link TokenRenewalException#retryAfter()}), other error codes and
   *     unreadable answers
   */
  @Override
  public TokenSet renew(TokenSet current) throws TokenRenewalException {
    Objects.requireNonNull(current, "current");
    if (current.refreshToken().isEmpty()) {
      throw TokenRenewalException.terminal("session has no refresh token to renew with");
    }
    OIDCProviderMetadata metadata;
    try {
      metadata = providerMetadata();
    } catch (OidcException e) {
      throw TokenRenewalException.transientFailure(
          "provider metadata unavailable: " + e.getMessage(), e);
    }
    HTTPResponse http;
    try {
      http =
          sendTokenRequest(
              new RefreshTokenGrant(new RefreshToken(current.refreshToken().get().value())),
              metadata);
    } catch (IOException e) {
      log.warn("token endpoint unreachable during refresh: {}", e.toString());
      throw TokenRenewalException.transientFailure(
          "token endpoint could not be reached: " + e.getClass().getSimpleName(), e);
    } catch (OidcException e) {
      throw TokenRenewalException.transientFailure(e.getMessage(), e);
    }
    Instant receivedAt = config.clock().instant();
    int status = http.getStatusCode();
    if (isTransientStatus(status)) {
      Duration retryAfter = retryAfter(http.getHeaderValue("Retry-After"), receivedAt);
      log.warn("token endpoint answered {} to a refresh (Retry-After {})", status, retryAfter);
      throw new TokenRenewalException(
          TokenRenewalException.Kind.TRANSIENT,
          "token endpoint answered HTTP " + status + " to the refresh",
          retryAfter,
          null);
    }
    OIDCTokens tokens;
    try {
      tokens = parseTokens(http, "refresh token");
    } catch (OidcException e) {
      String code = e.errorCode().orElse(null);
      if (code != null && TERMINAL_ERRORS.contains(code)) {
        throw TokenRenewalException.terminal("refresh rejected by the provider: " + code);
      }
      throw TokenRenewalException.transientFailure(e.getMessage(), null);
    }
    IdToken idToken = current.idToken();
    if (tokens.getIDToken() != null) {
      try {
        validateIdToken(tokens.getIDToken(), null, tokens.getAccessToken());
      } catch (OidcException e) {
        if (e.reason() == OidcException.Reason.PROVIDER_UNAVAILABLE
            || causedBy(e, RateLimitReachedException.class)) {
          // Keys unavailable, or a key refetch rate-limited (perhaps by someone else's forged
          // tokens during a real key rotation): retry later rather than end the session.
          throw TokenRenewalException.transientFailure(e.getMessage(), e);
        }
        throw TokenRenewalException.terminal("refreshed " + e.getMessage());
      }
      IdToken renewed = IdToken.parse(tokens.getIDTokenString());
      // OIDC Core 12.2: iss, sub and aud MUST be the same as in the original ID token.
      if (!renewed.sameIdentityAs(idToken)) {
        log.debug(
            "refresh returned an ID token for another identity (sub {} -> {})",
            idToken.subject(),
            renewed.subject());
        throw TokenRenewalException.terminal(
            "refreshed ID token must keep iss, sub and aud (OIDC Core 12.2), but "
                + changedClaims(idToken, renewed)
                + " changed");
      }
      idToken = renewed;
    }
    AccessToken accessToken = tokens.getAccessToken();
    Optional<TokenSecret> refreshToken =
        tokens.getRefreshToken() != null
            ? Optional.of(TokenSecret.of(tokens.getRefreshToken().getValue()))
            : current.refreshToken();
    String scope =
        accessToken.getScope() != null ? accessToken.getScope().toString() : current.scope();
    return new TokenSet(
        TokenSecret.of(accessToken.getValue()),
        TokenSet.accessTokenExpiry(
            accessToken.getValue(),
            accessToken.getLifetime() > 0 ? Duration.ofSeconds(accessToken.getLifetime()) : null,
            receivedAt),
        idToken,
        refreshToken,
        scope);
  }

  private static String changedClaims(IdToken before, IdToken after) {
    StringBuilder changed = new StringBuilder();
    if (!before.issuer().equals(after.issuer())) {
      changed.append("iss");
    }
    if (!before.subject().equals(after.subject())) {
      changed.append(changed.length() > 0 ? ", " : "").append("sub");
    }
    if (!before.audience().equals(after.audience())) {
      changed.append(changed.length() > 0 ? ", " : "").append("aud");
    }
    return changed.toString();
  }

  static boolean isTransientStatus(int status) {
    return status == 429 || status >= 500;
  }

  /** RFC 9110 §10.2.3: delay-seconds or an HTTP-date; null when absent or unreadable. */
  static Duration retryAfter(String header, Instant now) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String value = header.trim();
    try {
      long seconds = Long.parseLong(value);
      return seconds < 0 ? null : Duration.ofSeconds(seconds);
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration delay = Duration.between(now, at);
        return delay.isNegative() ? Duration.ZERO : delay;
      } catch (DateTimeParseException notDate) {
        return null;
      }
    }
  }

  // ---------------------------------------------------------------- revocation and logout

  /**
   * Revokes the refresh token of {@code tokens} (or its access token when it has none) at the
   * provider's revocation endpoint (RFC 7009).
   *
   * @return true if revoked, false if the provider has no {@code revocation_endpoint}
   * @throws OidcException {@link OidcException.Reason#PROVIDER_UNAVAILABLE} on I/O errors, 5xx and
   *     429; {@link OidcException.Reason#TOKEN_ERROR} when the provider refuses
   */
  public boolean revoke(TokenSet tokens) throws OidcException {
    Objects.requireNonNull(tokens, "tokens");
    OIDCProviderMetadata metadata = providerMetadata();
    URI endpoint = metadata.getRevocationEndpointURI();
    if (endpoint == null) {
      log.debug("provider {} has no revocation endpoint; nothing revoked", issuer);
      return false;
    }
    Token token =
        tokens.refreshToken().isPresent()
            ? new RefreshToken(tokens.refreshToken().get().value())
            : new com.nimbusds.oauth2.sdk.token.TypelessAccessToken(tokens.accessToken().value());
    // OIDC Core 9: a client assertion's aud is the token endpoint, also at the revocation
    // endpoint (Keycloak refuses the revocation endpoint's URL there: invalid_client).
    URI tokenEndpoint = metadata.getTokenEndpointURI();
    ClientAuthentication auth = clientAuthentication(tokenEndpoint != null ? tokenEndpoint : endpoint);
    TokenRevocationRequest request =
        auth == null
            ? new TokenRevocationRequest(endpoint, clientId, token)
            : new TokenRevocationRequest(endpoint, auth, token);
    HTTPResponse http;
    try {
      http = request.toHTTPRequest().send(sender);
    } catch (IOException e) {
      throw new OidcException(
          OidcException.Reason.PROVIDER_UNAVAILABLE,
          "revocation endpoint could not be reached: " + e.getClass().getSimpleName(),
          null,
          e);
    }
    if (http.getStatusCode() == HTTPResponse.SC_OK) {
      return true;
    }
    if (isTransientStatus(http.getStatusCode())) {
      throw new OidcException(
          OidcException.Reason.PROVIDER_UNAVAILABLE,
          "revocation endpoint must answer 200, but answered " + http.getStatusCode());
    }
    String code = ErrorObject.parse(http).getCode();
    throw new OidcException(
        OidcException.Reason.TOKEN_ERROR,
        "revocation refused: " + code + " (HTTP " + http.getStatusCode() + ")",
        code,
        null);
  }

  /**
   * The RP-initiated logout redirect (OIDC RP-Initiated Logout 1.0 §2): the provider's {@code
   * end_session_endpoint} with {@code id_token_hint}, {@code client_id}, and, when configured,
   * {@code post_logout_redirect_uri} with a fresh {@code state}.
   *
   * @return the redirect, or empty if the provider has no {@code end_session_endpoint}
   * @throws OidcException if the provider metadata cannot be obtained
   */
  public Optional<LogoutRedirect> logoutRedirect(IdToken idTokenHint) throws OidcException {
    Objects.requireNonNull(idTokenHint, "idTokenHint");
    URI endpoint = providerMetadata().getEndSessionEndpointURI();
    if (endpoint == null) {
      return Optional.empty();
    }
    JWT hint;
    try {
      hint = JWTParser.parse(idTokenHint.raw().value());
    } catch (java.text.ParseException e) {
      throw new IllegalArgumentException("idTokenHint must be a JWT, but could not be parsed");
    }
    // RP-Initiated Logout 1.0 §2: state only makes sense with a post_logout_redirect_uri; client_id
    // is sent so the provider can check that URI even when the hint has expired.
    URI postLogout = config.postLogoutRedirectUri().orElse(null);
    State state = postLogout == null ? null : new State(randomValue());
    LogoutRequest request =
        new LogoutRequest(endpoint, hint, null, clientId, postLogout, state, null);
    return Optional.of(
        new LogoutRedirect(
            request.toURI(),
            Optional.ofNullable(state).map(s -> TokenSecret.of(s.getValue()))));
  }

  /**
   * Validates a back-channel logout token (OIDC Back-Channel Logout 1.0 §2.6): signature with a
   * provider key and an allowed algorithm, {@code iss}, {@code aud}, {@code iat} (not after now +
   * {@code maxClockSkew}), {@code exp}, the {@code events} claim with the back-channel-logout
   * member, {@code sid} and/or {@code sub}, no {@code nonce}, and a {@code jti} not seen before
   * while the token is valid (remembered in this process until its {@code exp}).
   *
   * @param logoutToken the {@code logout_token} form parameter
   * @return what to end
   * @throws OidcException {@link OidcException.Reason#INVALID_LOGOUT_TOKEN} (answer 400), or {@link
   *     OidcException.Reason#PROVIDER_UNAVAILABLE} if the keys cannot be fetched
   */
  public LogoutNotice validateLogoutToken(String logoutToken) throws OidcException {
    Objects.requireNonNull(logoutToken, "logoutToken");
    JWT jwt;
    try {
      jwt = JWTParser.parse(logoutToken);
    } catch (java.text.ParseException e) {
      throw rejected(
          OidcException.Reason.INVALID_LOGOUT_TOKEN,
          "logout token must be a JWT, but could not be parsed");
    }
    LogoutTokenClaimsSet claims;
    try {
      claims = provider().logoutTokens.validate(jwt);
    } catch (BadJOSEException e) {
      throw rejected(OidcException.Reason.INVALID_LOGOUT_TOKEN, "logout token rejected: " + clean(e));
    } catch (JOSEException e) {
      throw keyFailure(e, OidcException.Reason.INVALID_LOGOUT_TOKEN, "logout token");
    }
    Instant now = config.clock().instant();
    JWTClaimsSet jwtClaims;
    try {
      jwtClaims = claims.toJWTClaimsSet();
    } catch (ParseException e) {
      throw rejected(OidcException.Reason.INVALID_LOGOUT_TOKEN, "logout token claims unreadable");
    }
    // §2.6 step 4: iat validated as in ID tokens: not in the future beyond the skew.
    Instant iat = jwtClaims.getIssueTime().toInstant();
    if (iat.isAfter(now.plus(config.maxClockSkew()))) {
      throw rejected(
          OidcException.Reason.INVALID_LOGOUT_TOKEN,
          "logout token rejected: iat must not be after now + "
              + config.maxClockSkew()
              + ", but was "
              + iat);
    }
    // §2.6 step 9 (and §2.4 jti): a logout token is used once; remember it while it is valid.
    Instant keepUntil = jwtClaims.getExpirationTime().toInstant().plus(config.maxClockSkew());
    if (!logoutJtis.firstUse(claims.getIssuer().getValue(), claims.getJWTID().getValue(), keepUntil)) {
      throw rejected(
          OidcException.Reason.INVALID_LOGOUT_TOKEN,
          "logout token rejected: jti must not have been used before, but was replayed");
    }
    return new LogoutNotice(
        claims.getIssuer().getValue(),
        Optional.ofNullable(claims.getSessionID()).map(s -> s.getValue()),
        Optional.ofNullable(claims.getSubject()).map(s -> s.getValue()),
        claims.getJWTID().getValue());
  }

  /**
   * Forgets the {@code jti} of a validated logout token, so the provider's retry of the same token
   * is accepted. Call it when the sessions the notice names could not be ended (a store outage):
   * the provider retries, and the retry must not count as a replay.
   */
  public void forgetLogoutToken(LogoutNotice notice) {
    Objects.requireNonNull(notice, "notice");
    logoutJtis.forget(notice.issuer(), notice.jwtId());
  }

  /** Releases the key cache. The {@link OkHttpClient} stays open: it is the caller's. */
  @Override
  public void close() {
    Provider p;
    synchronized (providerLock) {
      p = provider;
      provider = null;
    }
    if (p != null) {
      p.close();
    }
  }

  @Override
  public String toString() {
    return "OidcClient[issuer=" + issuer + ", clientId=" + clientId + "]";
  }

  /** Everything derived from one provider metadata document. */
  private static final class Provider {
    final OIDCProviderMetadata metadata;
    final JWKSource<SecurityContext> keys;
    final IDTokenValidator idTokens;
    final LogoutTokenValidator logoutTokens;

    Provider(
        OIDCProviderMetadata metadata,
        JWKSource<SecurityContext> keys,
        IDTokenValidator idTokens,
        LogoutTokenValidator logoutTokens) {
      this.metadata = metadata;
      this.keys = keys;
      this.idTokens = idTokens;
      this.logoutTokens = logoutTokens;
    }

    void close() {
      if (keys instanceof Closeable closeable) {
        try {
          closeable.close();
        } catch (IOException e) {
          log.debug("closing the key source failed: {}", e.toString());
        }
      }
    }
  }
}
