package dev.oidcsession.servlet;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.oidcsession.servlet.Browser.location;
import static dev.oidcsession.servlet.Browser.query;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.oidcsession.core.EndReason;
import dev.oidcsession.core.EndedSession;
import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.InMemorySessionStore;
import dev.oidcsession.core.ManualClock;
import dev.oidcsession.core.NoSecretsInLogs;
import dev.oidcsession.core.Session;
import dev.oidcsession.core.SessionListener;
import dev.oidcsession.core.oidc.FakeProvider;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The settings of real deployments, end to end on Jetty 12 against the WireMock provider: client
 * authentication on the wire, authorization parameters, the app's listener and executor, roles.
 */
@ExpectsWarnings(value = "each test starts a filter for a plain-http loopback provider, some"
    + " with a private key and no SESSION_SECRET", everyTest = true,
    matching = {"BASE_URL is http", "uses plain http", "no SESSION_SECRET and no client secret"})
class DeploymentSettingsIT {

  static final Duration ACCESS_LIFE = Duration.ofMinutes(10);
  static final AtomicInteger CODES = new AtomicInteger();

  static final FakeProvider provider = FakeProvider.start();
  final ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  final int port = Browser.freePort();
  final String base = "http://127.0.0.1:" + port;
  Server server;
  OidcSessionFilter filter;
  Browser browser;

  @TempDir
  Path dir;

