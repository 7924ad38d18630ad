package dev.oidcsession.core.oidc;

import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.token.OIDCTokens;
import dev.oidcsession.core.IdToken;
import dev.oidcsession.core.TokenRenewalException;
import dev.oidcsession.core.TokenSecret;
import dev.oidcsession.core.TokenSet;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The refresh-token grant (RFC 6749 §6) and the classification of its failures into terminal and
 * transient {@link TokenRenewalException}s; a new ID token must keep {@code iss}, {@code sub} and
 * {@code aud} (OIDC Core 12.2). Never retries. Thread-safe.
 */
final class Refresh {

  private static final Logger log = LoggerFactory.getLogger(Refresh.class);

  /** OAuth error codes after which a refresh token is dead (RFC 6749 §5.2). */
  static final Set<String> TERMINAL_ERRORS = Set.of("invalid_grant", "unsupported_grant_type");

  /**
   * OAuth error codes that refuse the client, not the refresh token (RFC 6749 §5.2): during a
   * client-secret rotation they say nothing about the session, so they are transient.
   */
  static final Set<String> CREDENTIALS_REFUSED = Set.of("invalid_client", "unauthorized_client");

  /** The made-up refresh token of {@link #checkClientCredentials()}. */
  static final String PROBE_TOKEN = "oidc-session-credential-check";

  private final OidcClientConfig config;
  private final ProviderCache providers;
  private final TokenEndpoint tokenEndpoint;
  private final TokenValidation validation;

  Refresh(
      OidcClientConfig config,
      ProviderCache providers,
      TokenEndpoint tokenEndpoint,
      TokenValidation validation) {
    this.config = config;
    this.providers = providers;
    this.tokenEndpoint = tokenEndpoint;
    this.validation = validation;
  }

