package dev.oidcsession.examples;

import dev.oidcsession.core.InMemorySessionStore;
import dev.oidcsession.core.SessionStore;
import dev.oidcsession.examples.provider.DevProvider;
import dev.oidcsession.redis.RedisConfig;
import dev.oidcsession.redis.RedisSessionStore;
import dev.oidcsession.servlet.OidcSessionConfig;
import dev.oidcsession.servlet.OidcSessionFilter;
import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example app: a plain servlet app on embedded Jetty 12 that adopts oidc-session with one
 * filter. {@code /} is public, {@code /app} and {@code /api/me} are protected.
 *
 * <p>Without {@code OIDC_ISSUER} it starts the embedded development provider ({@link DevProvider})
 * with short token lifetimes, so a visitor sees renewals happen; with it, it talks to a real
 * provider. Without {@code REDIS_URL} sessions live in memory; with it, in Redis. Everything else
 * is the environment of {@link OidcSessionConfig}, plus {@code PORT} (default 8080).
 */
public final class ExampleApp implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ExampleApp.class);

  static final String DEV_CLIENT_ID = "example-app";
  static final String DEV_CLIENT_SECRET = "example-app-dev-secret-not-for-production";
  static final Duration DEV_ACCESS_TOKEN_LIFETIME = Duration.ofMinutes(2);
  static final Duration DEV_ID_TOKEN_LIFETIME = Duration.ofMinutes(5);
  static final Duration DEV_RENEWAL_INTERVAL = Duration.ofMinutes(1);

  private final Server server;
  private final OidcSessionFilter filter;
  private final DevProvider devProvider;
  private final SessionStore store;
  private final URI baseUrl;
  private final String mode;

  private ExampleApp(Server server, OidcSessionFilter filter, DevProvider devProvider,
      SessionStore store, URI baseUrl, String mode) {
    this.server = server;
    this.filter = filter;
    this.devProvider = devProvider;
    this.store = store;
    this.baseUrl = baseUrl;
    this.mode = mode;
  }

  /** Runs the app until the process is stopped. Bad configuration ends it with one message. */
  public static void main(String[] args) {
    ExampleApp app;
    try {
      app = start(System::getenv, Clock.systemUTC());
    } catch (StartupException e) {
      System.err.println("oidc-session example: " + e.getMessage());
      System.exit(2);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "example-shutdown"));
    System.out.println();
    System.out.println("oidc-session example app: " + app.baseUrl() + "/");
    System.out.println("mode: " + app.mode());
    System.out.println();
  }

  /**
   * Starts the app (and the development provider when {@code OIDC_ISSUER} is unset).
   *
   * @param env the environment
   * @param clock the clock of sessions and of the development provider's token lifetimes
   * @throws StartupException with one clear sentence when the configuration cannot work
   */
  public static ExampleApp start(Function<String, String> env, Clock clock) {
    int port = port(env.apply("PORT"));
    String base = Objects.requireNonNullElse(env.apply("BASE_URL"), "http://localhost:" + port);
    DevProvider provider = null;
    SessionStore store = null;
    Server server = null;
    try {
      Map<String, String> overrides = new java.util.HashMap<>();
      String issuer = env.apply("OIDC_ISSUER");
      if (issuer == null || issuer.isBlank()) {
        provider = DevProvider.builder()
            .port(0)
            .client(DEV_CLIENT_ID, DEV_CLIENT_SECRET, URI.create(base + "/oidc/callback"))
            .postLogoutRedirectUri(URI.create(base + "/"))
            .backChannelLogoutUri(URI.create(base + "/oidc/backchannel-logout"))
            .accessTokenLifetime(DEV_ACCESS_TOKEN_LIFETIME)
            .idTokenLifetime(DEV_ID_TOKEN_LIFETIME)
            .clock(clock)
            .build();
        try {
          provider.start();
        } catch (java.io.IOException e) {
          throw new StartupException("the development provider could not start: " + e.getMessage(), e);
        }
        overrides.put("OIDC_ISSUER", provider.issuer());
        overrides.put("OIDC_CLIENT_ID", DEV_CLIENT_ID);
        overrides.put("OIDC_CLIENT_SECRET", DEV_CLIENT_SECRET);
        if (env.apply("SESSION_RENEWAL_INTERVAL") == null) {
          overrides.put("SESSION_RENEWAL_INTERVAL", DEV_RENEWAL_INTERVAL.toString());
        }
      }
      overrides.put("BASE_URL", base);
      overrides.putIfAbsent("OIDC_PUBLIC_PATHS", "/,/static/*");
      Function<String, String> settings = name -> overrides.containsKey(name)
          ? overrides.get(name) : env.apply(name);

      String redisUrl = env.apply("REDIS_URL");
      if (redisUrl != null && !redisUrl.isBlank()) {
        store = redisStore(redisUrl, clock);
      } else {
        store = new InMemorySessionStore(clock);
      }

      OidcSessionConfig config;
      try {
        config = OidcSessionConfig.fromSources(name -> null, settings)
            .store(store).clock(clock).build();
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw new StartupException("configuration: " + e.getMessage(), e);
      }
      StartupCheck.provider(config);

      OidcSessionFilter filter = new OidcSessionFilter(config);
      server = new Server();
      ServerConnector connector = new ServerConnector(server);
      connector.setPort(port);
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler();
      context.setContextPath("/");
      FilterHolder holder = new FilterHolder(filter);
      holder.setAsyncSupported(true);
      context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
      context.addServlet(new ServletHolder(new Pages()), "/*");
      server.setHandler(context);
      try {
        server.start();
      } catch (Exception e) {
        throw new StartupException("could not listen on port " + port + ": " + e.getMessage(), e);
      }
      int actualPort = connector.getLocalPort();
      URI baseUrl = URI.create(base);
      String mode = (provider != null
          ? "embedded development provider at " + provider.issuer() + " (example and test code only)"
          : "provider " + config.issuer())
          + "; " + (redisUrl != null && !redisUrl.isBlank() ? "Redis store" : "in-memory store")
          + "; listening on port " + actualPort;
      log.info("example app started: {}", mode);
      return new ExampleApp(server, filter, provider, store, baseUrl, mode);
    } catch (RuntimeException e) {
      stopQuietly(server, provider, store);
      if (e instanceof StartupException) {
        throw e;
      }
      throw new StartupException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
    }
  }

  private static SessionStore redisStore(String url, Clock clock) {
    RedisConfig redis;
    try {
      redis = RedisConfig.fromUrl(url);
    } catch (IllegalArgumentException e) {
      throw new StartupException("REDIS_URL: " + e.getMessage(), e);
    }
    RedisSessionStore store = RedisSessionStore.builder(redis).clock(clock).build();
    StartupCheck.redis(store);
    return store;
  }

  private static int port(String value) {
    if (value == null || value.isBlank()) {
      return 8080;
    }
    try {
      int port = Integer.parseInt(value.trim());
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new StartupException("PORT must be a port number from 0 to 65535, but was " + value);
    }
  }

  private static void stopQuietly(Server server, DevProvider provider, SessionStore store) {
    try {
      if (server != null) {
        server.stop();
      }
    } catch (Exception e) {
      log.debug("stopping Jetty after a failed start", e);
    }
    if (provider != null) {
      provider.close();
    }
    if (store instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        log.debug("closing the store after a failed start", e);
      }
    }
  }

  /** The URL the app is reached at. */
  public URI baseUrl() {
    return baseUrl;
  }

  /** What the app runs with, in one line. */
  public String mode() {
    return mode;
  }

  /** The development provider, when the app started one. */
  public java.util.Optional<DevProvider> devProvider() {
    return java.util.Optional.ofNullable(devProvider);
  }

  /**
   * Logs every request the server finishes to {@code requestLog} from now on; for tests that count
   * what browsers ask (Jetty reads the request log per request, so it may be set while running).
   */
  public void requestLog(org.eclipse.jetty.server.RequestLog requestLog) {
    server.setRequestLog(requestLog);
  }

  /** The filter, for tests that look at its session manager. */
  public OidcSessionFilter filter() {
    return filter;
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      log.warn("Jetty did not stop cleanly: {}", e.toString());
    }
    filter.destroy();
    stopQuietly(null, devProvider, store);
  }

  /** Configuration that cannot work, with one sentence that says why. */
  public static final class StartupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StartupException(String message) {
      super(message);
    }

    StartupException(String message, Throwable cause) {
      super(message, cause);
    }
  }

}
