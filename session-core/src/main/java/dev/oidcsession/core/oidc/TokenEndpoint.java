package dev.oidcsession.core.oidc;

import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.TokenRevocationRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.oauth2.sdk.token.Token;
import com.nimbusds.oauth2.sdk.token.TypelessAccessToken;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.token.OIDCTokens;
import dev.oidcsession.core.TokenSet;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of the token and revocation endpoints: sends a grant with the client's
 * authentication, parses the answer into tokens or an {@link OidcException.Reason#TOKEN_ERROR},
 * classifies transient statuses and reads {@code Retry-After}. Never retries. Thread-safe.
 */
final class TokenEndpoint {

  private static final Logger log = LoggerFactory.getLogger(TokenEndpoint.class);

  private final ClientID clientId;
  private final ClientAuthentication authentication;
  private final OkHttpSender sender;

  TokenEndpoint(OidcClientConfig config, OkHttpSender sender) {
    this.clientId = new ClientID(config.clientId());
    this.authentication = config.clientAuthentication();
    this.sender = sender;
  }

  /**
   * Sends {@code grant} to the provider's token endpoint, authenticated.
   *
   * @throws OidcException {@link OidcException.Reason#CLIENT_MISCONFIGURED} if the provider has no
   *     token endpoint or the client assertion cannot be signed
   */
  HTTPResponse send(AuthorizationGrant grant, OIDCProviderMetadata metadata)
      throws IOException, OidcException {
    URI endpoint = metadata.getTokenEndpointURI();
    if (endpoint == null) {
      throw OidcException.rejected(
          OidcException.Reason.CLIENT_MISCONFIGURED,
          "provider must have a token_endpoint, but has none");
    }
    var auth = authentication.forRequest(clientId, endpoint);
    TokenRequest request =
        auth == null
            ? new TokenRequest.Builder(endpoint, clientId, grant).build()
            : new TokenRequest.Builder(endpoint, auth, grant).build();
    return request.toHTTPRequest().send(sender);
  }

  /**
   * The tokens of a successful answer.
   *
   * @throws OidcException {@link OidcException.Reason#TOKEN_ERROR} with the OAuth error code, or
   *     {@link OidcException.Reason#INVALID_RESPONSE} if unreadable
   */
  static OIDCTokens parseTokens(HTTPResponse http, String grant) throws OidcException {
    TokenResponse parsed;
    try {
      parsed = OIDCTokenResponseParser.parse(http);
    } catch (ParseException e) {
      throw OidcException.rejected(
          OidcException.Reason.INVALID_RESPONSE,
          "token endpoint must answer a token or error response, but answered an unreadable HTTP "
              + http.getStatusCode());
    }
    if (!parsed.indicatesSuccess()) {
      ErrorObject error = parsed.toErrorResponse().getErrorObject();
      String code = error.getCode();
      log.debug(
          "token endpoint refused the {} grant: {} (HTTP {})", grant, code, http.getStatusCode());
      throw new OidcException(
          OidcException.Reason.TOKEN_ERROR,
          "token endpoint refused the "
              + grant
              + ": "
              + code
              + " (HTTP "
              + http.getStatusCode()
              + ")",
          code,
          null);
    }
    return ((OIDCTokenResponse) parsed.toSuccessResponse()).getOIDCTokens();
  }

  /**
   * Revokes the refresh token of {@code tokens}, or its access token when it has none (RFC 7009).
   *
   * @return false if the provider has no {@code revocation_endpoint}
   */
  boolean revoke(TokenSet tokens, OIDCProviderMetadata metadata) throws OidcException {
    URI endpoint = metadata.getRevocationEndpointURI();
    if (endpoint == null) {
      log.debug("provider {} has no revocation endpoint; nothing revoked", metadata.getIssuer());
      return false;
    }
    Token token =
        tokens.refreshToken().isPresent()
            ? new RefreshToken(tokens.refreshToken().get().value())
            : new TypelessAccessToken(tokens.accessToken().value());
    // OIDC Core 9: a client assertion's aud is the token endpoint, also at the revocation
    // endpoint (Keycloak refuses the revocation endpoint's URL there: invalid_client).
    URI tokenEndpoint = metadata.getTokenEndpointURI();
    var auth = authentication.forRequest(clientId, tokenEndpoint != null ? tokenEndpoint : endpoint);
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

  /** 429 and 5xx: the provider may answer differently later. */
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
}
