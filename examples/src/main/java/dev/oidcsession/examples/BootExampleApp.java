package dev.oidcsession.examples;

import dev.oidcsession.core.Session;
import dev.oidcsession.examples.provider.DevProvider;
import dev.oidcsession.servlet.OidcSessionFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The example as a Spring Boot app: the same pages as {@link ExampleApp}, but the filter comes
 * from the {@code session-spring-boot} starter and four {@code oidc.session.*} properties. With
 * no {@code OIDC_ISSUER} it starts the embedded development provider and uses the in-memory
 * store, so it runs with nothing but a JDK:
 *
 * <pre>./mvnw -q -pl examples -am -DskipTests test-compile exec:java -Dexec.mainClass=dev.oidcsession.examples.BootExampleApp</pre>
 *
 * <p>Environment: {@code PORT} (default 8080), {@code BASE_URL}, {@code OIDC_ISSUER}, {@code
 * OIDC_CLIENT_ID}, {@code OIDC_CLIENT_SECRET}, {@code REDIS_URL}; every {@code oidc.session.*}
 * property also works as an environment variable ({@code OIDC_SESSION_POLICY_IDLE_TIMEOUT}).
 */
@SpringBootApplication
public class BootExampleApp {

  /** Used by Spring. */
  public BootExampleApp() {}

  /** Runs until the process is stopped. */
  public static void main(String[] args) {
    Running running = start(System::getenv, args);
    Runtime.getRuntime().addShutdownHook(new Thread(running::close, "boot-example-shutdown"));
    System.out.println();
    System.out.println("oidc-session Spring Boot example: " + running.baseUrl() + "/");
    System.out.println();
  }

  /** A started app and, without {@code OIDC_ISSUER}, its development provider. */
  public record Running(ConfigurableApplicationContext context, Optional<DevProvider> provider,
      String baseUrl) implements AutoCloseable {
    @Override
    public void close() {
      context.close();
      provider.ifPresent(DevProvider::close);
    }
  }

  /** Starts the app from {@code env} (and the development provider when no issuer is set). */
  public static Running start(Function<String, String> env, String... args) {
    String port = Objects.requireNonNullElse(env.apply("PORT"), "8080");
    String base = Objects.requireNonNullElse(env.apply("BASE_URL"), "http://localhost:" + port);
    List<String> props = new ArrayList<>(List.of(
        "--server.port=" + port,
        "--oidc.session.base-url=" + base,
        "--oidc.session.public-paths=/,/static/*"));
    DevProvider provider = null;
    String issuer = env.apply("OIDC_ISSUER");
    if (issuer == null || issuer.isBlank()) {
      provider = DevProvider.builder()
          .port(0)
          .client(ExampleApp.DEV_CLIENT_ID, ExampleApp.DEV_CLIENT_SECRET,
              URI.create(base + "/oidc/callback"))
          .postLogoutRedirectUri(URI.create(base + "/"))
          .backChannelLogoutUri(URI.create(base + "/oidc/backchannel-logout"))
          .build();
      try {
        provider.start();
      } catch (IOException e) {
        throw new IllegalStateException("the development provider could not start", e);
      }
      props.add("--oidc.session.issuer=" + provider.issuer());
      props.add("--oidc.session.client-id=" + ExampleApp.DEV_CLIENT_ID);
      props.add("--oidc.session.client-secret=" + ExampleApp.DEV_CLIENT_SECRET);
      props.add("--oidc.session.policy.renewal-interval=1m");
    } else {
      props.add("--oidc.session.issuer=" + issuer);
      props.add("--oidc.session.client-id=" + env.apply("OIDC_CLIENT_ID"));
      String secret = env.apply("OIDC_CLIENT_SECRET");
      if (secret != null) {
        props.add("--oidc.session.client-secret=" + secret);
      }
    }
    props.addAll(List.of(args));
    try {
      ConfigurableApplicationContext context =
          SpringApplication.run(BootExampleApp.class, props.toArray(String[]::new));
      return new Running(context, Optional.ofNullable(provider), base);
    } catch (RuntimeException e) {
      if (provider != null) {
        provider.close();
      }
      throw e;
    }
  }

  /** The pages: the same HTML, stylesheet and script as the servlet example. */
  @RestController
  static class PagesController {

    @GetMapping("/")
    void home(HttpServletRequest request, HttpServletResponse response) throws IOException {
      Pages.html(response, Pages.home(OidcSessionFilter.session(request)));
    }

    @GetMapping("/app")
    void app(HttpServletRequest request, HttpServletResponse response) throws IOException {
      Session session = OidcSessionFilter.session(request).orElseThrow();
      Pages.html(response, Pages.app(session));
    }

    @GetMapping("/api/me")
    void me(HttpServletRequest request, HttpServletResponse response) throws IOException {
      Pages.me(response, OidcSessionFilter.session(request).orElseThrow());
    }

    @GetMapping("/static/{name}")
    void asset(@PathVariable("name") String name, HttpServletResponse response)
        throws IOException {
      switch (name) {
        case "example.css" -> Pages.asset(response, name, "text/css;charset=utf-8");
        case "app.js" -> Pages.asset(response, name, "text/javascript;charset=utf-8");
        default -> response.sendError(HttpServletResponse.SC_NOT_FOUND);
      }
    }
  }
}
