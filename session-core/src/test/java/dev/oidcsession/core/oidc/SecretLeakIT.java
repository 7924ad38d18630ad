package dev.oidcsession.core.oidc;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static dev.oidcsession.core.oidc.FakeProvider.ACCESS_TOKEN;
import static dev.oidcsession.core.oidc.FakeProvider.CLIENT_SECRET;
import static dev.oidcsession.core.oidc.FakeProvider.CODE;
import static dev.oidcsession.core.oidc.FakeProvider.REFRESH_TOKEN;
import static dev.oidcsession.core.oidc.FakeProvider.RSA_1;
import static dev.oidcsession.core.oidc.FakeProvider.callback;
import static dev.oidcsession.core.oidc.FakeProvider.sign;
import static dev.oidcsession.core.oidc.FakeProvider.tokens;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.TokenSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Runs every path of the public API with seeded secrets, then checks that no exception message
 * (whole cause chain), no {@code toString()} of a public value and no log event at any level holds
 * one of them.
 */
class SecretLeakIT extends FakeProviderTestBase {

  ListAppender<ILoggingEvent> logs;
  final List<String> secrets = new ArrayList<>();
  final List<Throwable> failures = new ArrayList<>();
  final List<String> printed = new ArrayList<>();

  @Override
  OidcClientConfig.Builder clientConfig() {
    return super.clientConfig().postLogoutRedirectUri(java.net.URI.create("https://app.example/bye"));
  }

  @BeforeEach
  void setUp() {
    logs = new ListAppender<>();
    logs.start();
    Logger logger = (Logger) LoggerFactory.getLogger("dev.oidcsession");
    logger.setLevel(Level.DEBUG);
    logger.addAppender(logs);
    secrets.addAll(List.of(CLIENT_SECRET, ACCESS_TOKEN, REFRESH_TOKEN, CODE));
  }

  @AfterEach
  void tearDown() {
    ((Logger) LoggerFactory.getLogger("dev.oidcsession")).detachAppender(logs);
  }

  private void seed(PendingLogin pending) {
    secrets.add(pending.state().value());
    secrets.add(pending.nonce().value());
    secrets.add(pending.codeVerifier().value());
  }

  private void fail(ThrowingCallable call) {
    Throwable t = catchThrowable(call::call);
    assertThat(t).as("expected a failure").isNotNull();
    failures.add(t);
  }

  interface ThrowingCallable {
    void call() throws Exception;
  }

  @ExpectsWarnings("a refresh answered 503 carries the seeded secrets through the failure path")
  @Test
  void everyPublicPath_seededSecrets_appearInNoMessageToStringOrLog() throws Exception {
    // A login that succeeds, and every value it yields.
    LoginRedirect login = client.startLogin("/app");
    seed(login.pending());
    String idToken = sign(provider.idClaims(login.pending().nonce().value()).build(), RSA_1);
    secrets.add(idToken);
    provider.stubToken(tokens(idToken, ACCESS_TOKEN, REFRESH_TOKEN));
    TokenSet tokens = client.completeLogin(callback(login, CODE), login.pending());
    LogoutRedirect logout = client.logoutRedirect(tokens.idToken()).orElseThrow();
    secrets.add(logout.state().orElseThrow().value());
    printed.addAll(
        List.of(
            login.toString(),
            login.pending().toString(),
            tokens.toString(),
            tokens.idToken().toString(),
            logout.toString(),
            client.toString(),
            client.config().toString()));

    // The same code again, a forged state, a wrong nonce.
    fail(() -> client.completeLogin(callback(login, CODE), login.pending()));
    LoginRedirect second = client.startLogin("/app");
    seed(second.pending());
    fail(() -> client.completeLogin(callback(login, CODE + "-2"), second.pending()));
    provider.stubToken(tokens(sign(provider.idClaims("attacker-nonce").build(), RSA_1), ACCESS_TOKEN, REFRESH_TOKEN));
    fail(() -> client.completeLogin(callback(second, CODE + "-3"), second.pending()));

    // A provider whose error description echoes the code and the refresh token.
    LoginRedirect third = client.startLogin("/app");
    seed(third.pending());
    provider.stubToken(
        aResponse()
            .withStatus(400)
            .withHeader("Content-Type", "application/json")
            .withBody(
                "{\"error\":\"invalid_grant\",\"error_description\":\"code "
                    + CODE
                    + "-4 and "
                    + REFRESH_TOKEN
                    + " are dead\"}"));
    fail(() -> client.completeLogin(callback(third, CODE + "-4"), third.pending()));
    fail(() -> client.renew(tokens));

    // Refresh: provider down, another subject.
    provider.stubToken(aResponse().withStatus(503).withHeader("Retry-After", "5"));
    fail(() -> client.renew(tokens));
    provider.stubToken(tokens(sign(provider.idClaims(null).subject("mallory").build(), RSA_1), "at-x", "rt-x"));
    secrets.addAll(List.of("at-x", "rt-x"));
    fail(() -> client.renew(tokens));

    // A logout token, replayed.
    String logoutToken = sign(provider.logoutClaims().build(), RSA_1);
    secrets.add(logoutToken);
    client.validateLogoutToken(logoutToken);
    fail(() -> client.validateLogoutToken(logoutToken));

    for (Throwable failure : failures) {
      for (Throwable t = failure; t != null; t = t.getCause()) {
        printed.add(String.valueOf(t.getMessage()));
        printed.add(t.toString());
      }
    }
    for (ILoggingEvent event : logs.list) {
      printed.add(event.getFormattedMessage());
      for (IThrowableProxy p = event.getThrowableProxy(); p != null; p = p.getCause()) {
        printed.add(String.valueOf(p.getMessage()));
      }
    }

    assertThat(failures).hasSize(8);
    assertThat(logs.list).isNotEmpty();
    for (String text : printed) {
      for (String secret : secrets) {
        assertThat(text).as("printed text must not hold a seeded secret").doesNotContain(secret);
      }
    }
  }

  @Test
  void happyPath_logsNothingAboveInfo() throws Exception {
    provider.login(client, nonce -> sign(provider.idClaims(nonce).build(), RSA_1));

    assertThat(logs.list).allSatisfy(e -> assertThat(e.getLevel().isGreaterOrEqual(Level.WARN)).isFalse());
  }
}
