package dev.oidcsession.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcsession.servlet.Browser;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
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
class BrowserIT {

  static final int port = Browser.freePort();
  static final String base = "http://localhost:" + port;
  static ExampleApp app;
  static WebDriver driver;

  @BeforeAll
  static void start() {
    app = ExampleApp.start(Map.of("PORT", Integer.toString(port), "BASE_URL", base)::get,
        Clock.systemUTC());
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
    driver = new ChromeDriver(service, options);
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
}
