package dev.oidcsession.examples;

import dev.oidcsession.core.SessionStore;
import dev.oidcsession.core.SessionStoreUnavailableException;
import dev.oidcsession.core.StoreKey;
import dev.oidcsession.core.oidc.OidcClient;
import dev.oidcsession.core.oidc.OidcClientConfig;
import dev.oidcsession.core.oidc.OidcException;
import dev.oidcsession.examples.ExampleApp.StartupException;
import dev.oidcsession.servlet.OidcSessionConfig;

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
    try (OidcClient client = OidcClient.create(builder.build())) {
      try {
        client.providerMetadata();
      } catch (OidcException e) {
        throw new StartupException("OIDC_ISSUER " + config.issuer() + " did not answer discovery ("
            + e.getMessage() + ")", e);
      }
      if (config.clientSecret().isPresent()) {
        checkClientSecret(config, client);
      }
    }
  }

  /** The library's credential check: a refresh grant with a made-up token (RFC 6749 §5.2). */
  private static void checkClientSecret(OidcSessionConfig config, OidcClient client) {
    try {
      client.checkClientCredentials();
    } catch (OidcException e) {
      if (e.reason() == OidcException.Reason.CLIENT_MISCONFIGURED && e.errorCode().isPresent()) {
        throw new StartupException("OIDC_CLIENT_ID / OIDC_CLIENT_SECRET were refused by "
            + config.issuer() + " (" + e.errorCode().get() + ")", e);
      }
      throw new StartupException("the token endpoint of " + config.issuer()
          + " could not be reached: " + e.getMessage(), e);
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
