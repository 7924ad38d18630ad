package dev.oidcsession.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.servlet.Browser;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.server.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The example in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}):
 * log in through the forms, open a second tab, log out in one, and watch the other leave by itself
 * (session.js over BroadcastChannel). Runs in the {@code browser} profile only; {@code .ci/run}
 * installs the two packages when missing.
 */
@ExpectsWarnings(value = "the examples run the development provider over plain http on loopback",
    everyTest = true, matching = {"DevProvider is a development OpenID provider", "BASE_URL is http",
        "uses plain http"})
class BrowserIT {

  static final int port = Browser.freePort();
  static final String base = "http://localhost:" + port;
  /** Short, so that a few renewals fit in a test; the dev provider's access token lives 2 min. */
  static final Duration RENEWAL_INTERVAL = Duration.ofSeconds(15);
  static final Map<String, AtomicInteger> sessionCalls = new ConcurrentHashMap<>();
  static ExampleApp app;
  static WebDriver driver;

  @BeforeAll
  static void start() {
    app = ExampleApp.start(Map.of("PORT", Integer.toString(port), "BASE_URL", base,
        "SESSION_RENEWAL_INTERVAL", RENEWAL_INTERVAL.toString())::get, Clock.systemUTC());
    app.requestLog((request, response) -> {
      if (request.getHttpURI().getPath().equals("/oidc/session")) {
        String cookie = Request.getCookies(request).stream()
            .filter(c -> c.getName().equals("oidc-session")).map(HttpCookie::getValue)
            .findFirst().orElse("-");
        sessionCalls.computeIfAbsent(cookie, k -> new AtomicInteger()).incrementAndGet();
      }
    });
    driver = chromium();
  }

