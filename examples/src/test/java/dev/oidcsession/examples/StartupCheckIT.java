package dev.oidcsession.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.NoSecretsInLogs;
import dev.oidcsession.examples.ExampleApp.StartupException;
import dev.oidcsession.examples.provider.DevProvider;
import dev.oidcsession.servlet.Browser;
import java.net.URI;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The example's start-up check of the client credentials goes through the filter's own client
 * authentication ({@code OidcSessionConfig.oidcClientConfig()}), for each secret method.
 */
@ExpectsWarnings(value = "start-up checks against a plain-http development provider, some"
    + " misconfigured on purpose", everyTest = true)
class StartupCheckIT {

  static final String SECRET = "startup-check-secret-1a2b3c4d";
  static final int port = Browser.freePort();
  static final String base = "http://localhost:" + port;
  static DevProvider provider;

  @BeforeAll
  static void start() throws Exception {
    NoSecretsInLogs.forbid(SECRET);
    provider = DevProvider.builder()
        .client("startup-app", SECRET, URI.create(base + "/oidc/callback"))
        .build();
    provider.start();
  }

  @AfterAll
  static void stop() {
    provider.close();
  }

  private static Map<String, String> env(String method, String secret) {
    Map<String, String> env = new HashMap<>(Map.of("PORT", Integer.toString(port),
        "BASE_URL", base, "OIDC_ISSUER", provider.issuer(), "OIDC_CLIENT_ID", "startup-app",
        "OIDC_CLIENT_SECRET", secret));
    env.put("OIDC_CLIENT_AUTH", method);
    return env;
  }

  @Test
  void clientCredentials_wrongSecret_stopTheAppWithOneSentence() {
    for (String method : new String[] {"client_secret_basic", "client_secret_post"}) {
      assertThatThrownBy(() -> ExampleApp.start(env(method, "wrong-secret")::get,
          Clock.systemUTC()))
          .isInstanceOf(StartupException.class)
          .hasMessage("the client credentials (OIDC_CLIENT_ID with " + method + ") were refused by "
              + provider.issuer() + " (invalid_client)");
    }
  }

  @Test
  void clientCredentials_rightSecret_start() {
    for (String method : new String[] {"client_secret_basic", "client_secret_post"}) {
      try (ExampleApp app = ExampleApp.start(env(method, SECRET)::get, Clock.systemUTC())) {
        assertThat(app.mode()).contains("provider " + provider.issuer());
      }
    }
  }
}
