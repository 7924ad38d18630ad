package dev.oidcsession.core.oidc;

import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.AuthenticationResponse;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.token.OIDCTokens;
import dev.oidcsession.core.TokenSecret;
import dev.oidcsession.core.TokenSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authorization-code flow with PKCE (OIDC Core 3.1, RFC 7636): builds the authorization
 * request and completes the callback (state, pending-login age, RFC 9207 {@code iss}, provider
 * error, one exchange per code, ID-token validation with the login's nonce). Thread-safe.
 */
final class LoginFlow {

  private static final Logger log = LoggerFactory.getLogger(LoginFlow.class);

  /** Size of state, nonce and verifier: 256 bits each, from the {@code SecureRandom}. */
  static final int SECRET_BYTES = 32;

  private final OidcClientConfig config;
  private final ClientID clientId;
  private final Issuer issuer;
  private final ProviderCache providers;
  private final TokenEndpoint tokenEndpoint;
  private final TokenValidation validation;
  private final ReplayCache replays;

  LoginFlow(
      OidcClientConfig config,
      ProviderCache providers,
      TokenEndpoint tokenEndpoint,
      TokenValidation validation,
      ReplayCache replays) {
    this.config = config;
    this.clientId = new ClientID(config.clientId());
    this.issuer = new Issuer(config.issuer().toString());
    this.providers = providers;
    this.tokenEndpoint = tokenEndpoint;
    this.validation = validation;
    this.replays = replays;
  }

  /** See {@link OidcClient#startLogin(String, LoginOptions)}. */
  LoginRedirect start(String returnPath, LoginOptions options) throws OidcException {
    OIDCProviderMetadata metadata = providers.metadata();
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

  /** A fresh 256-bit value, base64url: a state, nonce or verifier. */
  String randomValue() {
    byte[] bytes = new byte[SECRET_BYTES];
    config.secureRandom().nextBytes(bytes);
    return Base64URL.encode(bytes).toString();
  }

  /** See {@link OidcClient#completeLogin(Map, PendingLogin)}. */
  TokenSet complete(AuthenticationResponse response, PendingLogin pending) throws OidcException {
    Instant now = config.clock().instant();
    Instant deadline = checkStateAndAge(response, pending, now);
    OIDCProviderMetadata metadata = providers.metadata();
    checkIssuer(response, metadata);
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
      throw OidcException.rejected(
          OidcException.Reason.INVALID_RESPONSE,
          "callback must carry an authorization code (response_type=code), but had none");
    }
    // Each code is exchanged at most once by this client (RFC 6749 §4.1.2); the provider enforces
    // it across servers, and its invalid_grant maps to TOKEN_ERROR.
    if (!replays.firstUse(ReplayCache.CODE, code.getValue(), deadline)) {
      throw OidcException.rejected(
          OidcException.Reason.CODE_REPLAYED,
          "authorization code must be exchanged once, but was presented again");
    }
    return exchange(code, pending, metadata);
  }

  /** RFC 6749 §10.12 state (constant time) and the pending login's age; returns its deadline. */
  private Instant checkStateAndAge(AuthenticationResponse response, PendingLogin pending, Instant now)
      throws OidcException {
    State state = response.getState();
    if (state == null
        || !MessageDigest.isEqual(
            state.getValue().getBytes(StandardCharsets.UTF_8),
            pending.state().value().getBytes(StandardCharsets.UTF_8))) {
      throw OidcException.rejected(
          OidcException.Reason.STATE_MISMATCH,
          "callback state must equal the pending login's state, but "
              + (state == null ? "was missing" : "did not"));
    }
    Instant deadline = pending.createdAt().plus(config.pendingLoginMaxAge());
    if (!now.isBefore(deadline)) {
      throw OidcException.rejected(
          OidcException.Reason.LOGIN_EXPIRED,
          "login must complete within "
              + config.pendingLoginMaxAge()
              + " of its start "
              + pending.createdAt()
              + ", but the callback came at "
              + now);
    }
    return deadline;
  }

  /** RFC 9207 §2.4: compare iss when present; require it when the provider advertises it. */
  private void checkIssuer(AuthenticationResponse response, OIDCProviderMetadata metadata)
      throws OidcException {
    Issuer responseIssuer = response.getIssuer();
    if (responseIssuer == null && metadata.supportsAuthorizationResponseIssuerParam()) {
      throw OidcException.rejected(
          OidcException.Reason.ISSUER_MISMATCH,
          "callback must carry iss " + issuer + " (RFC 9207, advertised), but had none");
    }
    if (responseIssuer != null && !responseIssuer.getValue().equals(issuer.getValue())) {
      throw OidcException.rejected(
          OidcException.Reason.ISSUER_MISMATCH,
          "callback iss must equal " + issuer + " (RFC 9207), but was " + responseIssuer.getValue());
    }
  }

  /** The code exchange (OIDC Core 3.1.3.1-3.1.3.7) and the validated tokens. */
  private TokenSet exchange(AuthorizationCode code, PendingLogin pending, OIDCProviderMetadata metadata)
      throws OidcException {
    AuthorizationCodeGrant grant =
        new AuthorizationCodeGrant(
            code, config.redirectUri(), new CodeVerifier(pending.codeVerifier().value()));
    HTTPResponse http;
    try {
      http = tokenEndpoint.send(grant, metadata);
    } catch (IOException e) {
      log.warn("token endpoint unreachable during login: {}", e.toString());
      throw new OidcException(
          OidcException.Reason.PROVIDER_UNAVAILABLE,
          "token endpoint could not be reached: " + e.getClass().getSimpleName(),
          null,
          e);
    }
    Instant receivedAt = config.clock().instant();
    if (TokenEndpoint.isTransientStatus(http.getStatusCode())) {
      log.warn("token endpoint answered {} during login", http.getStatusCode());
      throw new OidcException(
          OidcException.Reason.PROVIDER_UNAVAILABLE,
          "token endpoint must answer 200, but answered " + http.getStatusCode());
    }
    OIDCTokens tokens = TokenEndpoint.parseTokens(http, "authorization code");
    JWT idToken = tokens.getIDToken();
    if (idToken == null) {
      throw OidcException.rejected(
          OidcException.Reason.INVALID_RESPONSE,
          "token response must carry an id_token (OIDC Core 3.1.3.3), but had none");
    }
    validation.validateIdToken(idToken, new Nonce(pending.nonce().value()), tokens.getAccessToken());
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
}
