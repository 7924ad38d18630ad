package dev.oidcsession.benchmarks.load;

import dev.oidcsession.core.InMemorySessionStore;
import dev.oidcsession.core.SessionStore;
import dev.oidcsession.redis.RedisConfig;
import dev.oidcsession.redis.RedisSessionStore;
import dev.oidcsession.servlet.OidcSessionConfig;
import dev.oidcsession.servlet.OidcSessionFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The Jetty 12 variants of the load run, one per JVM: {@code bare} (a servlet, no
 * authentication), {@code memory} ({@link OidcSessionFilter} with the in-memory store) and {@code
 * redis} ({@link OidcSessionFilter} with {@link RedisSessionStore} on the URL given, which may
 * carry {@code client_cache=N}).
 *
 * <p>{@code GET /bench/json} answers the session's subject as JSON ({@code anonymous} for bare);
 * {@code GET /bench/stats} (public) answers how many JSON answers were served and the process CPU
 * time in nanoseconds. Arguments: mode, port, then for the filter variants the issuer, client id,
 * client secret and, for {@code redis}, the Redis URL. Jetty's defaults otherwise.
 */
public final class JettyApp {

  private JettyApp() {}

  /** Starts the variant and runs until the process is stopped. */
  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int port = Integer.parseInt(args[1]);
    LongAdder served = new LongAdder();
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    if (!mode.equals("bare")) {
      SessionStore store = mode.equals("redis")
          ? RedisSessionStore.builder(RedisConfig.fromUrl(args[5])).build()
          : new InMemorySessionStore(java.time.Clock.systemUTC());
      Map<String, String> settings = new HashMap<>();
      settings.put("BASE_URL", "http://127.0.0.1:" + port);
      settings.put("OIDC_ISSUER", args[2]);
      settings.put("OIDC_CLIENT_ID", args[3]);
      settings.put("OIDC_CLIENT_SECRET", args[4]);
      settings.put("OIDC_PUBLIC_PATHS", "/bench/stats");
      // No renewal inside a run: the steady state of an authenticated GET is what is measured.
      settings.put("SESSION_RENEWAL_INTERVAL", "PT2H");
      // Unset by default, so that 2,000 sessions overflow the decoded cache as the issue asks; the
      // README's run with a larger cache sets it in run.sh's environment.
      String decodedCacheSize = System.getenv("OIDC_DECODED_CACHE_SIZE");
      if (decodedCacheSize != null) {
        settings.put("OIDC_DECODED_CACHE_SIZE", decodedCacheSize);
      }
      OidcSessionConfig config =
          OidcSessionConfig.fromSources(name -> null, settings::get).store(store).build();
      FilterHolder filter = new FilterHolder(new OidcSessionFilter(config));
      filter.setAsyncSupported(true);
      context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
    }
    ServletHolder endpoints = new ServletHolder(new Endpoints(served, !mode.equals("bare")));
    endpoints.setAsyncSupported(true);
    context.addServlet(endpoints, "/bench/*");
    server.setHandler(context);
    server.start();
    server.join();
  }

  /** {@code /bench/json} and {@code /bench/stats}. */
  private static final class Endpoints extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient LongAdder served;
    private final boolean authenticated;

    Endpoints(LongAdder served, boolean authenticated) {
      this.served = served;
      this.authenticated = authenticated;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      String body;
      switch (req.getPathInfo() == null ? "" : req.getPathInfo()) {
        case "/json" -> {
          served.increment();
          String subject = authenticated
              ? OidcSessionFilter.session(req).orElseThrow().subject()
              : "anonymous";
          body = "{\"sub\":\"" + subject + "\"}";
        }
        case "/stats" -> {
          long cpu = ((com.sun.management.OperatingSystemMXBean)
              ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
          body = "{\"served\":" + served.sum() + ",\"cpuNanos\":" + cpu + "}";
        }
        default -> {
          resp.sendError(HttpServletResponse.SC_NOT_FOUND);
          return;
        }
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      resp.setContentType("application/json");
      resp.setContentLength(bytes.length);
      resp.getOutputStream().write(bytes);
    }
  }
}
