package dev.oidcsession.spring.e2e;

import dev.oidcsession.core.ManualClock;
import dev.oidcsession.examples.provider.DevProvider;
import dev.oidcsession.servlet.Browser;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.security.Principal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Boot MVC app with nothing of oidc-session but the starter and its properties, and the
 * development provider it logs in through; one per test class. Time is a manual clock shared by
 * app and provider, set to the current second (nimbus checks ID-token times on the wall clock).
 */
final class BootApp implements AutoCloseable {

  static final String CLIENT_ID = "boot-app";
  static final String CLIENT_SECRET = "boot-app-secret-0123456789abcdef";

  /** Excluded for the runs "without Spring Security" (names of both Boot lines; absent ones are ignored). */
  static final String NO_SECURITY = String.join(",",
      "org.springframework.boot.autoconfigure.security.servlet.SecurityAutoConfiguration",
      "org.springframework.boot.autoconfigure.security.servlet.SecurityFilterAutoConfiguration",
      "org.springframework.boot.autoconfigure.security.servlet.UserDetailsServiceAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.security.servlet.ManagementWebSecurityAutoConfiguration",
      "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
      "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
      "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration",
      "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
      "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration");

  final ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  final int port = Browser.freePort();
  final String base = "http://127.0.0.1:" + port;
  final DevProvider provider;
  final ConfigurableApplicationContext context;

  BootApp(Class<?> configuration, String... properties) throws Exception {
    provider = DevProvider.builder()
        .client(CLIENT_ID, CLIENT_SECRET, URI.create(base + "/oidc/callback"))
        .postLogoutRedirectUri(URI.create(base + "/"))
        .backChannelLogoutUri(URI.create(base + "/oidc/backchannel-logout"))
        .accessTokenLifetime(Duration.ofMinutes(2))
        .idTokenLifetime(Duration.ofMinutes(5))
        .clock(clock)
        .build();
    provider.start();
    List<String> props = new ArrayList<>(List.of(
        // The four properties of "Spring Boot in five lines".
        "oidc.session.issuer=" + provider.issuer(),
        "oidc.session.client-id=" + CLIENT_ID,
        "oidc.session.client-secret=" + CLIENT_SECRET,
        "oidc.session.base-url=" + base,
        // The test's own.
        "oidc.session.public-paths=/,/actuator/*",
        "oidc.session.policy.renewal-interval=1m",
        "server.port=" + port,
        "management.endpoints.web.exposure.include=health,metrics",
        "management.endpoint.health.show-details=always"));
    props.addAll(List.of(properties));
    context = new SpringApplicationBuilder(configuration)
        .web(WebApplicationType.SERVLET)
        .initializers(ctx -> ctx.getBeanFactory().registerSingleton("testClock", clock))
        .properties(props.toArray(String[]::new))
        .run();
  }

  @Override
  public void close() {
    context.close();
    provider.close();
  }

  /** The app: a public home, a protected JSON-free "who am I", nothing of oidc-session. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(Pages.class)
  static class Plain {}

  @RestController
  static class Pages {
    @GetMapping("/")
    String home() {
      return "home";
    }

    @GetMapping("/api/me")
    String me(Principal principal, HttpServletRequest request) {
      return "principal=" + principal.getName() + " remoteUser=" + request.getRemoteUser();
    }
  }
}
