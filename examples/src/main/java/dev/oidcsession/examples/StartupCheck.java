package dev.oidcsession.examples;

import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import dev.oidcsession.core.IdToken;
import dev.oidcsession.core.SessionStore;
import dev.oidcsession.core.SessionStoreUnavailableException;
import dev.oidcsession.core.StoreKey;
import dev.oidcsession.core.TokenRenewalException;
import dev.oidcsession.core.TokenSecret;
import dev.oidcsession.core.TokenSet;
import dev.oidcsession.core.oidc.OidcClient;
import dev.oidcsession.core.oidc.OidcClientConfig.ClientAuthMethod;
import dev.oidcsession.core.oidc.OidcException;
import dev.oidcsession.examples.ExampleApp.StartupException;
import dev.oidcsession.servlet.OidcSessionConfig;
import java.time.Duration;
import java.util.Date;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.OkHttpClient;
import okhttp3.Response;

/**
 * Checks at start-up what would otherwise fail at the first login: the provider answers discovery,
 * the client credentials are accepted, Redis answers. Each failure is one sentence. The protocol
 * client is built from {@link OidcSessionConfig#oidcClientConfig()}, the filter's own mapping, so
 * every client authentication method is checked the way the filter will use it.
 */
final class StartupCheck {

  private StartupCheck() {}

  static void provider(OidcSessionConfig config) {
    AtomicReference<String> tokenError = new AtomicReference<>();
    OkHttpClient http = config.httpClient().newBuilder()
        .addInterceptor(chain -> {
          Response response = chain.proceed(chain.request());
          if (chain.request().method().equals("POST")) {
            tokenError.set(response.isSuccessful() ? ""
                : Objects.requireNonNullElse(errorCode(response.peekBody(16_384).string()), ""));
          }
          return response;
        })
        .build();
    try (OidcClient client = OidcClient.create(config.oidcClientConfig(), http)) {
      try {
        client.providerMetadata();
      } catch (OidcException e) {
        throw new StartupException("OIDC_ISSUER " + config.issuer() + " did not answer discovery ("
            + e.getMessage() + ")", e);
      }
      if (config.clientAuthMethod() != ClientAuthMethod.NONE) {
        checkClientCredentials(config, client, tokenError);
      }
    }
  }

  /**
   * A refresh grant with a made-up token, sent by the library's own client authentication: a
   * provider answers {@code invalid_grant} when it accepts the client's credentials and {@code
   * invalid_client} when it does not (RFC 6749 §5.2).
   */
  private static void checkClientCredentials(OidcSessionConfig config, OidcClient client,
      AtomicReference<String> tokenError) {
    try {
      client.renew(probe(config));
    } catch (TokenRenewalException e) {
      String code = tokenError.get();
      if ("invalid_client".equals(code) || "unauthorized_client".equals(code)) {
        throw new StartupException("the client credentials (OIDC_CLIENT_ID with "
            + config.clientAuthMethod().name().toLowerCase(java.util.Locale.ROOT)
            + ") were refused by " + config.issuer() + " (" + code + ")", e);
      }
      if (code == null) {
        throw new StartupException("the token endpoint of " + config.issuer()
            + " could not be reached: " + e.getMessage(), e);
      }
    }
  }

  /** Tokens that exist only to carry a made-up refresh token; never sent anywhere but there. */
  private static TokenSet probe(OidcSessionConfig config) {
    JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(config.issuer().toString())
        .subject("oidc-session-startup-check").audience(config.clientId())
        .expirationTime(Date.from(config.clock().instant().plus(Duration.ofMinutes(1)))).build();
    IdToken idToken = IdToken.parse(new PlainJWT(new PlainHeader(), claims).serialize());
    return new TokenSet(TokenSecret.of("oidc-session-startup-check"), Optional.empty(), idToken,
        Optional.of(TokenSecret.of("oidc-session-startup-check")), "openid");
  }

  private static String errorCode(String body) {
    try {
      Object error = JSONObjectUtils.parse(body).get("error");
      return error instanceof String s ? s : null;
    } catch (java.text.ParseException e) {
      return null;
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
