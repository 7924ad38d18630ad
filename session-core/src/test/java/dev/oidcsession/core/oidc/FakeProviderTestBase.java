package dev.oidcsession.core.oidc;

import dev.oidcsession.core.ExpectsWarnings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * One {@link FakeProvider} per test class, started before its first test and reset before each,
 * and one {@link OidcClient} per test built from {@link #clientConfig()} after the reset and
 * closed after the test: the shared lifecycle of the protocol integration tests. Override {@link
 * #clientConfig()} for another clock, client authentication or logout URI (instance fields are
 * initialized before it is called).
 */
@ExpectsWarnings(value = "the fake provider's issuer is plain http on loopback",
    everyTest = true, matching = "uses plain http")
abstract class FakeProviderTestBase {

  static FakeProvider provider;

  /** The client of the current test. */
  OidcClient client;

  @BeforeAll
  static void startProvider() {
    provider = FakeProvider.start();
  }

  @AfterAll
  static void stopProvider() {
    provider.stop();
  }

  @BeforeEach
  void resetProviderAndCreateClient() {
    provider.reset();
    client = OidcClient.create(clientConfig().build());
  }

  @AfterEach
  void closeClient() {
    if (client != null) {
      client.close();
    }
  }

  /** The configuration of {@link #client}: by default the fake's client with {@code client_secret_basic}. */
  OidcClientConfig.Builder clientConfig() {
    return provider.config().clientSecretBasic(FakeProvider.CLIENT_SECRET);
  }
}
