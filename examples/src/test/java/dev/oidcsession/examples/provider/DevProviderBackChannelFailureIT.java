package dev.oidcsession.examples.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.NoSecretsInLogs;
import dev.oidcsession.core.TokenSet;
import dev.oidcsession.core.oidc.LoginRedirect;
import dev.oidcsession.core.oidc.LogoutRedirect;
import dev.oidcsession.core.oidc.OidcClient;
import dev.oidcsession.core.oidc.OidcClientConfig;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Back-channel receivers that fail (HTTP 500, a socket that never answers, a closed port) do not
 * hold up or break the logout: each delivery gives up after {@link DevProvider#BACK_CHANNEL_TIMEOUT}
 * and the working receiver still gets its token.
 */
@ExpectsWarnings(value = "back-channel receivers fail on purpose; the development provider warns"
    + " that it is one", everyTest = true)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(NoSecretsInLogs.class)
class DevProviderBackChannelFailureIT {

  static final URI REDIRECT = URI.create("http://localhost:8080/oidc/callback");
  static final URI POST_LOGOUT = URI.create("http://localhost:8080/");

  private final LoginBrowser browser = new LoginBrowser();
  private HttpServer failing;
  private ServerSocket silent;
  private int closedPort;
  private BackChannelReceiver working;
  private DevProvider provider;
  private OidcClient client;

  @BeforeAll
  void start() throws Exception {
    failing = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    failing.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.sendResponseHeaders(500, -1);
      exchange.close();
    });
    failing.start();
    silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    working = new BackChannelReceiver();
    provider =
        DevProvider.builder()
            .client("example-app", "example-secret", REDIRECT)
            .postLogoutRedirectUri(POST_LOGOUT)
            .backChannelLogoutUri(URI.create("http://127.0.0.1:" + failing.getAddress().getPort() + "/bcl"))
            .backChannelLogoutUri(URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/bcl"))
            .backChannelLogoutUri(URI.create("http://127.0.0.1:" + closedPort + "/bcl"))
            .backChannelLogoutUri(working.uri())
            .build();
    provider.start();
    client = OidcClient.create(
        OidcClientConfig.builder()
            .issuer(provider.issuer())
            .clientId("example-app")
            .clientSecretBasic("example-secret")
            .redirectUri(REDIRECT)
            .postLogoutRedirectUri(POST_LOGOUT)
            .build());
  }

  @AfterAll
  void stop() throws Exception {
    client.close();
    provider.close();
    working.close();
    failing.stop(0);
    silent.close();
  }

  @Test
  void logout_withFailingReceivers_stillRedirectsWithinTheTimeout_andNotifiesTheWorkingOne() throws Exception {
    LoginRedirect start = client.startLogin("/");
    TokenSet tokens = client.completeLogin(browser.login(start.authorizationUri(), "uma"), start.pending());
    LogoutRedirect logout = client.logoutRedirect(tokens.idToken()).orElseThrow();

    long began = System.nanoTime();
    HttpResponse<String> response = browser.get(logout.endSessionUri());
    Duration took = Duration.ofNanos(System.nanoTime() - began);

    assertThat(response.statusCode()).isEqualTo(302);
    assertThat(took).isLessThan(DevProvider.BACK_CHANNEL_TIMEOUT.multipliedBy(3));
    assertThat(client.validateLogoutToken(working.next()).subject()).contains("uma");
    assertThat(provider.backChannelDeliveries()).isEqualTo(1);
  }
}
