package dev.oidcsession.servlet;

import static dev.oidcsession.servlet.Browser.location;
import static dev.oidcsession.servlet.Browser.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.InMemorySessionStore;
import dev.oidcsession.core.IndexKey;
import dev.oidcsession.core.ManualClock;
import dev.oidcsession.core.NoSecretsInLogs;
import dev.oidcsession.core.SwitchableStore;
import dev.oidcsession.core.internal.Digests;
import dev.oidcsession.core.oidc.FakeProvider;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What an app behind {@link OidcSessionFilter} relies on, over real HTTP against a real servlet
 * container, with WireMock as the provider. Subclasses start the container once per class.
 */
@ExpectsWarnings(value = "the test deployment is plain http on loopback",
    matching = {"BASE_URL is http", "uses plain http"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OidcSessionFilterContract {

  static final Duration ACCESS_LIFE = Duration.ofMinutes(10);

  final FakeProvider provider = FakeProvider.start();
  final ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  final SwitchableStore store = new SwitchableStore(new InMemorySessionStore(clock));
  final int port = Browser.freePort();
  final String base = "http://127.0.0.1:" + port;
  final OidcSessionFilter filter = node(base);
  AutoCloseable server;
  Browser browser;

  /** A filter as every node of this app has it: same provider, client, store and clock. */
  OidcSessionFilter node(String baseUrl) {
    return new OidcSessionFilter(OidcSessionConfig.builder()
        .baseUrl(baseUrl)
        .issuer(provider.issuer())
        .clientId(FakeProvider.CLIENT_ID)
        .clientSecret(FakeProvider.CLIENT_SECRET)
        .publicPaths("/public/*")
        .store(store)
        .clock(clock)
        .build());
  }

  /**
   * Starts a container on {@code port} with {@code filter} on {@code /*} before {@link TestApp};
   * closing the result stops it.
   */
  abstract AutoCloseable serve(OidcSessionFilter filter, int port) throws Exception;

  /** A second node of the same app (same store, same secrets), on its own port; a fresh filter. */
  final class SecondNode implements AutoCloseable {
    final int port = Browser.freePort();
    final OidcSessionFilter filter = node(base); // behind one load balancer: one base URL
    final AutoCloseable server;

    SecondNode() throws Exception {
      server = serve(filter, port);
    }

    String url(String path) {
      return "http://127.0.0.1:" + port + path;
    }

    @Override
    public void close() throws Exception {
      server.close();
      filter.destroy();
    }
  }

  @BeforeEach
  void fresh() throws Exception {
    if (browser == null) {
      server = serve(filter, port);
    }
    provider.reset();
    store.up();
    clock.set(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    browser = new Browser(base);
    NoSecretsInLogs.forbid(FakeProvider.CLIENT_SECRET);
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
    filter.destroy();
    provider.stop();
  }

  private static final java.util.concurrent.atomic.AtomicInteger CODES =
      new java.util.concurrent.atomic.AtomicInteger();

  /** A fresh authorization code: the client refuses a code it has seen (replay). */
  static String code() {
    return "code-" + CODES.incrementAndGet();
  }

  /** Logs in as {@code subject} through every redirect; returns the page the login returned to. */
  HttpResponse<String> login(String subject, String sid) {
    HttpResponse<String> start = browser.navigate("/oidc/login?return_to=%2Fapp%2Fpage%3Fx%3D1");
    assertThat(start.statusCode()).isEqualTo(302);
    Map<String, String> authorize = query(location(start));
    provider.answerCode(subject, sid, authorize.get("nonce"), clock, ACCESS_LIFE);
    HttpResponse<String> callback = browser.navigate(base + "/oidc/callback?code=" + code()
        + "&state=" + URLEncoder.encode(authorize.get("state"), StandardCharsets.UTF_8));
    assertThat(callback.statusCode()).as(callback.body()).isEqualTo(302);
    return browser.navigate(location(callback));
  }

  @Test
  void login_fullFlowThroughRedirects_returnsToTheRequestedPageWithThePrincipal() {
    HttpResponse<String> page = browser.navigate("/app/page?x=1");
    assertThat(page.statusCode()).isEqualTo(302);
    assertThat(location(page)).isEqualTo("/oidc/login?return_to=%2Fapp%2Fpage%3Fx%3D1");

    HttpResponse<String> start = browser.navigate(location(page));
    assertThat(start.statusCode()).isEqualTo(302);
    assertThat(start.headers().firstValue("Cache-Control")).contains("no-store");
    String authorizeUrl = location(start);
    assertThat(authorizeUrl).startsWith(provider.issuer() + "/authorize?");
    Map<String, String> params = query(authorizeUrl);
    assertThat(params).containsEntry("response_type", "code")
        .containsEntry("client_id", FakeProvider.CLIENT_ID)
        .containsEntry("redirect_uri", base + "/oidc/callback")
        .containsEntry("code_challenge_method", "S256")
        .containsKeys("state", "nonce", "code_challenge");
    assertThat(params.get("scope").split(" ")).contains("openid");
    assertThat(start.headers().allValues("Set-Cookie")).singleElement()
        .satisfies(c -> assertThat(c).startsWith("oidc-login-").contains("HttpOnly")
            .contains("SameSite=Lax").contains("Path=/").contains("Max-Age=600"));

    provider.answerCode("alice", "sid-a", params.get("nonce"), clock, ACCESS_LIFE);
    HttpResponse<String> callback = browser.navigate(base + "/oidc/callback?code=" + code() + "&state="
        + URLEncoder.encode(params.get("state"), StandardCharsets.UTF_8));
    assertThat(callback.statusCode()).isEqualTo(302);
    assertThat(location(callback)).isEqualTo("/app/page?x=1");
    List<String> setCookies = callback.headers().allValues("Set-Cookie");
    assertThat(setCookies).anySatisfy(c -> assertThat(c).startsWith("oidc-session=")
        .contains("HttpOnly").contains("SameSite=Lax").contains("Path=/")
        .doesNotContain("Secure").doesNotContain("Max-Age"));
    assertThat(setCookies).anySatisfy(c -> assertThat(c).startsWith("oidc-login-").contains("Max-Age=0"));
    browser.cookie("oidc-session").ifPresent(NoSecretsInLogs::forbid);

    HttpResponse<String> app = browser.navigate(location(callback));
    assertThat(app.statusCode()).isEqualTo(200);
    assertThat(app.body()).isEqualTo("path=/app/page user=alice auth=OIDC principal=OidcPrincipal"
        + " name=Test User alice session=true");
  }

  @Test
  void login_eachLoginGetsAFreshCookieValue() {
    login("alice", "sid-1");
    String first = browser.cookie("oidc-session").orElseThrow();
    login("alice", "sid-2");
    String second = browser.cookie("oidc-session").orElseThrow();
    assertThat(second).isNotEqualTo(first);
    Browser stolen = new Browser(base);
    HttpResponse<String> withOld = stolen.get("/app", "Cookie", "oidc-session=" + first,
        "Accept", "application/json");
    assertThat(withOld.statusCode()).isEqualTo(401);
  }

  @Test
  void login_twoTabsStartedInParallel_bothComplete() {
    HttpResponse<String> tab1 = browser.navigate("/oidc/login?return_to=/one");
    HttpResponse<String> tab2 = browser.navigate("/oidc/login?return_to=/two");
    Map<String, String> p1 = query(location(tab1));
    Map<String, String> p2 = query(location(tab2));
    provider.answerCode("alice", "s1", p2.get("nonce"), clock, ACCESS_LIFE);
    HttpResponse<String> done2 = browser.navigate(base + "/oidc/callback?code=" + code() + "&state="
        + URLEncoder.encode(p2.get("state"), StandardCharsets.UTF_8));
    assertThat(location(done2)).isEqualTo("/two");
    provider.answerCode("alice", "s1", p1.get("nonce"), clock, ACCESS_LIFE);
    HttpResponse<String> done1 = browser.navigate(base + "/oidc/callback?code=" + code() + "&state="
        + URLEncoder.encode(p1.get("state"), StandardCharsets.UTF_8));
    assertThat(location(done1)).isEqualTo("/one");
  }

  @Test
  void callback_wrongState_is400WithAReason() {
    browser.navigate("/oidc/login?return_to=/x");
    HttpResponse<String> callback = browser.navigate("/oidc/callback?code=" + code() + "&state=forged");
    assertThat(callback.statusCode()).isEqualTo(400);
    assertThat(callback.body()).startsWith("no login is pending for this state in this browser");
    assertThat(browser.cookie("oidc-session")).isEmpty();
  }

  @Test
  void callback_replayed_is400() {
    HttpResponse<String> start = browser.navigate("/oidc/login?return_to=/x");
    Map<String, String> params = query(location(start));
    provider.answerCode("alice", "s", params.get("nonce"), clock, ACCESS_LIFE);
    String callbackUrl = "/oidc/callback?code=" + code() + "&state="
        + URLEncoder.encode(params.get("state"), StandardCharsets.UTF_8);
    assertThat(browser.navigate(callbackUrl).statusCode()).isEqualTo(302);
    HttpResponse<String> replay = browser.navigate(callbackUrl);
    assertThat(replay.statusCode()).isEqualTo(400);
  }

  @Test
  void callback_providerError_is400NamingTheError() {
    HttpResponse<String> start = browser.navigate("/oidc/login?return_to=/x");
    Map<String, String> params = query(location(start));
    HttpResponse<String> callback = browser.navigate("/oidc/callback?error=access_denied&state="
        + URLEncoder.encode(params.get("state"), StandardCharsets.UTF_8));
    assertThat(callback.statusCode()).isEqualTo(400);
    assertThat(callback.body()).startsWith("login failed: ").contains("access_denied");
    assertThat(callback.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
  }

  @Test
  void asyncDispatch_startAsyncThenDispatch_keepsThePrincipal() {
    login("alice", "sid-async");
    HttpResponse<String> page = browser.navigate("/async");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).isEqualTo("path=/app/after-async user=alice auth=OIDC"
        + " principal=OidcPrincipal name=Test User alice session=true");
  }

  /** Starts a login and returns its {@code state}, URL-encoded. */
  private String startedState() {
    HttpResponse<String> start = browser.navigate("/oidc/login?return_to=/x");
    return URLEncoder.encode(query(location(start)).get("state"), StandardCharsets.UTF_8);
  }

  @Test
  void callback_missingOrBlankCode_is400WithAReason() {
    for (String code : List.of("", "code=&", "code=%20&", "code=%09&")) {
      String callbackUrl = "/oidc/callback?" + code + "state=" + startedState();
      HttpResponse<String> callback = browser.navigate(callbackUrl);
      assertThat(callback.statusCode()).as(callbackUrl).isEqualTo(400);
      assertThat(callback.body()).as(callbackUrl).isEqualTo("the callback has no code parameter\n");
    }
    assertThat(provider.server.getAllServeEvents())
        .noneMatch(e -> e.getRequest().getUrl().startsWith("/token"));
  }

  @Test
  void callback_duplicateStateOrCode_is400PerRfc6749Section3_1() {
    String state = startedState();
    HttpResponse<String> twoStates = browser.navigate("/oidc/callback?code=" + code() + "&state="
        + state + "&state=" + state);
    assertThat(twoStates.statusCode()).isEqualTo(400);
    assertThat(twoStates.body()).isEqualTo("the callback must carry state at most once"
        + " (RFC 6749 §3.1), but had it 2 times\n");
    HttpResponse<String> twoCodes = browser.navigate("/oidc/callback?code=" + code() + "&code="
        + code() + "&state=" + state);
    assertThat(twoCodes.statusCode()).isEqualTo(400);
    assertThat(twoCodes.body()).isEqualTo("the callback must carry code at most once"
        + " (RFC 6749 §3.1), but had it 2 times\n");
    assertThat(provider.server.getAllServeEvents())
        .noneMatch(e -> e.getRequest().getUrl().startsWith("/token"));
  }

  @ExpectsWarnings("the provider issues born-expired tokens")
  @Test
  void callback_tokensAlreadyExpiredByOurClock_is502WithAReason() {
    HttpResponse<String> start = browser.navigate("/oidc/login?return_to=/x");
    Map<String, String> params = query(location(start));
    provider.answerCode("alice", "sid-x", params.get("nonce"), clock, Duration.ofMinutes(1));
    clock.advance(Duration.ofMinutes(2)); // within the pending login's 10 minutes
    HttpResponse<String> callback = browser.navigate("/oidc/callback?code=" + code() + "&state="
        + URLEncoder.encode(params.get("state"), StandardCharsets.UTF_8));
    assertThat(callback.statusCode()).isEqualTo(502);
    assertThat(callback.body()).isEqualTo("the identity provider issued tokens that have already"
        + " expired by this server's clock; check the clocks of both\n");
    assertThat(browser.cookie("oidc-session")).isEmpty();
  }

  @Test
  void login_openRedirectAttempts_returnToTheRoot() {
    for (String attempt : List.of("https://evil.example/", "//evil.example", "/\\evil.example",
        "/%2F%2Fevil.example", "%2F%2Fevil.example", "/%5Cevil.example", "/ok%0d%0aSet-Cookie:x=1",
        "javascript:alert(1)")) {
      Browser tab = new Browser(base);
      HttpResponse<String> start = tab.navigate(
          "/oidc/login?return_to=" + URLEncoder.encode(attempt, StandardCharsets.UTF_8));
      Map<String, String> params = query(location(start));
      provider.answerCode("alice", "s", params.get("nonce"), clock, ACCESS_LIFE);
      HttpResponse<String> callback = tab.navigate("/oidc/callback?code=" + code() + "&state="
          + URLEncoder.encode(params.get("state"), StandardCharsets.UTF_8));
      assertThat(location(callback)).as(attempt).isEqualTo("/");
    }
  }

  @Test
  void protectedPath_navigationIsRedirected_apiCallIs401() {
    assertThat(browser.navigate("/app").statusCode()).isEqualTo(302);
    HttpResponse<String> api = browser.get("/api/me", "Accept", "application/json");
    assertThat(api.statusCode()).isEqualTo(401);
    assertThat(api.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
    assertThat(api.body()).contains("\"error\":\"unauthenticated\"");
    assertThat(browser.get("/app", "Accept", "text/html", "Sec-Fetch-Mode", "cors").statusCode())
        .isEqualTo(401);
    assertThat(browser.post("/app", "a=b", "Accept", "text/html").statusCode()).isEqualTo(401);
    assertThat(browser.navigate("/public/page").body()).contains("user=null");
  }

  @Test
  void publicPath_dotSegmentsAndParameters_cannotReachAProtectedPage() {
    for (String sneaky : List.of("/public/..;/app", "/public/%2e%2e/app", "/public/%2E%2E/app",
        "/public/;x=1/../app", "/public/./../app")) {
      HttpResponse<String> page = browser.get(sneaky, "Accept", "application/json");
      assertThat(page.statusCode()).as(sneaky).isNotEqualTo(200);
      assertThat(page.body()).as(sneaky).doesNotContain("path=");
    }
  }

  @Test
  void login_startedManyTimes_keepsAtMostThreePendingLoginCookies() {
    for (int i = 0; i < 6; i++) {
      browser.navigate("/oidc/login?return_to=/tab" + i);
    }
    assertThat(browser.cookieNames()).filteredOn(n -> n.startsWith("oidc-login-")).hasSize(3);
  }

  @ExpectsWarnings("the store is down")
  @Test
  void logout_duringAStoreOutage_stillClearsTheCookie() {
    login("alice", "sid-o");
    store.down();
    HttpResponse<String> logout = browser.post("/oidc/logout", "", "Origin", base);
    assertThat(logout.statusCode()).isEqualTo(503);
    assertThat(browser.cookie("oidc-session")).isEmpty();
  }

  @ExpectsWarnings("the store is down")
  @Test
  void backChannelLogout_duringAStoreOutage_is503_andTheProvidersRetrySucceeds() {
    login("alice", "sid-x");
    String token = provider.logoutToken("sid-x", true);
    store.down();
    assertThat(browser.post("/oidc/backchannel-logout", "logout_token=" + token).statusCode())
        .isEqualTo(503);
    store.up();
    assertThat(browser.post("/oidc/backchannel-logout", "logout_token=" + token).statusCode())
        .isEqualTo(200);
    assertThat(browser.navigate("/app").statusCode()).isEqualTo(302);
  }

  @Test
  void sessionEndpoint_reportsTheSessionAsJson() throws Exception {
    HttpResponse<String> anonymous = browser.get("/oidc/session");
    assertThat(anonymous.body()).isEqualTo("{\"authenticated\":false}");
    login("alice", "sid-j");
    HttpResponse<String> json = browser.get("/oidc/session");
    assertThat(json.statusCode()).isEqualTo(200);
    assertThat(json.headers().firstValue("Cache-Control")).contains("no-store");
    Map<String, Object> body = JSONObjectUtils.parse(json.body());
    assertThat(body).containsEntry("authenticated", true).containsEntry("subject", "alice");
    assertThat(Instant.parse((String) body.get("expiresAt"))).isEqualTo(clock.instant().plus(ACCESS_LIFE));
    assertThat((String) body.get("renewAt")).endsWith("Z");
    assertThat(browser.get("/oidc/session.js").body()).contains("BroadcastChannel");
  }

  @Test
  void renewalDue_requestIsServedAtOnceAndRenewedOnceInTheBackground() throws Exception {
    login("alice", "sid-r");
    Instant renewAt = Instant.parse((String) JSONObjectUtils.parse(browser.get("/oidc/session").body())
        .get("renewAt"));
    clock.set(renewAt);
    provider.answerRefresh("alice", "sid-r", clock, ACCESS_LIFE);
    for (int i = 0; i < 5; i++) {
      assertThat(browser.navigate("/app").statusCode()).isEqualTo(200);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> provider.refreshCalls() == 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> Instant.parse((String) JSONObjectUtils
        .parse(browser.get("/oidc/session").body()).get("renewAt")).isAfter(renewAt));
    assertThat(browser.navigate("/app").statusCode()).isEqualTo(200);
    assertThat(provider.refreshCalls()).isEqualTo(1);
  }

  @Test
  void accessTokenAboutToExpire_requestWaitsForTheRenewal() throws Exception {
    login("alice", "sid-w");
    Instant before = Instant.parse((String) JSONObjectUtils.parse(browser.get("/oidc/session").body())
        .get("expiresAt"));
    clock.set(before.minusSeconds(10));
    provider.answerRefresh("alice", "sid-w", clock, ACCESS_LIFE);
    assertThat(browser.navigate("/app").statusCode()).isEqualTo(200);
    assertThat(provider.refreshCalls()).isEqualTo(1); // done before the response, not after
    Instant after = Instant.parse((String) JSONObjectUtils.parse(browser.get("/oidc/session").body())
        .get("expiresAt"));
    assertThat(after).isEqualTo(clock.instant().plus(ACCESS_LIFE));
  }

  @ExpectsWarnings("the store is down")
  @Test
  void storeUnavailable_is503WithRetryAfter_neverALogout() {
    login("alice", "sid-u");
    store.down();
    HttpResponse<String> page = browser.navigate("/app");
    assertThat(page.statusCode()).isEqualTo(503);
    assertThat(page.headers().firstValue("Retry-After")).contains("5");
    assertThat(page.headers().allValues("Set-Cookie")).isEmpty();
    assertThat(browser.get("/oidc/session").statusCode()).isEqualTo(503);
    store.up();
    assertThat(browser.navigate("/app").statusCode()).isEqualTo(200);
  }

  @Test
  void logout_crossSiteRequest_isRefusedAndKeepsTheSession() {
    login("alice", "sid-c");
    HttpResponse<String> forged = browser.post("/oidc/logout", "", "Origin", "https://evil.example");
    assertThat(forged.statusCode()).isEqualTo(403);
    HttpResponse<String> forgedSite = browser.post("/oidc/logout", "", "Sec-Fetch-Site", "cross-site");
    assertThat(forgedSite.statusCode()).isEqualTo(403);
    assertThat(browser.navigate("/app").statusCode()).isEqualTo(200);
    assertThat(browser.get("/oidc/logout").statusCode()).isEqualTo(405);
  }

  @Test
  void logout_sameOrigin_endsRevokesAndRedirectsToTheProvider() {
    login("alice", "sid-l");
    HttpResponse<String> logout = browser.post("/oidc/logout", "", "Origin", base,
        "Sec-Fetch-Site", "same-origin");
    assertThat(logout.statusCode()).isEqualTo(303);
    String target = location(logout);
    assertThat(target).startsWith(provider.issuer() + "/logout?");
    assertThat(query(target)).containsKeys("id_token_hint", "state")
        .containsEntry("post_logout_redirect_uri", base + "/");
    assertThat(provider.revocations()).isEqualTo(1);
    assertThat(browser.cookie("oidc-session")).isEmpty();
    assertThat(browser.navigate("/app").statusCode()).isEqualTo(302);
  }

  @Test
  void backChannelLogout_valid_endsTheSession_invalid_is400() throws Exception {
    login("alice", "sid-b");
    HttpResponse<String> invalid = browser.post("/oidc/backchannel-logout",
        "logout_token=" + provider.logoutToken("sid-b", false));
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(JSONObjectUtils.parse(invalid.body())).containsEntry("error", "invalid_request");
    assertThat(browser.navigate("/app").statusCode()).isEqualTo(200);

    HttpResponse<String> valid = browser.post("/oidc/backchannel-logout",
        "logout_token=" + provider.logoutToken("sid-b", true));
    assertThat(valid.statusCode()).isEqualTo(200);
    assertThat(valid.headers().firstValue("Cache-Control")).contains("no-store");
    assertThat(browser.navigate("/app").statusCode()).isEqualTo(302);
  }

  @ExpectsWarnings("the provider refuses refreshes with 503")
  @Test
  void sessionEndpoint_givesRelativeTimes_andSaysWhenTheServerHasNotRenewed() throws Exception {
    login("alice", "sid-t");
    Map<String, Object> body = JSONObjectUtils.parse(browser.get("/oidc/session").body());
    Instant renewAt = Instant.parse((String) body.get("renewAt"));
    Instant expiresAt = Instant.parse((String) body.get("expiresAt"));
    assertThat(body).containsEntry("now", clock.instant().toString())
        .containsEntry("renewalPending", false);
    assertThat(((Number) body.get("renewIn")).longValue())
        .isEqualTo(Duration.between(clock.instant(), renewAt).toSeconds()).isPositive();
    assertThat(((Number) body.get("expiresIn")).longValue()).isEqualTo(ACCESS_LIFE.toSeconds());

    // Renewal overdue and the provider down: the server backs off and says so.
    clock.set(renewAt.plusSeconds(1));
    provider.refreshDown();
    Map<String, Object> pending = JSONObjectUtils.parse(browser.get("/oidc/session").body());
    assertThat(pending).containsEntry("authenticated", true)
        .containsEntry("renewAt", body.get("renewAt"))
        .containsEntry("renewalPending", true);
    assertThat(((Number) pending.get("renewIn")).longValue()).isZero();
    assertThat(((Number) pending.get("expiresIn")).longValue())
        .isEqualTo(Duration.between(clock.instant(), expiresAt).toSeconds());
  }

  @ExpectsWarnings("the provider's keys are down; a second plain-http node starts")
  @Test
  void backChannelLogout_keysCannotBeFetched_is503_andTheProvidersRetrySucceeds() throws Exception {
    login("alice", "sid-k");
    String token = provider.logoutToken("sid-k", true);
    try (SecondNode fresh = new SecondNode()) { // has never fetched the provider's keys
      provider.keysDown();
      HttpResponse<String> down =
          browser.post(fresh.url("/oidc/backchannel-logout"), "logout_token=" + token);
      assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
      assertThat(down.headers().firstValue("Retry-After")).contains("5");
      assertThat(down.headers().firstValue("Cache-Control")).contains("no-store");
      assertThat(JSONObjectUtils.parse(down.body()))
          .containsEntry("error", "temporarily_unavailable");
      assertThat(browser.navigate("/app").statusCode()).isEqualTo(200);
    }
    provider.reset(); // keys back; the provider's retry may reach any node
    assertThat(browser.post("/oidc/backchannel-logout", "logout_token=" + token).statusCode())
        .isEqualTo(200);
    assertThat(browser.navigate("/app").statusCode()).isEqualTo(302);
  }

  @ExpectsWarnings("the store is down")
  @Test
  void publicPath_duringAStoreOutage_isServedAnonymously_protectedPathIs503() {
    login("alice", "sid-p");
    assertThat(browser.navigate("/public/page").body()).contains("user=alice");
    store.down();
    HttpResponse<String> page = browser.navigate("/public/page");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).isEqualTo(
        "path=/public/page user=null auth=null principal=none name=- session=false");
    assertThat(page.headers().allValues("Set-Cookie")).isEmpty(); // not a logout
    assertThat(browser.navigate("/app").statusCode()).isEqualTo(503);
    store.up();
    assertThat(browser.navigate("/public/page").body()).contains("user=alice");
  }
  @ExpectsWarnings(value = "a second plain-http node starts",
      matching = {"BASE_URL is http", "uses plain http"})

  @Test
  void callback_replayedWithItsCookie_onThisOrAnotherNode_is400WithoutATokenRequest()
      throws Exception {
    HttpResponse<String> start = browser.navigate("/oidc/login?return_to=/x");
    Map<String, String> params = query(location(start));
    String state = URLEncoder.encode(params.get("state"), StandardCharsets.UTF_8);
    String pendingName = browser.cookieNames().stream()
        .filter(n -> n.startsWith("oidc-login-")).findFirst().orElseThrow();
    String pendingCookie = pendingName + "=" + browser.cookie(pendingName).orElseThrow();
    provider.answerCode("alice", "s", params.get("nonce"), clock, ACCESS_LIFE);
    String callbackPath = "/oidc/callback?code=" + code() + "&state=" + state;
    assertThat(browser.navigate(callbackPath).statusCode()).isEqualTo(302);
    assertThat(provider.codeCalls()).isEqualTo(1);

    Browser replayer = new Browser();
    try (SecondNode other = new SecondNode()) {
      for (String url : List.of(other.url(callbackPath),
          other.url("/oidc/callback?code=" + code() + "&state=" + state),
          base + "/oidc/callback?code=" + code() + "&state=" + state)) {
        HttpResponse<String> replay = replayer.get(url, "Cookie", pendingCookie,
            "Accept", "text/html", "Sec-Fetch-Mode", "navigate");
        assertThat(replay.statusCode()).as(url).isEqualTo(400);
        assertThat(replay.body()).as(url)
            .isEqualTo("this login was completed already; start a new one\n");
      }
    }
    assertThat(provider.codeCalls()).isEqualTo(1);
  }

  @Test
  void backChannelIndexes_withOnlyAClientSecret_areKeyed_aStoreCopyCannotTellWhoIsLoggedIn() {
    login("alice", "sid-i");
    String issuer = provider.issuer();
    byte[] input = ("sub:" + issuer.length() + ":" + issuer + "alice")
        .getBytes(StandardCharsets.UTF_8);
    byte[] derived = Digests.hmacSha256(
        FakeProvider.CLIENT_SECRET.getBytes(StandardCharsets.UTF_8),
        "oidc-session/v1/index-key".getBytes(StandardCharsets.US_ASCII));
    assertThat(store.findKeys(index(Digests.hmacSha256(derived, input)))).isNotEmpty();
    // What anyone holding a copy of the store could compute without the client secret:
    assertThat(store.findKeys(index(Digests.sha256((issuer + "|alice")
        .getBytes(StandardCharsets.UTF_8))))).isEmpty();
    assertThat(store.findKeys(index(Digests.sha256(input)))).isEmpty();
    assertThat(store.findKeys(index(Digests.hmacSha256(
        "oidc-session/v1/index".getBytes(StandardCharsets.US_ASCII), input)))).isEmpty();
    // Nor is the raw client secret the key.
    assertThat(store.findKeys(index(Digests.hmacSha256(
        FakeProvider.CLIENT_SECRET.getBytes(StandardCharsets.UTF_8), input)))).isEmpty();
  }

  private static IndexKey index(byte[] hash) {
    return new IndexKey(Digests.base64Url(hash));
  }

  @Test
  void logout_withNeitherOriginNorSecFetchSite_isRefusedAndKeepsTheSession() {
    login("alice", "sid-n");
    HttpResponse<String> bare = browser.post("/oidc/logout", "");
    assertThat(bare.statusCode()).isEqualTo(403);
    assertThat(bare.body()).isEqualTo("logout refused: cross-site request\n");
    assertThat(browser.navigate("/app").statusCode()).isEqualTo(200);
    assertThat(browser.post("/oidc/logout", "", "Sec-Fetch-Site", "same-origin").statusCode())
        .isEqualTo(303);
  }
}
