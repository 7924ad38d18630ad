package dev.oidcsession.benchmarks.boot.security;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestCustomizers;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The incumbent of the load run: Spring Boot with Spring Security's {@code oauth2Login} and Spring
 * Session Data Redis, configured the way their documentation shows and nothing more (Boot's
 * defaults: the non-indexed {@code RedisSessionRepository}, authorized clients in memory). PKCE is
 * turned on because the development provider requires it.
 *
 * <p>{@code GET /bench/json} answers a signed-in user's subject as JSON; {@code GET /bench/stats}
 * (public) answers how many JSON answers were served and the process CPU time in nanoseconds.
 * Started by {@code benchmarks/run.sh} with Spring properties as arguments: {@code server.port},
 * {@code spring.security.oauth2.client.*}, {@code spring.data.redis.*}.
 */
@SpringBootApplication
public class BootSpringSecurityApp {

  private final LongAdder served = new LongAdder();

  /** Used by Spring. */
  public BootSpringSecurityApp() {}

  /** Runs until the process is stopped. */
  public static void main(String[] args) {
    SpringApplication.run(BootSpringSecurityApp.class, args);
  }

  /** Everything but the stats needs a login through {@code oauth2Login}, with PKCE. */
  @Bean
  SecurityFilterChain securityFilterChain(HttpSecurity http, ClientRegistrationRepository clients)
      throws Exception {
    DefaultOAuth2AuthorizationRequestResolver resolver =
        new DefaultOAuth2AuthorizationRequestResolver(clients, "/oauth2/authorization");
    resolver.setAuthorizationRequestCustomizer(OAuth2AuthorizationRequestCustomizers.withPkce());
    http.authorizeHttpRequests(authorize -> authorize
            .requestMatchers("/bench/stats").permitAll()
            .anyRequest().authenticated())
        .oauth2Login(login -> login.authorizationEndpoint(
            endpoint -> endpoint.authorizationRequestResolver(resolver)))
        .csrf(Customizer.withDefaults());
    return http.build();
  }

  /** The measured endpoint and the driver's counters. */
  @RestController
  class Endpoints {

    @GetMapping("/bench/json")
    ResponseEntity<String> json(@AuthenticationPrincipal OidcUser user) {
      served.increment();
      return asJson("{\"sub\":\"" + user.getSubject() + "\"}");
    }

    @GetMapping("/bench/stats")
    ResponseEntity<String> stats() {
      long cpu = ((com.sun.management.OperatingSystemMXBean)
          ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
      return asJson("{\"served\":" + served.sum() + ",\"cpuNanos\":" + cpu + "}");
    }

    /** With the content type set, whatever the request accepts (a browser's login lands here). */
    private ResponseEntity<String> asJson(String body) {
      return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body);
    }
  }
}
