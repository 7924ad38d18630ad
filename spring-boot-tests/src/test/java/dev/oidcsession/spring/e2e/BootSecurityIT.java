package dev.oidcsession.spring.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.servlet.Browser;
import dev.oidcsession.servlet.OidcPrincipal;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The starter with Spring Security: the session's user is Spring Security's authenticated
 * principal ({@code authorizeHttpRequests}, {@code @PreAuthorize}, an {@code Authentication}
 * parameter), with no OAuth2 login of Spring Security's own. The app's security configuration is
 * the few lines README shows.
 */
@ExpectsWarnings(value = "the example runs the development provider over plain http on loopback",
    matching = {"DevProvider is a development OpenID provider", "BASE_URL is http",
        "uses plain http"})
class BootSecurityIT {

  static BootApp app;

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @EnableMethodSecurity
  @Import({BootApp.Pages.class, Secured.class})
  static class WithSecurity {

    // README, "Spring Security": public paths permitted, everything else authenticated.
    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
      return http
          .authorizeHttpRequests(a -> a
              .requestMatchers("/", "/actuator/**").permitAll()
              .requestMatchers("/staff/**").hasRole("alice")
              .anyRequest().authenticated())
          .build();
    }
  }

  @RestController
  static class Secured {
    @GetMapping("/api/auth")
    String auth(Authentication authentication) {
      OidcPrincipal principal = (OidcPrincipal) authentication.getPrincipal();
      return "name=" + authentication.getName() + " authenticated="
          + authentication.isAuthenticated() + " authorities=" + authentication.getAuthorities()
          + " issuer=" + principal.issuer().equals(app.provider.issuer());
    }

    @GetMapping("/api/role")
    String role(jakarta.servlet.http.HttpServletRequest request) {
      return "isUserInRole(alice)=" + request.isUserInRole("alice");
    }

    @GetMapping("/admin")
    @PreAuthorize("hasRole('alice')")
    String admin() {
      return "admin";
    }

    @GetMapping("/staff/page")
    String staff() {
      return "staff";
    }
  }

  @BeforeAll
  static void start() throws Exception {
    app = new BootApp(WithSecurity.class,
        "oidc.session.roles-claim=preferred_username");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void authentication_inAController_isTheSessionsUser() throws Exception {
    Browser browser = new Browser();
    HttpResponse<String> auth = Flows.login(browser, app, "/api/auth", "alice");
    assertThat(auth.statusCode()).isEqualTo(200);
    assertThat(auth.body())
        .isEqualTo("name=alice authenticated=true authorities=[ROLE_alice] issuer=true");
    assertThat(browser.get(app.base + "/api/me").body())
        .isEqualTo("principal=alice remoteUser=alice");
    assertThat(browser.get(app.base + "/api/role").body()).isEqualTo("isUserInRole(alice)=true");
  }

  @Test
  void preAuthorizeAndAuthorizeHttpRequests_useTheSessionsRoles() throws Exception {
    Browser alice = new Browser();
    Flows.login(alice, app, "/api/me", "alice");
    assertThat(alice.get(app.base + "/admin").statusCode()).isEqualTo(200);
    assertThat(alice.get(app.base + "/staff/page").statusCode()).isEqualTo(200);

    Browser bob = new Browser();
    Flows.login(bob, app, "/api/me", "bob");
    assertThat(bob.get(app.base + "/admin").statusCode()).isEqualTo(403);
    assertThat(bob.get(app.base + "/staff/page").statusCode()).isEqualTo(403);
  }

  @Test
  void renewalAndLogout_workThroughSpringSecurity() throws Exception {
    Browser browser = new Browser();
    Flows.login(browser, app, "/api/auth", "carol");
    Flows.renew(browser, app, "/api/auth");
    // POST /oidc/logout is answered before Spring Security's chain (its CSRF filter never sees it).
    Flows.logout(browser, app, "/api/auth");
  }

  @Test
  void publicPath_isAnonymous_andProtectedPath_redirectsToTheProvider() {
    Browser browser = new Browser();
    assertThat(browser.navigate(app.base + "/").body()).isEqualTo("home");
    HttpResponse<String> protectedPage = browser.navigate(app.base + "/api/auth");
    assertThat(protectedPage.statusCode()).isEqualTo(302);
    assertThat(Browser.location(protectedPage)).contains("/oidc/login");
  }
}
