package dev.oidcsession.examples.faults;

import dev.oidcsession.core.Session;
import dev.oidcsession.core.SessionPolicy;
import dev.oidcsession.core.SessionStore;
import dev.oidcsession.examples.provider.DevProvider;
import dev.oidcsession.servlet.OidcSessionConfig;
import dev.oidcsession.servlet.OidcSessionFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.Proxy;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import okhttp3.OkHttpClient;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * One app node for the fault suite: the real {@link OidcSessionFilter} on embedded Jetty 12 in
 * front of a servlet that answers {@code 200 subject=<sub>} on every protected path ({@code /}
 * is public), with the store, clock, policy and provider route (direct or through a {@link
 * FaultProxy}) a test chooses. Unlike {@code ExampleApp} it takes a {@link SessionPolicy} and an
 * {@code OkHttpClient}, which faults need (short backoff, call timeout, proxy).
 */
final class FaultApp implements AutoCloseable {

  static final String CLIENT_ID = "fault-app";
  static final String CLIENT_SECRET = "fault-app-secret-0123456789-abcdef";
  static final String SESSION_SECRET = "the-same-secret-on-every-node-0123456789";
  /** The app's call timeout to the provider: how long a hung provider holds a renewal attempt. */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);

  private final Server server;
  private final OidcSessionFilter filter;
  private final String base;

  private FaultApp(Server server, OidcSessionFilter filter, String base) {
    this.server = server;
    this.filter = filter;
    this.base = base;
  }

  /**
   * Starts a node listening on {@code port} whose public URL (the load balancer's) is {@code
   * publicBase}; {@code proxy} routes its provider calls, or null for none.
   */
  static FaultApp start(int port, String publicBase, DevProvider provider, SessionStore store,
      Clock clock, SessionPolicy policy, Proxy proxy) throws Exception {
    OkHttpClient.Builder http = new OkHttpClient.Builder()
        .callTimeout(CALL_TIMEOUT)
        .connectTimeout(Duration.ofSeconds(1));
    if (proxy != null) {
      http.proxy(proxy);
    }
    OidcSessionConfig config = OidcSessionConfig.builder()
        .baseUrl(publicBase)
        .issuer(provider.issuer())
        .clientId(CLIENT_ID)
        .clientSecret(CLIENT_SECRET)
        .sessionSecret(SESSION_SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .publicPaths("/")
        .policy(policy)
        .store(store)
        .clock(clock)
        .httpClient(http.build())
        .build();
    OidcSessionFilter filter = new OidcSessionFilter(config);
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    FilterHolder holder = new FilterHolder(filter);
    holder.setAsyncSupported(true);
    context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
    context.addServlet(new ServletHolder(new Whoami()), "/*");
    server.setHandler(context);
    server.start();
    return new FaultApp(server, filter, "http://127.0.0.1:" + connector.getLocalPort());
  }

  /** A provider registration for an app at {@code publicBase}. */
  static DevProvider.Builder provider(String publicBase, Clock clock) {
    return DevProvider.builder()
        .port(0)
        .client(CLIENT_ID, CLIENT_SECRET, URI.create(publicBase + "/oidc/callback"))
        .postLogoutRedirectUri(URI.create(publicBase + "/"))
        .backChannelLogoutUri(URI.create(publicBase + "/oidc/backchannel-logout"))
        .clock(clock);
  }

  /** This node's own address. */
  String base() {
    return base;
  }

  @Override
  public void close() throws Exception {
    server.stop();
    filter.destroy();
  }

  /** {@code 200 subject=<sub>} for a session, the public home page otherwise. */
  static final class Whoami extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      Optional<Session> session = OidcSessionFilter.session(request);
      response.setContentType("text/plain");
      response.getWriter().write(session.map(s -> "subject=" + s.subject()).orElse("home"));
    }
  }
}
