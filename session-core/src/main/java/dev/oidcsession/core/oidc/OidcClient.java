package dev.oidcsession.core.oidc;

import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.util.URLUtils;
import com.nimbusds.openid.connect.sdk.AuthenticationResponse;
import com.nimbusds.openid.connect.sdk.AuthenticationResponseParser;
import com.nimbusds.openid.connect.sdk.LogoutRequest;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import dev.oidcsession.core.IdToken;
import dev.oidcsession.core.TokenRenewalException;
import dev.oidcsession.core.TokenRenewer;
import dev.oidcsession.core.TokenSecret;
import dev.oidcsession.core.TokenSet;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
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
 *       several audiences or present, {@code exp}, {@code iat} within {@code validationClockSkew}, {@code
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
 * {@code exp}/{@code iat} checks read the wall clock, with {@code validationClockSkew}.
 *
 * <p>Thread-safe. Blocking: methods that talk to the provider block for one HTTP exchange (plus a
 * discovery and a key fetch when not cached) and never retry. {@link #close()} releases the key
 * cache; the {@link OkHttpClient} is the caller's.
 */
public final class OidcClient implements TokenRenewer, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OidcClient.class);

  /** Most one-time values (authorization codes, logout-token {@code jti}s) remembered at once. */
  static final int MAX_REMEMBERED_VALUES = 100_000;

  /** The authorization-response parameters that must not repeat (RFC 6749 §4.1.2; RFC 9207). */
  private static final List<String> CALLBACK_PARAMETERS =
      List.of("state", "code", "iss", "error", "error_description", "session_state");

  private final OidcClientConfig config;
  private final ClientID clientId;
  private final Issuer issuer;
  private final ProviderCache providers;
  private final TokenEndpoint tokenEndpoint;
  private final TokenValidation validation;
  private final LoginFlow login;
  private final Refresh refresh;
  private final Optional<Duration> maxCallDuration;

  private OidcClient(OidcClientConfig config, OkHttpClient http) {
    this.config = Objects.requireNonNull(config, "config");
    Objects.requireNonNull(http, "httpClient");
    // OkHttp's call timeout spans the whole call, every retry and redirect included.
    this.maxCallDuration =
        http.callTimeoutMillis() > 0
            ? Optional.of(Duration.ofMillis(http.callTimeoutMillis()))
            : Optional.empty();
    OkHttpSender sender = new OkHttpSender(http);
    this.clientId = new ClientID(config.clientId());
    this.issuer = new Issuer(config.issuer().toString());
    ReplayCache replays = new ReplayCache(config.clock(), MAX_REMEMBERED_VALUES);
    this.providers = new ProviderCache(config, http, sender);
    this.tokenEndpoint = new TokenEndpoint(config, sender);
    this.validation = new TokenValidation(config, providers, replays);
    this.login = new LoginFlow(config, providers, tokenEndpoint, validation, replays);
    this.refresh = new Refresh(config, providers, tokenEndpoint, validation);
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
  /**
   * The HTTP client's call timeout, which bounds a whole refresh call including every resend: the
   * session manager then rejects a renewal lease that is not longer (a rotating refresh token is
   * never presented by a call that outlives its lease). Empty for a client without a call timeout.
   */
  @Override
  public Optional<Duration> maxCallDuration() {
    return maxCallDuration;
  }

  /** The configuration. */
  public OidcClientConfig config() {
    return config;
  }

  /**
   * The provider's metadata, discovered on first call (or as configured) and cached.
   *
   * @throws OidcException {@link OidcException.Reason#ISSUER_MISMATCH} if the document names another
   *     issuer, {@link OidcException.Reason#PROVIDER_UNAVAILABLE} if it cannot be fetched, {@link
   *     OidcException.Reason#INVALID_RESPONSE} if it is not provider metadata
   */
  public OIDCProviderMetadata providerMetadata() throws OidcException {
    return providers.metadata();
  }

  /**
   * Discovers the provider again (for example after it moved an endpoint or its {@code jwks_uri})
   * and resets the key cache. On failure the previous metadata stays in use.
   *
   * @throws OidcException as {@link #providerMetadata()}
   */
  public void refreshProviderMetadata() throws OidcException {
    providers.refresh();
  }

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
    return login.start(returnPath, options);
  }

  /**
   * Completes a login from the callback URL (query or fragment) that the provider redirected to.
   *
   * @see #completeLogin(Map, PendingLogin)
   */
  public TokenSet completeLogin(URI callbackUri, PendingLogin pending) throws OidcException {
    Objects.requireNonNull(callbackUri, "callbackUri");
    String raw = callbackUri.getRawQuery() != null ? callbackUri.getRawQuery()
        : callbackUri.getRawFragment();
    checkCallbackParameters(URLUtils.parseParameters(raw));
    AuthenticationResponse response;
    try {
      response = AuthenticationResponseParser.parse(callbackUri);
    } catch (ParseException | IllegalArgumentException e) {
      // nimbus refuses an empty or blank code, state or iss with an IllegalArgumentException.
      throw unparseableCallback();
    }
    Objects.requireNonNull(pending, "pending");
    return login.complete(response, pending);
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
    checkCallbackParameters(parameters);
    AuthenticationResponse response;
    try {
      response = AuthenticationResponseParser.parse(config.redirectUri(), parameters);
    } catch (ParseException | IllegalArgumentException e) {
      // nimbus refuses an empty or blank code, state or iss with an IllegalArgumentException.
      throw unparseableCallback();
    }
    Objects.requireNonNull(pending, "pending");
    return login.complete(response, pending);
  }

  /**
   * RFC 6749 §3.1: no response parameter more than once (nimbus would read the first); and an
   * {@code error} parameter, even empty, is never a success (nimbus reads an empty one as none).
   * Found by CallbackFuzzTest.
   */
  private static void checkCallbackParameters(Map<String, List<String>> parameters)
      throws OidcException {
    for (String name : CALLBACK_PARAMETERS) {
      List<String> values = parameters.get(name);
      if (values != null && values.size() > 1) {
        throw OidcException.rejected(OidcException.Reason.INVALID_RESPONSE,
            "callback must carry " + name + " at most once (RFC 6749 §3.1), but had it "
                + values.size() + " times");
      }
    }
    List<String> error = parameters.get("error");
    if (error != null && (error.isEmpty() || error.get(0) == null || error.get(0).isBlank())) {
      throw OidcException.rejected(OidcException.Reason.INVALID_RESPONSE,
          "callback error must name an error code, but was empty");
    }
  }

  private static OidcException unparseableCallback() {
    return OidcException.rejected(
        OidcException.Reason.INVALID_RESPONSE,
        "callback must be an authorization response, but could not be parsed");
  }

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
    return refresh.renew(current);
  }

  /**
   * Checks, without a user, that the token endpoint accepts this client's credentials: sends a
   * refresh-token grant with a made-up token (RFC 6749 §6). A provider that accepts the client
   * answers {@code invalid_grant} (the token is unknown); one that does not answers {@code
   * invalid_client} or {@code unauthorized_client} (§5.2). Meant for start-up checks; blocks for one
   * HTTP exchange (plus discovery when not cached), never retries.
   *
   * @return true if the credentials were accepted ({@code invalid_grant}), false if the answer does
   *     not tell (another error code, such as {@code unsupported_grant_type} when the client may
   *     not refresh)
   * @throws OidcException {@link OidcException.Reason#CLIENT_MISCONFIGURED} with the error code if
   *     the credentials were refused, or the client assertion cannot be signed, or the provider has
   *     no token endpoint; {@link OidcException.Reason#PROVIDER_UNAVAILABLE} on I/O errors, 5xx and
   *     429; {@link OidcException.Reason#INVALID_RESPONSE} for an unreadable answer or tokens
   *     issued for the made-up token
   */
  public boolean checkClientCredentials() throws OidcException {
    return refresh.checkClientCredentials();
  }

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
    return tokenEndpoint.revoke(tokens, providers.metadata());
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
    State state = postLogout == null ? null : new State(login.randomValue());
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
   * {@code validationClockSkew}), {@code exp}, the {@code events} claim with the back-channel-logout
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
    return validation.validateLogoutToken(logoutToken);
  }

  /**
   * Forgets the {@code jti} of a validated logout token, so the provider's retry of the same token
   * is accepted. Call it when the sessions the notice names could not be ended (a store outage):
   * the provider retries, and the retry must not count as a replay.
   */
  public void forgetLogoutToken(LogoutNotice notice) {
    Objects.requireNonNull(notice, "notice");
    validation.forgetLogoutToken(notice);
  }

  /** Releases the key cache. The {@link OkHttpClient} stays open: it is the caller's. */
  @Override
  public void close() {
    providers.close();
  }

  @Override
  public String toString() {
    return "OidcClient[issuer=" + issuer + ", clientId=" + clientId + "]";
  }
}