  @BeforeEach
  void fresh() {
    provider.reset();
    browser = new Browser(base);
  }

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.stop();
    }
    if (filter != null) {
      filter.destroy();
    }
  }

  @AfterAll
  static void stopProvider() {
    provider.stop();
  }

  /** The filter from these environment variables (plus the provider's), in Jetty. */
  void start(Map<String, String> environment) throws Exception {
    start(OidcSessionConfig.fromSources(name -> null, env(environment)::get));
  }

  Map<String, String> env(Map<String, String> extra) {
    Map<String, String> all = new HashMap<>(Map.of("BASE_URL", base,
        "OIDC_ISSUER", provider.issuer(), "OIDC_CLIENT_ID", FakeProvider.CLIENT_ID));
    all.putAll(extra);
    return all;
  }

  void start(OidcSessionConfig.Builder config) throws Exception {
    filter = new OidcSessionFilter(config.store(new InMemorySessionStore(clock)).clock(clock).build());
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new RolesApp()), "/*");
    server.setHandler(context);
    server.start();
  }

  /** Logs in as {@code subject} with {@code claims} in the ID token; returns the authorize query. */
  Map<String, String> login(String subject, String query, Map<String, Object> claims) {
    HttpResponse<String> start = browser.navigate("/oidc/login?return_to=%2Fapp" + query);
    assertThat(start.statusCode()).as(start.body()).isEqualTo(302);
    Map<String, String> authorize = query(location(start));
    provider.answerCode(subject, "sid-" + subject, authorize.get("nonce"), clock, ACCESS_LIFE,
        claims);
    HttpResponse<String> callback = browser.navigate("/oidc/callback?code=deploy-"
        + CODES.incrementAndGet() + "&state="
        + URLEncoder.encode(authorize.get("state"), StandardCharsets.UTF_8));
    assertThat(callback.statusCode()).as(callback.body()).isEqualTo(302);
    return authorize;
  }

  LoggedRequest tokenRequest() {
    List<LoggedRequest> requests = provider.server.findAll(postRequestedFor(urlPathEqualTo("/token")));
    assertThat(requests).hasSize(1);
    return requests.get(0);
  }

  static Map<String, String> form(String body) {
    Map<String, String> form = new HashMap<>();
    for (String pair : body.split("&")) {
      String[] kv = pair.split("=", 2);
      form.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
          URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
    }
    return form;
  }

  @Test
  void privateKeyJwt_rsaPemFromTheEnvironment_signsAValidClientAssertion() throws Exception {
    KeyPair pair = TestKeys.rsa();
    Path key = TestKeys.write(dir, "client.pem", TestKeys.pem(pair));
    start(Map.of("OIDC_CLIENT_AUTH", "private_key_jwt", "OIDC_CLIENT_KEY_FILE", key.toString(),
        "OIDC_CLIENT_KEY_ID", "client-key-1"));
    login("alice", "", Map.of());
    assertClientAssertion(tokenRequest(), new RSASSAVerifier((RSAPublicKey) pair.getPublic()),
        "RS256");
    assertThat(browser.navigate("/app").body()).contains("user=alice");
  }

  @Test
  void privateKeyJwt_ecPem_signsAValidClientAssertion() throws Exception {
    KeyPair pair = TestKeys.ec("secp256r1");
    Path key = TestKeys.write(dir, "client-ec.pem", TestKeys.pem(pair));
    start(Map.of("OIDC_CLIENT_KEY_FILE", key.toString(), "OIDC_CLIENT_KEY_ID", "client-key-1"));
    login("alice", "", Map.of());
    assertClientAssertion(tokenRequest(), new ECDSAVerifier((ECPublicKey) pair.getPublic()),
        "ES256");
  }

  private void assertClientAssertion(LoggedRequest request, JWSVerifier verifier, String alg)
      throws Exception {
    assertThat(request.containsHeader("Authorization")).isFalse();
    Map<String, String> body = form(request.getBodyAsString());
    assertThat(body).doesNotContainKey("client_secret")
        .containsEntry("client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    SignedJWT assertion = SignedJWT.parse(body.get("client_assertion"));
    assertThat(assertion.verify(verifier)).isTrue();
    assertThat(assertion.getHeader().getAlgorithm().getName()).isEqualTo(alg);
    assertThat(assertion.getHeader().getKeyID()).isEqualTo("client-key-1");
    JWTClaimsSet claims = assertion.getJWTClaimsSet();
    // OIDC Core 9 / RFC 7523 §3: iss = sub = client_id, aud the token endpoint (or issuer), exp, jti.
    assertThat(claims.getIssuer()).isEqualTo(FakeProvider.CLIENT_ID);
    assertThat(claims.getSubject()).isEqualTo(FakeProvider.CLIENT_ID);
    assertThat(claims.getAudience()).containsAnyOf(provider.issuer() + "/token", provider.issuer());
    assertThat(claims.getExpirationTime().toInstant()).isAfter(Instant.now());
    assertThat(claims.getJWTID()).isNotBlank();
  }

  @Test
  void clientSecretPost_putsTheSecretInTheBodyAndNotInAHeader() throws Exception {
    NoSecretsInLogs.forbid(FakeProvider.CLIENT_SECRET);
    start(OidcSessionConfig.fromSources(
        Map.of("OIDC_CLIENT_AUTH", "client_secret_post", "OIDC_CLIENT_SECRET",
            FakeProvider.CLIENT_SECRET)::get,
        env(Map.of())::get));
    login("bob", "", Map.of());
    LoggedRequest request = tokenRequest();
    assertThat(request.containsHeader("Authorization")).isFalse();
    assertThat(form(request.getBodyAsString()))
        .containsEntry("client_id", FakeProvider.CLIENT_ID)
        .containsEntry("client_secret", FakeProvider.CLIENT_SECRET);
  }

  @Test
  void authorizationParameters_fixedAndFromTheLoginLink_reachTheProvider() throws Exception {
    start(Map.of("OIDC_PROMPT", "consent", "OIDC_ACR_VALUES", "gold silver",
        "OIDC_AUDIENCE", "https://api.example.com", "OIDC_RESOURCE", "https://api.example.com/v1"));
    Map<String, String> fixed = login("carol", "", Map.of());
    assertThat(fixed).containsEntry("prompt", "consent").containsEntry("acr_values", "gold silver")
        .containsEntry("audience", "https://api.example.com")
        .containsEntry("resource", "https://api.example.com/v1").doesNotContainKey("login_hint");

    HttpResponse<String> linked =
        browser.navigate("/oidc/login?return_to=%2Fapp&prompt=login&login_hint=carol%40example.com");
    assertThat(query(location(linked))).containsEntry("prompt", "login")
        .containsEntry("login_hint", "carol@example.com").containsEntry("acr_values", "gold silver");
  }

  @Test
  void authorizationParameters_badOnesFromTheLoginLink_are400WithAReason() throws Exception {
    start(Map.of());
    HttpResponse<String> prompt = browser.navigate("/oidc/login?return_to=%2Fapp&prompt=none+login");
    assertThat(prompt.statusCode()).isEqualTo(400);
    assertThat(prompt.body()).isEqualTo("login refused: prompt must be space-separated values of"
        + " none, login, consent, select_account, create (none alone), but was none login\n");
    HttpResponse<String> twice = browser.navigate("/oidc/login?login_hint=a&login_hint=b");
    assertThat(twice.statusCode()).isEqualTo(400);
    assertThat(twice.body())
        .isEqualTo("login refused: login_hint must be given at most once, but was given 2 times\n");
    HttpResponse<String> longHint = browser.navigate("/oidc/login?login_hint=" + "x".repeat(257));
    assertThat(longHint.statusCode()).isEqualTo(400);
    assertThat(longHint.body()).isEqualTo("login refused: login_hint must be 1 to 256 characters"
        + " without control characters, but had 257 characters\n");
    assertThat(browser.navigate("/oidc/login?login_hint=" + "x".repeat(256)).statusCode())
        .isEqualTo(302);
    assertThat(provider.server.getAllServeEvents()).noneMatch(e -> e.getRequest().getUrl()
        .startsWith("/token"));
  }

  @Test
  void listenerAndExecutor_givenByTheApp_hearEveryEventAndOutliveTheFilter() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    SessionListener listener = new SessionListener() {
      @Override
      public void created(Session session) {
        events.add("created " + session.subject());
      }

      @Override
      public void renewed(Session previous, Session renewed) {
        events.add("renewed " + renewed.subject());
      }

      @Override
      public void ended(EndedSession ended) {
        events.add("ended " + ended.session().map(Session::subject).orElse("?") + " "
            + ended.reason());
      }
    };
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    try {
      start(OidcSessionConfig.fromSources(name -> null, env(Map.of())::get)
          .listener(listener).executor(executor));
      login("dave", "", Map.of());
      Instant renewAt = Instant.parse((String) JSONObjectUtils.parse(
          browser.get("/oidc/session").body()).get("renewAt"));
      clock.set(renewAt.plusSeconds(1));
      provider.answerRefresh("dave", "sid-dave", clock, ACCESS_LIFE);
      org.awaitility.Awaitility.await().until(() -> {
        browser.get("/oidc/session");
        return events.contains("renewed dave");
      });
      assertThat(browser.post("/oidc/logout", "", "Origin", base).statusCode()).isEqualTo(303);
      assertThat(events).containsExactly("created dave", "renewed dave",
          "ended dave " + EndReason.LOGGED_OUT);
      server.stop();
      server = null;
      filter.destroy();
      filter = null;
      assertThat(executor.isShutdown()).isFalse();
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void isUserInRole_nestedClaim_readsTheDottedPathOfTheIdToken() throws Exception {
    start(Map.of("OIDC_ROLES_CLAIM", "realm_access.roles"));
    login("erin", "", Map.of("realm_access", Map.of("roles", List.of("admin", "user"))));
    assertThat(browser.navigate("/app").body())
        .isEqualTo("user=erin admin=true user=true auditor=false");
  }

  @Test
  void isUserInRole_stringClaimOrNone_splitsOnSpacesOrIsFalse() throws Exception {
    start(Map.of("OIDC_ROLES_CLAIM", "groups"));
    login("fay", "", Map.of("groups", "user auditor"));
    assertThat(browser.navigate("/app").body())
        .isEqualTo("user=fay admin=false user=true auditor=true");
    login("gus", "", Map.of());
    assertThat(browser.navigate("/app").body())
        .isEqualTo("user=gus admin=false user=false auditor=false");
  }

  /** Prints who the user is and which of three roles the request grants. */
  static final class RolesApp extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
        throws java.io.IOException {
      response.setContentType("text/plain;charset=utf-8");
      response.getWriter().write("user=" + request.getRemoteUser()
          + " admin=" + request.isUserInRole("admin")
          + " user=" + request.isUserInRole("user")
          + " auditor=" + request.isUserInRole("auditor"));
    }
  }
}
