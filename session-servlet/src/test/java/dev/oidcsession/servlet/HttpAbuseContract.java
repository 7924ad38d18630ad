package dev.oidcsession.servlet;

import static dev.oidcsession.servlet.Browser.location;
import static dev.oidcsession.servlet.Browser.query;
import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.InMemorySessionStore;
import dev.oidcsession.core.ManualClock;
import dev.oidcsession.core.NoSecretsInLogs;
import dev.oidcsession.core.oidc.FakeProvider;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URLDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Bad input never becomes a 5xx, a leak, a new session or a lost one. Every endpoint of the filter
 * and a protected and a public app path, over raw HTTP (so a request can carry what no
 * well-behaved client sends), against a real container and the provider double. One user is
 * logged in for the whole class; after every abusive request a test checks that:
 *
 * <ul>
 *   <li>the status is the one written in the test for this container, and never a 5xx;
 *   <li>the body holds no stack trace and no server name or version;
 *   <li>no session cookie was set and the store holds no new entry;
 *   <li>the logged-in user's session still works.
 * </ul>
 *
 * <p>Containers differ: some forms never reach the filter because Jetty or Tomcat refuse them
 * first (400, 431). Each such status is written per container with {@link #on(int, int)}.
 */
@ExpectsWarnings(value = "the test deployment is plain http on loopback",
    matching = {"BASE_URL is http", "uses plain http"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class HttpAbuseContract {

  static final Duration ACCESS_LIFE = Duration.ofMinutes(10);
  static final List<String> METHODS =
      List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "BREW");
  private static final Pattern STACK_TRACE =
      Pattern.compile("[a-z]\\.[A-Z]\\w*(Exception|Error)\\b|\\bat [a-z]+\\.[\\w.$]+\\(");
  private static final Pattern SERVER_NAME =
      Pattern.compile("(?i)jetty|tomcat|apache|servlet/\\d|java/\\d");

  final FakeProvider provider = FakeProvider.start();
  final ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  final InMemorySessionStore store = new InMemorySessionStore(clock);
  final int port = Browser.freePort();
  final String base = "http://127.0.0.1:" + port;
  final RawHttp raw = new RawHttp(port);
  final OidcSessionFilter filter = new OidcSessionFilter(OidcSessionConfig.builder()
      .baseUrl(base)
      .issuer(provider.issuer())
      .clientId(FakeProvider.CLIENT_ID)
      .clientSecret(FakeProvider.CLIENT_SECRET)
      .publicPaths("/public/*")
      .store(store)
      .clock(clock)
      .build());
  static final String REACHED_FILTER = "X-Test-Reached-Filter";
  private final List<String> seen = new ArrayList<>();
  private AutoCloseable server;
  private int codes;
  /** The logged-in user's cookie value: sent along with most abusive requests. */
  String victim;
  SoftAssertions softly;

  /** The container under test. */
  abstract Containers container();

  /** {@code jetty} on Jetty, {@code tomcat} on Tomcat: what each container answers. */
  int on(int jetty, int tomcat) {
    return container() == Containers.JETTY ? jetty : tomcat;
  }

  @BeforeAll
  void start() throws Exception {
    provider.reset();
    // The marker tells a response the filter saw from one the container gave before it.
    Filter marked = (request, response, chain) -> {
      ((HttpServletResponse) response).setHeader(REACHED_FILTER, "yes");
      filter.doFilter(request, response, chain);
    };
    server = container().start(marked, new AbuseApp(), port);
    victim = login("victim");
  }

  @AfterAll
  void stop() throws Exception {
    Files.write(Path.of("target", "http-abuse-" + container().name().toLowerCase(Locale.ROOT)
        + ".txt"), seen);
    server.close();
    filter.destroy();
    provider.stop();
  }

  @BeforeEach
  void forbidSecrets() {
    NoSecretsInLogs.forbid(FakeProvider.CLIENT_SECRET);
    NoSecretsInLogs.forbid(victim);
    softly = new SoftAssertions();
  }

  /** Logs {@code subject} in through every redirect; returns the session cookie value. */
  private String login(String subject) {
    Browser browser = new Browser(base);
    HttpResponse<String> start = browser.navigate("/oidc/login?return_to=%2Fapp");
    Map<String, String> authorize = query(location(start));
    provider.answerCode(subject, "sid-" + subject, authorize.get("nonce"), clock, ACCESS_LIFE);
    HttpResponse<String> callback = browser.navigate("/oidc/callback?code=code-" + (++codes)
        + "&state=" + URLEncoder.encode(authorize.get("state"), StandardCharsets.UTF_8));
    assertThat(callback.statusCode()).as(callback.body()).isEqualTo(302);
    return browser.cookie("oidc-session").orElseThrow();
  }

  String victimCookie() {
    return "Cookie: oidc-session=" + victim;
  }

  /**
   * Sends one abusive request and checks it against every rule of this suite; {@code expected} is
   * the exact status. Returns the response for further checks.
   */
  RawHttp.Response abuse(int expected, String method, String target, byte[] body,
      String... headers) {
    int entries = store.size();
    RawHttp.Response response = raw.send(method, target, body, headers);
    String headerText = String.join(", ", headers).replace(victim, "<victim>");
    String what = method + " " + shorten(target) + " [" + shorten(headerText) + "]"
        + (body.length == 0 ? "" : " body " + body.length + " bytes");
    boolean reached = response.header(REACHED_FILTER).isPresent();
    seen.add(response.status() + (reached ? "" : " (container)") + "\t" + what);
    softly.assertThat(response.status()).as(what + " -> " + response).isEqualTo(expected);
    softly.assertThat(response.status()).as(what + ": never a 5xx").isLessThan(500);
    if (reached) {
      // What the container answers before the filter is its configuration (SECURITY.md says
      // how to quiet its error pages); what reaches the filter is ours.
      softly.assertThat(STACK_TRACE.matcher(response.body()).find())
          .as(what + ": no stack trace in " + response).isFalse();
      softly.assertThat(SERVER_NAME.matcher(response.body()).find())
          .as(what + ": no server name in " + response).isFalse();
    }
    softly.assertThat(response.all("Set-Cookie"))
        .as(what + ": no session cookie set")
        .noneMatch(c -> c.startsWith("oidc-session=") && !c.startsWith("oidc-session=;"));
    softly.assertThat(store.size()).as(what + ": no new store entry").isEqualTo(entries);
    if (reached && response.status() >= 400 && !method.equals("HEAD")) {
      softly.assertThat(response.body().strip()).as(what + ": a reason in the body").isNotEmpty();
    }
    RawHttp.Response check = raw.send("GET", "/oidc/session", victimCookie());
    softly.assertThat(check.body()).as(what + ": the logged-in session still works")
        .contains("\"authenticated\":true");
    return response;
  }

  private static String shorten(String text) {
    return text.length() > 100 ? text.substring(0, 100) + "...(" + text.length() + ")" : text;
  }

  RawHttp.Response abuse(int expected, String method, String target, String... headers) {
    return abuse(expected, method, target, new byte[0], headers);
  }

  // ---------------------------------------------------------------------------------------------
  // Methods

  /** One endpoint: its path and the status of each of {@link #METHODS}, in order. */
  record MethodRow(String path, boolean withSession, int... statuses) {}

  List<MethodRow> methodTable() {
    // GET HEAD POST PUT DELETE PATCH OPTIONS TRACE BREW
    return List.of(
        new MethodRow("/oidc/login", true, 302, 302, 405, 405, 405, 405, 405, 405, 405),
        new MethodRow("/oidc/callback", true, 400, 400, 405, 405, 405, 405, 405, 405, 405),
        new MethodRow("/oidc/logout", true, 405, 405, 403, 405, 405, 405, 405, 405, 405),
        new MethodRow("/oidc/backchannel-logout", true,
            405, 405, 400, 405, 405, 405, 405, 405, 405),
        new MethodRow("/oidc/session", true, 200, 200, 405, 405, 405, 405, 405, 405, 405),
        new MethodRow("/oidc/session.js", true, 200, 200, 405, 405, 405, 405, 405, 405, 405),
        new MethodRow("/oidc/nothing-here", true, 404, 404, 404, 404, 404, 404, 404, 405, 404),
        new MethodRow("/oidc", true, 404, 404, 404, 404, 404, 404, 404, 405, 404),
        new MethodRow("/app/page", true, 200, 200, 200, 200, 200, 200, 200, 405, 200),
        new MethodRow("/app/page", false, 401, 401, 401, 401, 401, 401, 401, 405, 401),
        new MethodRow("/public/page", false, 200, 200, 200, 200, 200, 200, 200, 405, 200));
  }

  @Test
  void everyEndpoint_everyMethod_isAnsweredWithItsStatus_traceIsNeverEchoed() {
    for (MethodRow row : methodTable()) {
      for (int i = 0; i < METHODS.size(); i++) {
        String method = METHODS.get(i);
        String[] headers = row.withSession()
            ? new String[] {victimCookie(), "X-Echo-Probe: probe-value"}
            : new String[] {"X-Echo-Probe: probe-value"};
        RawHttp.Response response = abuse(row.statuses()[i], method, row.path(), headers);
        softly.assertThat(response.body()).as(method + " " + row.path() + ": nothing echoed")
            .doesNotContain("probe-value").doesNotContain(victim);
        if (response.status() == 405) {
          softly.assertThat(response.header("Allow")).as(method + " " + row.path() + ": Allow")
              .isPresent();
        }
      }
    }
    softly.assertAll();
  }

  // ---------------------------------------------------------------------------------------------
  // Parameters

  static final String HUNDRED_KB = "a".repeat(100 * 1024);

  @Test
  void parameters_missingBlankDuplicatedHugeOrBadlyEncoded_areRefusedWithAReason() {
    String v = victimCookie();
    String form = "Content-Type: application/x-www-form-urlencoded";
    int codeCalls = provider.codeCalls();
    // login: return_to is optional, every bad value falls back to "/"
    abuse(302, "GET", "/oidc/login", v);
    abuse(302, "GET", "/oidc/login?return_to=", v);
    abuse(302, "GET", "/oidc/login?return_to=/a&return_to=//evil.example", v);
    abuse(on(414, 400), "GET", "/oidc/login?return_to=/" + HUNDRED_KB, v);
    abuse(302, "GET", "/oidc/login?return_to=/" + "a".repeat(4000), v);
    for (String bad : List.of("%", "%zz", "/%", "/%e2%82", "/%c0%af", "/%ff%fe", "%u002f")) {
      abuse(400, "GET", "/oidc/login?return_to=" + bad, v);
    }
    abuse(400, "GET", "/oidc/login?prompt=bogus", v);
    abuse(400, "GET", "/oidc/login?prompt=login&prompt=none", v);
    abuse(400, "GET", "/oidc/login?login_hint=" + "a".repeat(4000), v);
    // callback: every one is a 400 with a reason, and never a token request
    abuse(400, "GET", "/oidc/callback", v);
    abuse(400, "GET", "/oidc/callback?state=&code=", v);
    abuse(400, "GET", "/oidc/callback?state=s&code=", v);
    abuse(400, "GET", "/oidc/callback?state=s&state=s&code=c", v);
    abuse(400, "GET", "/oidc/callback?state=s&code=c&code=d", v);
    abuse(400, "GET", "/oidc/callback?state=s&code=c&iss=a&iss=b", v);
    abuse(400, "GET", "/oidc/callback?state=s&error=e&error=f", v);
    abuse(400, "GET", "/oidc/callback?state=s&error=access_denied", v);
    abuse(400, "GET", "/oidc/callback?state=" + "s".repeat(4000) + "&code=c", v);
    abuse(on(414, 400), "GET", "/oidc/callback?state=" + HUNDRED_KB + "&code=c", v);
    for (String bad : List.of("%", "%zz", "%e2%82", "%c0%af", "%ff")) {
      abuse(400, "GET", "/oidc/callback?state=" + bad + "&code=c", v);
      abuse(400, "GET", "/oidc/callback?state=s&code=" + bad, v);
    }
    abuse(400, "GET", "/oidc/callback?state=s&code=c", v,
        "Cookie: oidc-login-s=not-a-sealed-login");
    // back-channel logout: a form POST; every bad one is a 400 with an OAuth-style error
    abuse(400, "POST", "/oidc/backchannel-logout", "".getBytes(), form);
    abuse(400, "POST", "/oidc/backchannel-logout", "logout_token=".getBytes(), form);
    abuse(400, "POST", "/oidc/backchannel-logout", "logout_token=a&logout_token=b".getBytes(),
        form);
    abuse(400, "POST", "/oidc/backchannel-logout", "logout_token=a.b.c".getBytes(), form);
    abuse(400, "POST", "/oidc/backchannel-logout",
        ("logout_token=" + HUNDRED_KB).getBytes(), form);
    abuse(400, "POST", "/oidc/backchannel-logout",
        ("logout_token=" + "eyJ".repeat(20_000) + ".x.y").getBytes(), form);
    for (String bad : List.of("%", "%zz", "%e2%82", "%c0%af")) {
      abuse(400, "POST", "/oidc/backchannel-logout", ("logout_token=" + bad).getBytes(), form);
    }
    abuse(400, "POST", "/oidc/backchannel-logout?logout_token=a.b.c", "".getBytes(), form);
    // logout: no Origin is refused before parameters are read; a same-origin one with garbage
    // parameters is a normal logout, tried last in logout_withAbusiveInput_...
    abuse(403, "POST", "/oidc/logout", ("x=" + HUNDRED_KB).getBytes(), form, v);
    abuse(403, "POST", "/oidc/logout", "x=%zz".getBytes(), form, v);
    // the session JSON and a protected page ignore parameters
    abuse(200, "GET", "/oidc/session?x=%zz&x=%", v);
    abuse(on(414, 400), "GET", "/oidc/session?x=" + HUNDRED_KB, v);
    abuse(200, "GET", "/app/page?x=%zz&x=%&y=", v);
    abuse(401, "GET", "/app/page?x=%zz&x=%&y=");
    softly.assertAll();
    assertThat(provider.codeCalls()).as("no token request from a bad callback")
        .isEqualTo(codeCalls);
  }

  // ---------------------------------------------------------------------------------------------
  // Bodies and content types

  @Test
  void bodies_wrongContentTypesAndOneMegabyte_areRefusedWithAReason() {
    String v = victimCookie();
    byte[] megabyte = ("logout_token=" + "a".repeat(1024 * 1024)).getBytes();
    byte[] token = "logout_token=a.b.c".getBytes();
    for (String type : List.of("application/json", "text/plain", "application/octet-stream",
        "application/x-www-form-urlencoded; charset=bogus-charset",
        "application/x-www-form-urlencoded; charset=UTF-16",
        "multipart/form-data; boundary=xyz", "multipart/form-data", "", "*/*")) {
      String header = "Content-Type: " + type;
      abuse(400, "POST", "/oidc/backchannel-logout", token, header);
      abuse(400, "POST", "/oidc/backchannel-logout", "{\"logout_token\":\"a.b.c\"}".getBytes(),
          header);
    }
    abuse(on(400, 400), "POST", "/oidc/backchannel-logout", megabyte,
        "Content-Type: application/x-www-form-urlencoded");
    abuse(400, "POST", "/oidc/backchannel-logout", megabyte, "Content-Type: application/json");
    abuse(403, "POST", "/oidc/logout", megabyte,
        "Content-Type: application/x-www-form-urlencoded", v);
    abuse(400, "GET", "/oidc/callback?state=s&code=c", megabyte,
        "Content-Type: application/x-www-form-urlencoded", v);
    abuse(302, "GET", "/oidc/login", megabyte, "Content-Type: application/json", v);
    abuse(200, "GET", "/oidc/session", megabyte, "Content-Type: text/plain", v);
    abuse(405, "PUT", "/oidc/session", megabyte, "Content-Type: text/plain", v);
    abuse(200, "POST", "/app/page", megabyte, "Content-Type: application/x-www-form-urlencoded",
        v);
    abuse(401, "POST", "/app/page", megabyte, "Content-Type: application/x-www-form-urlencoded");
    softly.assertAll();
  }

  // ---------------------------------------------------------------------------------------------
  // Unicode

  @Test
  void unicode_inPathsParametersAndCookies_isHandledWithoutA5xx() {
    String v = victimCookie();
    String u = "%C3%BC%E8%B7%AF%E5%BE%84%F0%9F%94%91"; // ü路径🔑, percent-encoded UTF-8
    abuse(302, "GET", "/oidc/login?return_to=/" + u, v);
    abuse(302, "GET", "/oidc/login?login_hint=" + u, v);
    abuse(400, "GET", "/oidc/callback?state=" + u + "&code=" + u, v);
    abuse(400, "POST", "/oidc/backchannel-logout", ("logout_token=" + u).getBytes(),
        "Content-Type: application/x-www-form-urlencoded");
    abuse(200, "GET", "/app/" + u, v);
    abuse(401, "GET", "/app/" + u);
    abuse(200, "GET", "/public/" + u);
    // Raw UTF-8 bytes where only ASCII belongs.
    abuse(on(400, 400), "GET", RawHttp.utf8("/app/ü路径"), v);
    abuse(on(302, 400), "GET", RawHttp.utf8("/oidc/login?return_to=/ü"), v);
    abuse(401, "GET", "/app/page", RawHttp.utf8("Cookie: oidc-session=ü路径🔑"));
    abuse(200, "GET", "/app/page", v, RawHttp.utf8("X-Name: ü路径🔑"));
    softly.assertAll();
  }

  // ---------------------------------------------------------------------------------------------
  // Cookies

  @Test
  void cookies_manyOfTheSameNameOrEightKilobytes_neverA5xxNorALostSession() {
    StringBuilder many = new StringBuilder("Cookie: ");
    for (int i = 0; i < 100; i++) {
      many.append("oidc-session=garbage").append(i).append("; ");
    }
    abuse(401, "GET", "/app/page", many.toString());
    abuse(200, "GET", "/app/page", "Cookie: oidc-session=" + victim + "; oidc-session=garbage");
    abuse(200, "GET", "/app/page", "Cookie: oidc-session=garbage; oidc-session=" + victim);
    abuse(200, "GET", "/app/page",
        "Cookie: oidc-session=a; oidc-session=b; oidc-session=" + victim);
    // Only the first three values are looked up: a request cannot make a hundred store reads.
    abuse(401, "GET", "/app/page", many + "oidc-session=" + victim);
    StringBuilder logins = new StringBuilder("Cookie: ");
    for (int i = 0; i < 100; i++) {
      logins.append("oidc-login-s").append(i).append("=x; ");
    }
    abuse(302, "GET", "/oidc/login", logins.toString());
    abuse(400, "GET", "/oidc/callback?state=s&code=c", logins + "oidc-login-s=y; oidc-login-s=z");
    abuse(on(431, 400), "GET", "/app/page", "Cookie: oidc-session=" + "a".repeat(8 * 1024));
    abuse(on(431, 400), "GET", "/oidc/session", "Cookie: oidc-session=" + "a".repeat(8 * 1024));
    abuse(401, "GET", "/app/page", "Cookie: oidc-session=" + "a".repeat(6 * 1024));
    abuse(200, "GET", "/oidc/session", "Cookie: oidc-session=" + "a".repeat(6 * 1024));
    abuse(401, "GET", "/app/page", "Cookie: oidc-session=" + victim.toUpperCase(Locale.ROOT));
    abuse(401, "GET", "/app/page", "Cookie: oidc-session=" + victim + "=");
    abuse(401, "GET", "/app/page", "Cookie: oidc-session=\"" + victim + "\"x");
    abuse(401, "GET", "/app/page", "Cookie: oidc-session=%zz; oidc-session=;");
    // The filter reads the Cookie header itself: the forms a container accepts still sign in, the
    // ones it would not hand over as this cookie do not.
    abuse(200, "GET", "/app/page", "Cookie: a=1;oidc-session=" + victim + ";b=2");
    abuse(200, "GET", "/app/page", "Cookie: a=1; oidc-session =\t" + victim + " ; b=2");
    abuse(200, "GET", "/app/page", "Cookie: a=1", "Cookie: oidc-session=" + victim);
    abuse(401, "GET", "/app/page", "Cookie: oidc-session=\"" + victim + "\"");
    abuse(401, "GET", "/app/page", "Cookie: xoidc-session=" + victim);
    abuse(401, "GET", "/app/page", "Cookie: oidc-sessionx=" + victim);
    abuse(401, "GET", "/app/page", "Cookie: oidc-session; " + victim + "=x");
    // RFC 6265 §4.1.1: no cookie-value holds ";", quoted or not, so an open quote ends at it.
    abuse(200, "GET", "/app/page", "Cookie: a=\"x;oidc-session=" + victim);
    softly.assertAll();
  }

  // ---------------------------------------------------------------------------------------------
  // Open redirects

  /** Decoded {@code return_to} values; each is sent percent-encoded, as a browser would. */
  static final List<String> REDIRECT_PAYLOADS = List.of(
      "//evil.example", "///evil.example", "////evil.example", "/\\evil.example",
      "\\/evil.example", "\\\\evil.example", "/\\/evil.example", "/\\\\evil.example",
      "https://evil.example", "http://evil.example", "https:evil.example",
      "https:/evil.example", "HTTPS://evil.example", "ftp://evil.example",
      "//evil.example/%2f..", "%2f%2fevil.example", "/%2f/evil.example",
      "/%2F%2Fevil.example", "%2F%5Cevil.example", "/%5Cevil.example", "/%5C%5Cevil.example",
      "%5C%5Cevil.example", "/%255Cevil.example", "/%252F%252Fevil.example",
      "%252f%252fevil.example", "/%25%32%66%25%32%66evil.example",
      "/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "\t//evil.example",
      " //evil.example", "/%09/evil.example", "/%0a/evil.example", "%0d%0a//evil.example",
      "/%0d%0aLocation:%20https://evil.example", "/ok\r\nSet-Cookie: x=1",
      "/\u0000/evil.example", "\u0000//evil.example", "/%00/evil.example",
      "https://127.0.0.1@evil.example", "//127.0.0.1@evil.example", "@evil.example",
      "//evil.example\\@127.0.0.1", "/\\@evil.example", "//evil.example:80",
      "javascript:alert(1)", "JavaScript:alert(1)", "javascript://%0aalert(1)",
      " javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
      "\uFF0F\uFF0Fevil.example", "/\uFF0F\uFF0Fevil.example", "/\u2215\u2215evil.example",
      "\u2215\u2215evil.example", "//%65vil.example", "/%2e%2e//evil.example",
      "/.//evil.example", "https%3A%2F%2Fevil.example", "evil.example", "./evil.example",
      "//evil.example/..;/", "/\u0085/evil.example", "/\u2028/evil.example",
      "//evil%E3%80%82example", "/%E3%80%82/evil.example", "\u3000//evil.example");

  /** Raw query values, sent byte for byte: containers may refuse some before the filter. */
  static final List<String> RAW_REDIRECT_PAYLOADS = List.of(
      "//evil.example", "%2f%2fevil.example", "/%2f%2fevil.example", "%5c%5cevil.example",
      "/%5cevil.example", "%09//evil.example", "/%0d%0aX:y", "https:%2f%2fevil.example",
      "/%252f%252fevil.example", "/%e2%88%95%e2%88%95evil.example", "%", "%zz", "/%",
      "/\\evil.example", "/%C0%AF%C0%AFevil.example", "/%ef%bc%8f%ef%bc%8fevil.example");

  @Test
  void returnTo_openRedirectPayloads_neverYieldAnOffOriginLocation() {
    assertThat(REDIRECT_PAYLOADS.size() + RAW_REDIRECT_PAYLOADS.size()).isGreaterThanOrEqualTo(60);
    List<String> reached = new ArrayList<>();
    for (String payload : REDIRECT_PAYLOADS) {
      String location = loginAndReturn(URLEncoder.encode(payload, StandardCharsets.UTF_8));
      reached.add(location);
      softly.assertThat(location).as(payload).isNotNull();
      if (location != null) {
        softly.assertThat(offOrigin(location)).as(payload + " -> " + location).isFalse();
      }
    }
    for (String payload : RAW_REDIRECT_PAYLOADS) {
      String location = loginAndReturn(payload);
      if (location != null) {
        softly.assertThat(offOrigin(location)).as(payload + " -> " + location).isFalse();
      }
    }
    softly.assertAll();
  }

  /**
   * Logs in through {@code /oidc/login?return_to=<rawQueryValue>} and returns the callback's
   * {@code Location}, or {@code null} if the container refused the login request (a 400).
   */
  private String loginAndReturn(String rawQueryValue) {
    RawHttp.Response start = raw.send("GET", "/oidc/login?return_to=" + rawQueryValue);
    if (start.status() == 400) {
      return null;
    }
    softly.assertThat(start.status()).as(rawQueryValue).isEqualTo(302);
    String authorize = start.header("Location").orElseThrow();
    softly.assertThat(authorize).startsWith(provider.issuer() + "/authorize?");
    Map<String, String> params = query(authorize);
    String pending = start.header("Set-Cookie").orElseThrow().split(";", 2)[0];
    provider.answerCode("redirected", "sid-r", params.get("nonce"), clock, ACCESS_LIFE);
    RawHttp.Response callback = raw.send("GET", "/oidc/callback?code=code-" + (++codes)
        + "&state=" + URLEncoder.encode(params.get("state"), StandardCharsets.UTF_8),
        "Cookie: " + pending);
    softly.assertThat(callback.status()).as(rawQueryValue + " " + callback).isEqualTo(302);
    return callback.header("Location").orElse(null);
  }

  /**
   * Whether a browser would leave this origin following {@code location}, judged by the WHATWG
   * URL parser's rules and independently of the filter's code: leading and trailing C0 controls
   * and spaces are stripped, tab and newline are removed anywhere, {@code \} is a {@code /}; then
   * a scheme or a {@code //} authority leaves. Percent-decoded forms are judged too, for a proxy
   * that decodes.
   */
  static boolean offOrigin(String location) {
    String current = location;
    for (int round = 0; round < 3; round++) {
      String url = current.replaceAll("^[\\x00-\\x20]+|[\\x00-\\x20]+$", "")
          .replaceAll("[\\t\\n\\r]", "").replace('\\', '/');
      if (url.matches("(?s)^[A-Za-z][A-Za-z0-9+.-]*:.*") || url.startsWith("//")
          || !url.startsWith("/") || location.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        return true;
      }
      String decoded;
      try {
        decoded = URLDecoder.decode(current.replace("+", "%2B"), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return false; // not decodable: a browser follows it as the literal path it is
      }
      if (decoded.equals(current)) {
        return false;
      }
      current = decoded;
    }
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Path bypasses

  /** A request path and the exact status on Jetty and on Tomcat, without a session. */
  record PathRow(String path, int jetty, int tomcat) {}

  static final List<PathRow> PATHS = List.of(
      new PathRow("/public/page", 200, 200),
      new PathRow("/app", 401, 401),
      new PathRow("/public/..;/app", 400, 401),
      new PathRow("/public/%2e%2e/app", 400, 401),
      new PathRow("/public/%2E%2E/app", 400, 401),
      new PathRow("/public/%2e%2e;/app", 400, 401),
      new PathRow("/public/;x=1/../app", 400, 401),
      new PathRow("/public/./../app", 401, 401),
      new PathRow("/public/../app", 401, 401),
      new PathRow("/public//../app", 400, 401),
      new PathRow("//public/../app", 400, 401),
      new PathRow("/public/..//app", 400, 401),
      new PathRow("/public%2f..%2fapp", 400, 400),
      new PathRow("/public%2F..%2Fapp", 400, 400),
      new PathRow("/public/..%2fapp", 400, 400),
      new PathRow("/public/%2e%2e%2fapp", 400, 400),
      new PathRow("/public/..%5capp", 400, 400),
      new PathRow("/public/..\\app", 400, 400),
      new PathRow("/public/..%00/app", 400, 400),
      new PathRow("/public/%252e%252e/app", 400, 200),
      new PathRow("/PUBLIC/page", 401, 401),
      new PathRow("/Public/../app", 401, 401),
      new PathRow("/public./page", 401, 401),
      new PathRow("/public/page.", 200, 200),
      new PathRow("/public/page/.", 200, 200),
      new PathRow("/app.", 401, 401),
      new PathRow("/app/.", 401, 401),
      new PathRow("/app;jsessionid=1", 401, 401),
      new PathRow("/app;/public/page", 401, 401),
      new PathRow("/app/..;/public/page", 400, 200),
      new PathRow("/oidc/../app", 401, 401),
      new PathRow("/oidc/%2e%2e/app", 400, 401),
      new PathRow("/oidc/login/../../app", 401, 401),
      new PathRow("/OIDC/session", 401, 401),
      new PathRow("/public", 200, 200),
      new PathRow("/public/", 200, 200),
      new PathRow("/publicity", 401, 401),
      new PathRow("/../app", 400, 400),
      new PathRow("/public/../../app", 400, 400),
      new PathRow("/%2e%2e/app", 400, 400),
      new PathRow("/public/%2e/../app", 400, 401));

  @Test
  void pathBypass_dotSegmentsParametersEncodingsAndCase_neverServeAProtectedPageAnonymously() {
    for (PathRow row : PATHS) {
      RawHttp.Response response =
          abuse(on(row.jetty(), row.tomcat()), "GET", row.path(), "Accept: application/json");
      if (response.status() == 200) {
        softly.assertThat(response.body()).as(row.path() + " reached")
            .matches("routed=/public(/.*)? uri=.* user=null");
      }
    }
    softly.assertAll();
  }
}
