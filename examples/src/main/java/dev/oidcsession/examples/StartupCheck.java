package dev.oidcsession.examples;

import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import dev.oidcsession.core.SessionStore;
import dev.oidcsession.core.SessionStoreUnavailableException;
import dev.oidcsession.core.StoreKey;
import dev.oidcsession.core.oidc.OidcClient;
import dev.oidcsession.core.oidc.OidcClientConfig;
import dev.oidcsession.core.oidc.OidcException;
import dev.oidcsession.examples.ExampleApp.StartupException;
import dev.oidcsession.servlet.OidcSessionConfig;
import java.io.IOException;

/**
 * Checks at start-up what would otherwise fail at the first login: the provider answers discovery,
 * the client credentials are accepted, Redis answers. Each failure is one sentence.
 */
final class StartupCheck {

  private StartupCheck() {}

  static void provider(OidcSessionConfig config) {
    OidcClientConfig.Builder builder = OidcClientConfig.builder()
        .issuer(config.issuer().toString())
        .clientId(config.clientId())
        .redirectUri(config.redirectUri());
    if (config.clientSecret().isPresent()) {
      builder.clientSecretBasic(config.clientSecret().get());
    } else {
      builder.publicClient();
    }
    OIDCProviderMetadata metadata;
    try (OidcClient client = OidcClient.create(builder.build())) {
      metadata = client.providerMetadata();
    } catch (OidcException e) {
      throw new StartupException("OIDC_ISSUER " + config.issuer() + " did not answer discovery ("
          + e.getMessage() + ")", e);
    }
    if (config.clientSecret().isPresent()) {
      checkClientSecret(config, metadata);
    }
  }

  /**
   * A refresh grant with a made-up token: a provider answers {@code invalid_grant} when it accepts
   * the client's credentials and {@code invalid_client} when it does not (RFC 6749 §5.2).
   */
  private static void checkClientSecret(OidcSessionConfig config, OIDCProviderMetadata metadata) {
    TokenRequest request = new TokenRequest.Builder(metadata.getTokenEndpointURI(),
        new ClientSecretBasic(new ClientID(config.clientId()),
            new Secret(config.clientSecret().orElseThrow())),
        new RefreshTokenGrant(new RefreshToken("oidc-session-startup-check"))).build();
    TokenResponse response;
    try {
      response = TokenResponse.parse(request.toHTTPRequest().send());
    } catch (IOException | com.nimbusds.oauth2.sdk.ParseException e) {
      throw new StartupException("the token endpoint of " + config.issuer()
          + " could not be reached: " + e.getMessage(), e);
    }
    if (response instanceof TokenErrorResponse error) {
      ErrorObject object = error.getErrorObject();
      if (object != null && ("invalid_client".equals(object.getCode())
          || "unauthorized_client".equals(object.getCode()))) {
        throw new StartupException("OIDC_CLIENT_ID / OIDC_CLIENT_SECRET were refused by "
            + config.issuer() + " (" + object.getCode() + ")");
      }
    }
  }

  static void redis(SessionStore store) {
    try {
      store.find(new StoreKey("startup-check-0000000000000000"));
    } catch (SessionStoreUnavailableException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new StartupException("REDIS_URL: Redis did not answer (" + cause.getMessage() + ")", e);
    }
  }
}