  /** See {@link OidcClient#renew(TokenSet)}. */
  TokenSet renew(TokenSet current) throws TokenRenewalException {
    if (current.refreshToken().isEmpty()) {
      throw TokenRenewalException.terminal("session has no refresh token to renew with");
    }
    HTTPResponse http = send(current.refreshToken().get().value());
    Instant receivedAt = config.clock().instant();
    int status = http.getStatusCode();
    if (TokenEndpoint.isTransientStatus(status)) {
      Duration retryAfter =
          TokenEndpoint.retryAfter(http.getHeaderValue("Retry-After"), receivedAt);
      log.warn("token endpoint answered {} to a refresh (Retry-After {})", status, retryAfter);
      if (status == 429) {
        // Refused by a rate limit before the grant was processed: no rotation happened.
        throw TokenRenewalException.unprocessed(
            "token endpoint answered HTTP 429 to the refresh", retryAfter, null);
      }
      throw new TokenRenewalException(
          TokenRenewalException.Kind.TRANSIENT,
          "token endpoint answered HTTP " + status + " to the refresh",
          retryAfter,
          null);
    }
    OIDCTokens tokens;
    try {
      tokens = TokenEndpoint.parseTokens(http, "refresh token");
    } catch (OidcException e) {
      String code = e.errorCode().orElse(null);
      if (code != null && CREDENTIALS_REFUSED.contains(code)) {
        throw TokenRenewalException.credentialsRefused(
            "the provider refused this client's credentials: " + code, null, code);
      }
      if (code != null && TERMINAL_ERRORS.contains(code)) {
        throw new TokenRenewalException(
            TokenRenewalException.Kind.TERMINAL,
            "refresh rejected by the provider: " + code,
            null,
            code,
            null);
      }
      throw new TokenRenewalException(
          TokenRenewalException.Kind.TRANSIENT, e.getMessage(), null, code, null);
    }
    IdToken idToken = current.idToken();
    if (tokens.getIDToken() != null) {
      idToken = renewedIdToken(tokens, idToken);
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

  /**
   * Sends a refresh grant with {@code refreshToken}; unreachable provider, I/O errors and a client
   * that cannot build the request are transient (the caller retries later). Failures before the
   * request could be sent are {@link TokenRenewalException#unprocessed}; an I/O error after a
   * connection was opened (a reset, a timeout) may have been processed by the provider.
   */
  HTTPResponse send(String refreshToken) throws TokenRenewalException {
    OIDCProviderMetadata metadata;
    try {
      metadata = providers.metadata();
    } catch (OidcException e) {
      throw TokenRenewalException.unprocessed(
          "provider metadata unavailable: " + e.getMessage(), null, e);
    }
    try {
      return tokenEndpoint.send(new RefreshTokenGrant(new RefreshToken(refreshToken)), metadata);
    } catch (IOException e) {
      log.warn("token endpoint unreachable during refresh: {}", e.toString());
      String message = "token endpoint could not be reached: " + e.getClass().getSimpleName();
      throw neverSent(e)
          ? TokenRenewalException.unprocessed(message, null, e)
          : TokenRenewalException.transientFailure(message, e);
    } catch (OidcException e) {
      throw TokenRenewalException.unprocessed(e.getMessage(), null, e);
    }
  }

  /** Whether {@code e} happened before any byte of the request could reach the provider. */
  static boolean neverSent(IOException e) {
    return e instanceof java.net.ConnectException
        || e instanceof java.net.UnknownHostException
        || e instanceof java.net.NoRouteToHostException;
  }

  /** See {@link OidcClient#checkClientCredentials()}. */
  boolean checkClientCredentials() throws OidcException {
    OIDCProviderMetadata metadata = providers.metadata();
    HTTPResponse http;
    try {
      http =
          tokenEndpoint.send(new RefreshTokenGrant(new RefreshToken(PROBE_TOKEN)), metadata);
    } catch (IOException e) {
      log.warn("token endpoint unreachable during the credential check: {}", e.toString());
      throw new OidcException(
          OidcException.Reason.PROVIDER_UNAVAILABLE,
          "token endpoint could not be reached: " + e.getClass().getSimpleName(),
          null,
          e);
    }
    if (TokenEndpoint.isTransientStatus(http.getStatusCode())) {
      throw new OidcException(
          OidcException.Reason.PROVIDER_UNAVAILABLE,
          "token endpoint must answer the credential check, but answered "
              + http.getStatusCode());
    }
    try {
      TokenEndpoint.parseTokens(http, "credential check");
    } catch (OidcException e) {
      String code = e.errorCode().orElse(null);
      if ("invalid_grant".equals(code)) {
        return true;
      }
      if (code != null && CREDENTIALS_REFUSED.contains(code)) {
        log.warn("the token endpoint refused this client's credentials: {}", code);
        throw new OidcException(
            OidcException.Reason.CLIENT_MISCONFIGURED,
            "client credentials must be accepted by the token endpoint, but were refused: " + code,
            code,
            null);
      }
      if (code == null) {
        throw e;
      }
      return false;
    }
    throw OidcException.rejected(
        OidcException.Reason.INVALID_RESPONSE,
        "token endpoint must refuse a made-up refresh token, but issued tokens for it");
  }

  /** Validates the refreshed ID token and checks it names the same identity (OIDC Core 12.2). */
  private IdToken renewedIdToken(OIDCTokens tokens, IdToken before)
      throws TokenRenewalException {
    try {
      validation.validateIdToken(tokens.getIDToken(), null, tokens.getAccessToken());
    } catch (OidcException e) {
      if (e.reason() == OidcException.Reason.PROVIDER_UNAVAILABLE
          || TokenValidation.causedBy(e, RateLimitReachedException.class)) {
        // Keys unavailable, or a key refetch rate-limited (perhaps by someone else's forged
        // tokens during a real key rotation): retry later rather than end the session.
        throw TokenRenewalException.transientFailure(e.getMessage(), e);
      }
      throw TokenRenewalException.terminal("refreshed " + e.getMessage());
    }
    IdToken renewed = IdToken.parse(tokens.getIDTokenString());
    // OIDC Core 12.2: iss, sub and aud MUST be the same as in the original ID token.
    if (!renewed.sameIdentityAs(before)) {
      log.debug(
          "refresh returned an ID token for another identity (sub {} -> {})",
          before.subject(),
          renewed.subject());
      throw TokenRenewalException.terminal(
          "refreshed ID token must keep iss, sub and aud (OIDC Core 12.2), but "
              + changedClaims(before, renewed)
              + " changed");
    }
    return renewed;
  }

  private static String changedClaims(IdToken before, IdToken after) {
    StringBuilder changed = new StringBuilder();
    if (!before.issuer().equals(after.issuer())) {
      changed.append("iss");
    }
    if (!before.subject().equals(after.subject())) {
      changed.append(changed.length() > 0 ? ", " : "").append("sub");
    }
    if (!Set.copyOf(before.audience()).equals(Set.copyOf(after.audience()))) {
      changed.append(changed.length() > 0 ? ", " : "").append("aud");
    }
    return changed.toString();
  }
}
