package dev.oidcsession.examples;

import dev.oidcsession.core.SessionStore;
import dev.oidcsession.core.SessionStoreUnavailableException;
import dev.oidcsession.core.StoreKey;
import dev.oidcsession.core.oidc.OidcClient;
import dev.oidcsession.core.oidc.OidcClientConfig.ClientAuthMethod;
import dev.oidcsession.core.oidc.OidcException;
import dev.oidcsession.examples.ExampleApp.StartupException;
import dev.oidcsession.servlet.OidcSessionConfig;

/**
 * Checks at start-up what would otherwise fail at the first login: the provider answers discovery,
 * the client credentials are accepted, Redis answers. Each failure is one sentence. The protocol
 * client is built from {@link OidcSessionConfig#oidcClientConfig()}, the filter's own mapping, so
 * every client authentication method is checked the way the filter will use it.
 */
final class StartupCheck {

  private StartupCheck() {}

  static void provider(OidcSessionConfig config) {
    try (OidcClient client = OidcClient.create(config.oidcClientConfig(), config.httpClient())) {
      try {
        client.providerMetadata();
      } catch (OidcException e) {
        throw new StartupException("OIDC_ISSUER " + config.issuer() + " did not answer discovery ("
            + e.getMessage() + ")", e);
      }
      if (config.clientAuthMethod() != ClientAuthMethod.NONE) {
        checkClientCredentials(config, client);
      }
    }
  }

  /** The library's credential check: a refresh grant with a made-up token (RFC 6749 §5.2). */
  private static void checkClientCredentials(OidcSessionConfig config, OidcClient client) {
    try {
      client.checkClientCredentials();
    } catch (OidcException e) {
      if (e.reason() == OidcException.Reason.CLIENT_MISCONFIGURED && e.errorCode().isPresent()) {
        throw new StartupException("the client credentials (OIDC_CLIENT_ID with "
            + config.clientAuthMethod().registeredName() + ") were refused by "
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
