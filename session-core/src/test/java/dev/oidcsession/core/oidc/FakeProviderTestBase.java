package dev.oidcsession.core.oidc;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * One {@link FakeProvider} per test class, started before its first test and reset before each:
 * the shared lifecycle of the protocol integration tests.
 */
abstract class FakeProviderTestBase {

  static FakeProvider provider;

  @BeforeAll
  static void startProvider() {
    provider = FakeProvider.start();
  }

  @AfterAll
  static void stopProvider() {
    provider.stop();
  }

  @BeforeEach
  void resetProvider() {
    provider.reset();
  }
}