  /** A fresh headless Chromium (its own profile: its own cookies). */
  static ChromeDriver chromium() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(System.getenv().getOrDefault("CHROMIUM_BIN", "/usr/bin/chromium"));
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1200,900");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(
            System.getenv().getOrDefault("CHROMEDRIVER_BIN", "/usr/bin/chromedriver")))
        .usingAnyFreePort()
        .build();
    return new ChromeDriver(service, options);
  }

  @AfterAll
  static void stop() {
    if (driver != null) {
      driver.quit();
    }
    app.close();
  }

  private static boolean isLoggedOutHome(WebDriver d) {
    String url = d.getCurrentUrl();
    return (url.equals(base + "/") || url.startsWith(base + "/?"))
        && !d.findElements(By.id("login")).isEmpty();
  }

  /**
   * The page's stylesheet applied under its {@code Content-Security-Policy} (an inline style
   * would be blocked): the body has the stylesheet's width and font; keeps a screenshot in
   * {@code target/browser/}.
   */
  private static void assertStyled(String screenshot) throws Exception {
    WebElement body = driver.findElement(By.tagName("body"));
    assertThat(body.getCssValue("max-width")).isEqualTo("768px");
    assertThat(body.getCssValue("font-family")).contains("system-ui");
    Path shot = Path.of("target", "browser", screenshot);
    Files.createDirectories(shot.getParent());
    Files.copy(((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(), shot,
        StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void springBootExample_looksTheSame_andLogsIn() throws Exception {
    int bootPort = Browser.freePort();
    String bootBase = "http://localhost:" + bootPort;
    try (BootExampleApp.Running boot = BootExampleApp.start(
        Map.of("PORT", Integer.toString(bootPort), "BASE_URL", bootBase)::get)) {
      WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
      driver.get(bootBase + "/");
      assertStyled("boot-home.png");
      driver.findElement(By.id("login")).click();
      wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username"))).sendKeys("bob");
      driver.findElement(By.id("sign-in")).click();
      wait.until(ExpectedConditions.textToBe(By.id("subject"), "bob"));
      wait.until(d -> !d.findElement(By.id("renews-in")).getText().equals("…"));
      assertStyled("boot-app.png");
      driver.findElement(By.id("logout")).click();
      wait.until(d -> d.getCurrentUrl().startsWith(bootBase + "/")
          && !d.findElements(By.id("login")).isEmpty());
    }
  }

  @Test
  void login_secondTab_logoutInOne_theOtherLeavesByItself() throws Exception {
    WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
    driver.get(base + "/");
    assertStyled("home.png");
    driver.findElement(By.id("login")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username"))).sendKeys("alice");
    driver.findElement(By.id("sign-in")).click();
    wait.until(ExpectedConditions.textToBe(By.id("subject"), "alice"));
    wait.until(d -> !d.findElement(By.id("renews-in")).getText().equals("…"));
    assertStyled("app.png");

    String first = driver.getWindowHandle();
    driver.switchTo().newWindow(WindowType.TAB);
    driver.get(base + "/app");
    wait.until(ExpectedConditions.textToBe(By.id("subject"), "alice"));
    String second = driver.getWindowHandle();

    driver.switchTo().window(first);
    driver.findElement(By.id("logout")).click();
    // Through the provider's end-session endpoint and back to "/" (with its state parameter).
    wait.until(d -> isLoggedOutHome(d));

    driver.switchTo().window(second);
    wait.until(d -> isLoggedOutHome(d));
    assertThat(driver.findElements(By.id("login"))).hasSize(1);
    assertThat(List.of(first, second)).doesNotHaveDuplicates();
  }

  /**
   * Replaces {@code Date} (and so {@code Date.now()}, {@code new Date()}) in every document of
   * the browser, before any page script runs, with one that is {@code offsetMinutes} off.
   */
  static void shiftClock(ChromeDriver browser, long offsetMinutes) {
    String script = "(function () {\n"
        + "  var offset = " + Duration.ofMinutes(offsetMinutes).toMillis() + ";\n"
        + "  var RealDate = Date, realNow = Date.now.bind(Date);\n"
        + "  class ShiftedDate extends RealDate {\n"
        + "    constructor(...a) { if (a.length) { super(...a); } else { super(realNow() + offset); } }\n"
        + "    static now() { return realNow() + offset; }\n"
        + "  }\n"
        + "  window.Date = ShiftedDate;\n"
        + "}());";
    browser.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", script));
  }

  private static void logIn(WebDriver browser, String user) {
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    browser.get(base + "/");
    browser.findElement(By.id("login")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username"))).sendKeys(user);
    browser.findElement(By.id("sign-in")).click();
    wait.until(ExpectedConditions.textToBe(By.id("subject"), user));
  }

  @SuppressWarnings("unchecked")
  private static List<Object> seen(WebDriver browser) {
    Object seen = ((JavascriptExecutor) browser).executeScript("return window.__seen;");
    return seen == null ? List.of("gone") : (List<Object>) seen; // null: the page was left
  }

  @Test
  void sessionJs_clockShiftedTenMinutes_renewsBeforeExpiry_andPollsOncePerRenewal() {
    Map<Long, ChromeDriver> browsers = new LinkedHashMap<>();
    Map<Long, String> cookies = new LinkedHashMap<>();
    List<String> report = new ArrayList<>();
    try {
      for (long offset : List.of(-10L, 0L, 10L)) {
        ChromeDriver browser = chromium();
        browsers.put(offset, browser);
        shiftClock(browser, offset);
        logIn(browser, "clock" + (offset + 10));
        cookies.put(offset, browser.manage().getCookieNamed("oidc-session").getValue());
        assertThat((Long) browser.executeScript("return Math.round((Date.now() - "
            + System.currentTimeMillis() + ") / 60000);")).isEqualTo(offset);
        // Every answer the page's helper gets: expiresAt when authenticated, else "gone".
        browser.executeScript("window.__seen = []; OidcSession.onChange(function (s) {"
            + " window.__seen.push(s.authenticated ? s.expiresAt : 'gone'); });");
      }
      int renewals = 3;
      for (Map.Entry<Long, ChromeDriver> e : browsers.entrySet()) {
        // Real time: a renewal about every 15-20 s; all three browsers run at once.
        try {
          new WebDriverWait(e.getValue(), Duration.ofSeconds(150)).until(d ->
              seen(d).contains("gone") || seen(d).stream().distinct().count() > renewals);
        } catch (org.openqa.selenium.TimeoutException timedOut) {
          // Not enough renewals: the figures and assertions below say how many.
        }
      }
      Map<Long, List<Object>> seenBy = new LinkedHashMap<>();
      Map<Long, Integer> callsBy = new LinkedHashMap<>();
      for (Map.Entry<Long, ChromeDriver> e : browsers.entrySet()) {
        seenBy.put(e.getKey(), seen(e.getValue()));
        callsBy.put(e.getKey(), sessionCalls.get(cookies.get(e.getKey())).get());
        report.add(String.format("clock %+d min: %d calls to /oidc/session for %d renewals",
            e.getKey(), callsBy.get(e.getKey()), seenBy.get(e.getKey()).stream().distinct().count() - 1));
      }
      for (Map.Entry<Long, ChromeDriver> e : browsers.entrySet()) {
        List<Object> seen = seenBy.get(e.getKey());
        int calls = callsBy.get(e.getKey());
        long distinct = seen.stream().distinct().count();
        assertThat(seen).as("clock %+d min", e.getKey()).doesNotContain("gone");
        assertThat(distinct - 1).as("renewals, clock %+d min", e.getKey())
            .isGreaterThanOrEqualTo(renewals);
        // The page's first read, then about one per renewal interval; never a poll loop.
        assertThat(calls).as("calls, clock %+d min", e.getKey())
            .isLessThanOrEqualTo(2 * (int) (distinct - 1) + 2);
      }
    } finally {
      System.out.println("BrowserIT session.js under a shifted clock (renewal interval "
          + RENEWAL_INTERVAL.toSeconds() + " s): " + String.join("; ", report));
      browsers.values().forEach(WebDriver::quit);
    }
  }
}
