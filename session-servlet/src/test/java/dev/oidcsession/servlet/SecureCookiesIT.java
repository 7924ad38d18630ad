package dev.oidcsession.servlet;

import static dev.oidcsession.servlet.Browser.location;
import static dev.oidcsession.servlet.Browser.query;
import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.InMemorySessionStore;
import dev.oidcsession.core.ManualClock;
import dev.oidcsession.core.oidc.FakeProvider;
import jakarta.servlet.DispatcherType;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With an https base URL, every cookie is {@code __Host-} prefixed and {@code Secure}. */
@ExpectsWarnings(value = "the provider double's issuer is plain http on loopback",
    matching = "uses plain http")
class SecureCookiesIT {

  static final FakeProvider provider = FakeProvider.start();
  static final ManualClock clock = new ManualClock(Instant.now());
  static final int port = Browser.freePort();
  static Server server;
  static OidcSessionFilter filter;

  @BeforeAll
  static void start() throws Exception {
    provider.reset();
    filter = new OidcSessionFilter(OidcSessionConfig.builder()
        .baseUrl("https://app.example.test")
        .issuer(provider.issuer())
        .clientId(FakeProvider.CLIENT_ID)
        .clientSecret(FakeProvider.CLIENT_SECRET)
        .store(new InMemorySessionStore(clock))
        .clock(clock)
        .build());
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new TestApp()), "/*");
    server.setHandler(context);
    server.start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop();
    filter.destroy();
    provider.stop();
  }

  @Test
  void cookies_httpsBaseUrl_areHostPrefixedSecureHttpOnlyLax() {
    Browser browser = new Browser("http://127.0.0.1:" + port);
    HttpResponse<String> start = browser.navigate("/oidc/login?return_to=/app");
    assertThat(start.headers().allValues("Set-Cookie")).singleElement().satisfies(c -> assertThat(c)
        .matches("__Host-oidc-login-[0-9a-f]{16}=[A-Za-z0-9_.-]+; Path=/; HttpOnly; SameSite=Lax;"
            + " Secure; Max-Age=600"));
    assertThat(query(location(start))).containsEntry("redirect_uri",
        "https://app.example.test/oidc/callback");
    var params = query(location(start));
    provider.answerCode("carol", "sid-s", params.get("nonce"), clock, Duration.ofMinutes(10));
    HttpResponse<String> callback = browser.navigate("/oidc/callback?code=secure-1&state="
        + URLEncoder.encode(params.get("state"), StandardCharsets.UTF_8));
    assertThat(callback.statusCode()).as(callback.body()).isEqualTo(302);
    assertThat(callback.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c)
        .matches("__Host-oidc-session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Lax; Secure"));
    assertThat(browser.navigate("/app").body()).contains("user=carol");
  }
}
