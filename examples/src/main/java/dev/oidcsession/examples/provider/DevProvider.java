package dev.oidcsession.examples.provider;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A development OpenID Provider for the examples and the integration tests: a real provider over
 * HTTP on its own loopback port ({@code http://127.0.0.1:<port>}), built with nimbus and served by
 * embedded Jetty. <b>Example and test code only</b>: its login form accepts any username without a
 * password, its key lives in memory, and it says so with a WARN at start.
 *
 * <p>Endpoints (paths under {@link #issuer()}):
 *
 * <ul>
 *   <li>{@code /.well-known/openid-configuration}: discovery, with back-channel logout, RFC 9207
 *       {@code iss}, PKCE S256, RS256, client_secret_basic and client_secret_post.
 *   <li>{@code /jwks}: the public half of an RSA 2048 key generated at start, with a {@code kid}.
 *   <li>{@code /authorize}: the code flow with PKCE S256 required; an unknown {@code client_id} or
 *       an unregistered {@code redirect_uri} is refused with a page, never a redirect; otherwise a
 *       login form ({@code input#username}, {@code button#sign-in}) whose POST starts a provider
 *       session ({@code sid}) and redirects with {@code code}, {@code state} and {@code iss}.
 *   <li>{@code /token}: {@code authorization_code} (single use, one minute, redirect URI and PKCE
 *       checked) and {@code refresh_token} with rotation (the presented token dies at once); the
 *       client authenticates with its secret; errors are OAuth JSON.
 *   <li>{@code /revoke}: RFC 7009, client-authenticated, 200 for unknown tokens.
 *   <li>{@code /logout}: RP-initiated logout with a verified {@code id_token_hint}; ends the
 *       provider session, sends back-channel logout tokens, then redirects to a registered {@code
 *       post_logout_redirect_uri} with {@code state}.
 * </ul>
 *
 * <p>Time: every {@code exp} (access, ID and refresh token, code) is the configured {@link Clock}
 * plus the lifetime in force when the token is issued; {@code iat} and the logout token's times
 * are wall time, because relying parties compare them with their wall clock.
 *
 * <p>Thread-safe. One registered client. {@link #close()} stops the server and the back-channel
 * sender; a stopped provider cannot be started again.
 */
public final class DevProvider implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DevProvider.class);

  /** Default {@link Builder#accessTokenLifetime}: 2 minutes, so a visitor sees renewal happen. */
  public static final Duration DEFAULT_ACCESS_TOKEN_LIFETIME = Duration.ofMinutes(2);
  /** Default {@link Builder#idTokenLifetime}: 5 minutes. */
  public static final Duration DEFAULT_ID_TOKEN_LIFETIME = Duration.ofMinutes(5);
  /** Default {@link Builder#refreshTokenLifetime}: 8 hours. */
  public static final Duration DEFAULT_REFRESH_TOKEN_LIFETIME = Duration.ofHours(8);
  /** How long one back-channel logout delivery may take, connection included: 2 seconds. */
  public static final Duration BACK_CHANNEL_TIMEOUT = Duration.ofSeconds(2);
  /** Lifetime of a logout token: 2 minutes (Back-Channel Logout 1.0 §2.4 recommends short). */
  public static final Duration LOGOUT_TOKEN_LIFETIME = Duration.ofMinutes(2);
  /** Most request threads of the provider's Jetty. */
  static final int MAX_THREADS = 64;
  /** Largest port number. */
  public static final int MAX_PORT = 65_535;

  private final int port;
  private final ProviderCore core;
  private final AtomicInteger backChannelDeliveries = new AtomicInteger();
  private final ExecutorService backChannelExecutor;
  private final HttpClient backChannel;
  private final Object lifecycle = new Object();
  private Server server;
  private boolean stopped;

  private DevProvider(Builder b) {
    this.port = b.port;
    this.core = new ProviderCore(b.clientId, b.clientSecret, b.clock);
    core.redirectUris.addAll(b.redirectUris);
    core.postLogoutRedirectUris.addAll(b.postLogoutRedirectUris);
    core.backChannelLogoutUris.addAll(b.backChannelLogoutUris);
    core.accessTokenLifetime = b.accessTokenLifetime;
    core.idTokenLifetime = b.idTokenLifetime;
    core.refreshTokenLifetime = b.refreshTokenLifetime;
    this.backChannelExecutor =
        Executors.newCachedThreadPool(
            runnable -> {
              Thread t = new Thread(runnable, "dev-provider-backchannel");
              t.setDaemon(true);
              return t;
            });
    this.backChannel =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(BACK_CHANNEL_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .executor(backChannelExecutor)
            .build();
  }

  /** A builder; {@link Builder#client} is required. */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Binds the port on 127.0.0.1 and starts serving. Blocks until the server is up.
   *
   * @throws IllegalStateException if already started or stopped
   * @throws IOException if the server cannot start (for example, the port is taken)
   */
  public void start() throws IOException {
    synchronized (lifecycle) {
      if (server != null || stopped) {
        throw new IllegalStateException("provider must be started once, but was already " + (stopped ? "stopped" : "started"));
      }
      log.warn(
          "DevProvider is a development OpenID provider for examples and tests only: it accepts"
              + " any username without a password; never use it in production");
      QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 2);
      threads.setName("dev-provider");
      Server s = new Server(threads);
      ServerConnector connector = new ServerConnector(s, 1, 1);
      connector.setHost("127.0.0.1");
      connector.setPort(port);
      s.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler();
      context.setContextPath("/");
      context.addServlet(new ServletHolder(new ProviderServlet(this, core)), "/*");
      s.setHandler(context);
      try {
        s.start();
      } catch (Exception e) {
        stopQuietly(s);
        throw e instanceof IOException io
            ? io
            : new IOException("development provider could not start on port " + port, e);
      }
      server = s;
      core.issuer("http://127.0.0.1:" + connector.getLocalPort());
      log.info("development OpenID provider listening, issuer {}", core.issuer());
    }
  }

  /** Stops serving and releases the port; does nothing if not running. Never throws. */
  public void stop() {
    synchronized (lifecycle) {
      stopped = true;
      if (server != null) {
        stopQuietly(server);
        server = null;
      }
      backChannelExecutor.shutdownNow();
    }
  }

  private static void stopQuietly(Server s) {
    try {
      s.stop();
    } catch (Exception e) {
      log.warn("development provider did not stop cleanly: {}", e.toString());
    }
  }

  /** {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  /**
   * The issuer, {@code http://127.0.0.1:<port>} (no trailing slash); discovery is at {@code
   * issuer() + "/.well-known/openid-configuration"}.
   *
   * @throws IllegalStateException before {@link #start()}
   */
  public String issuer() {
    String issuer = core.issuer();
    if (issuer == null) {
      throw new IllegalStateException("provider must be started before its issuer is known, but was not");
    }
    return issuer;
  }

  /** The registered client's id. */
  public String clientId() {
    return core.clientId();
  }

  // ---------------------------------------------------------------- run-time settings

  /** Lifetime of access tokens issued from now on (their JWT {@code exp} and {@code expires_in}). */
  public void setAccessTokenLifetime(Duration lifetime) {
    core.accessTokenLifetime = requirePositive("accessTokenLifetime", lifetime);
  }

  /** Lifetime of ID tokens issued from now on. */
  public void setIdTokenLifetime(Duration lifetime) {
    core.idTokenLifetime = requirePositive("idTokenLifetime", lifetime);
  }

  /** Lifetime of refresh tokens issued from now on. */
  public void setRefreshTokenLifetime(Duration lifetime) {
    core.refreshTokenLifetime = requirePositive("refreshTokenLifetime", lifetime);
  }

  /** Registers one more redirect URI (for example an app started on a port chosen at run time). */
  public void addRedirectUri(URI uri) {
    core.redirectUris.add(requireAbsolute("redirectUri", uri));
  }

  /** Registers one more post-logout redirect URI. */
  public void addPostLogoutRedirectUri(URI uri) {
    core.postLogoutRedirectUris.add(requireAbsolute("postLogoutRedirectUri", uri));
  }

  /** Registers one more back-channel logout URI; every logout is sent to each. */
  public void addBackChannelLogoutUri(URI uri) {
    core.backChannelLogoutUris.add(requireAbsolute("backChannelLogoutUri", uri));
  }

  // ---------------------------------------------------------------- counters

  /**
   * How many {@code refresh_token} grant requests reached the token endpoint since start (or {@link
   * #resetCounts()}), whatever their outcome: a stampede shows here even when all but one lose.
   */
  public int refreshGrants() {
    return core.refreshGrants.get();
  }

  /** How many of {@link #refreshGrants()} were refused (unknown, rotated, revoked, expired, bad client). */
  public int rejectedRefreshGrants() {
    return core.rejectedRefreshGrants.get();
  }

  /** How many client-authenticated revocation requests were answered 200. */
  public int revocations() {
    return core.revocations.get();
  }

  /** How many back-channel logout deliveries were answered with a 2xx. */
  public int backChannelDeliveries() {
    return backChannelDeliveries.get();
  }

  /** Sets every counter back to zero. */
  public void resetCounts() {
    core.refreshGrants.set(0);
    core.rejectedRefreshGrants.set(0);
    core.revocations.set(0);
    backChannelDeliveries.set(0);
  }

  // ---------------------------------------------------------------- logout

  /**
   * Ends every provider session of {@code subject} (their refresh tokens stop working) and sends a
   * back-channel logout token for each to every registered back-channel URI. Returns once every
   * delivery finished or timed out ({@link #BACK_CHANNEL_TIMEOUT}); failed deliveries are logged at
   * WARN and otherwise ignored.
   *
   * @return how many provider sessions ended
   */
  public int logOut(String subject) {
    Objects.requireNonNull(subject, "subject");
    List<ProviderCore.Login> ended = core.endSessionsOf(subject);
    notifyLogout(ended);
    return ended.size();
  }

  /** Ends provider session {@code sid}, if active, and sends its back-channel logout. */
  void endSession(String sid) {
    notifyLogout(core.endSession(sid).stream().toList());
  }

  private void notifyLogout(List<ProviderCore.Login> ended) {
    List<CompletableFuture<Void>> deliveries = new ArrayList<>();
    for (ProviderCore.Login login : ended) {
      for (URI target : core.backChannelLogoutUris) {
        deliveries.add(deliver(target, core.logoutToken(login, LOGOUT_TOKEN_LIFETIME)));
      }
    }
    CompletableFuture.allOf(deliveries.toArray(CompletableFuture[]::new)).join();
  }

  /** Back-Channel Logout 1.0 §2.5: POST {@code logout_token} as a form; never throws. */
  private CompletableFuture<Void> deliver(URI target, String logoutToken) {
    HttpRequest request =
        HttpRequest.newBuilder(target)
            .timeout(BACK_CHANNEL_TIMEOUT)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(
                "logout_token=" + URLEncoder.encode(logoutToken, StandardCharsets.UTF_8)))
            .build();
    try {
      return backChannel
          .sendAsync(request, HttpResponse.BodyHandlers.discarding())
          .handle(
              (response, failure) -> {
                if (failure != null) {
                  log.warn("back-channel logout to {} failed: {}", target, failure.toString());
                } else if (response.statusCode() / 100 != 2) {
                  log.warn("back-channel logout to {} answered HTTP {}", target, response.statusCode());
                } else {
                  backChannelDeliveries.incrementAndGet();
                  log.debug("back-channel logout delivered to {}", target);
                }
                return null;
              });
    } catch (RuntimeException e) {
      log.warn("back-channel logout to {} could not be sent: {}", target, e.toString());
      return CompletableFuture.completedFuture(null);
    }
  }

  @Override
  public String toString() {
    return "DevProvider[issuer=" + core.issuer() + ", client=" + core.clientId() + "]";
  }

  private static Duration requirePositive(String setting, Duration value) {
    Objects.requireNonNull(value, setting);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(setting + " must be positive, but was " + value);
    }
    return value;
  }

  private static URI requireAbsolute(String setting, URI value) {
    Objects.requireNonNull(value, setting);
    if (!value.isAbsolute() || value.getRawFragment() != null) {
      throw new IllegalArgumentException(setting + " must be an absolute URI without fragment, but was " + value);
    }
    return value;
  }

  /**
   * Configures a {@link DevProvider}. A setter rejects a bad value ({@link IllegalArgumentException})
   * and a second call of a single-valued setter ({@link IllegalStateException}); the URI setters
   * add. Not thread-safe.
   */
  public static final class Builder {

    private Integer port;
    private String clientId;
    private String clientSecret;
    private final Set<URI> redirectUris = new LinkedHashSet<>();
    private final Set<URI> postLogoutRedirectUris = new LinkedHashSet<>();
    private final Set<URI> backChannelLogoutUris = new LinkedHashSet<>();
    private Duration accessTokenLifetime;
    private Duration idTokenLifetime;
    private Duration refreshTokenLifetime;
    private Clock clock;

    private Builder() {}

    /** The port on 127.0.0.1, 0 (the default) for a free one. */
    public Builder port(int value) {
      once("port", port);
      if (value < 0 || value > MAX_PORT) {
        throw new IllegalArgumentException("port must be between 0 and " + MAX_PORT + ", but was " + value);
      }
      port = value;
      return this;
    }

    /** The one registered client: its id, secret and first redirect URI. Required. */
    public Builder client(String id, String secret, URI redirectUri) {
      once("client", clientId);
      Objects.requireNonNull(id, "client id");
      Objects.requireNonNull(secret, "client secret");
      if (id.isBlank()) {
        throw new IllegalArgumentException("client id must not be blank, but was '" + id + "'");
      }
      if (secret.isBlank()) {
        throw new IllegalArgumentException("client secret must not be blank, but was blank");
      }
      redirectUris.add(requireAbsolute("redirectUri", redirectUri));
      clientId = id;
      clientSecret = secret;
      return this;
    }

    /** Registers one more redirect URI; compared as exact strings. */
    public Builder redirectUri(URI value) {
      redirectUris.add(requireAbsolute("redirectUri", value));
      return this;
    }

    /** Registers a post-logout redirect URI; may be called several times. */
    public Builder postLogoutRedirectUri(URI value) {
      postLogoutRedirectUris.add(requireAbsolute("postLogoutRedirectUri", value));
      return this;
    }

    /** Registers a back-channel logout URI; may be called several times; optional. */
    public Builder backChannelLogoutUri(URI value) {
      backChannelLogoutUris.add(requireAbsolute("backChannelLogoutUri", value));
      return this;
    }

    /** Access token lifetime; default {@link #DEFAULT_ACCESS_TOKEN_LIFETIME}. */
    public Builder accessTokenLifetime(Duration value) {
      once("accessTokenLifetime", accessTokenLifetime);
      accessTokenLifetime = requirePositive("accessTokenLifetime", value);
      return this;
    }

    /** ID token lifetime; default {@link #DEFAULT_ID_TOKEN_LIFETIME}. */
    public Builder idTokenLifetime(Duration value) {
      once("idTokenLifetime", idTokenLifetime);
      idTokenLifetime = requirePositive("idTokenLifetime", value);
      return this;
    }

    /** Refresh token lifetime, counted again at each rotation; default {@link #DEFAULT_REFRESH_TOKEN_LIFETIME}. */
    public Builder refreshTokenLifetime(Duration value) {
      once("refreshTokenLifetime", refreshTokenLifetime);
      refreshTokenLifetime = requirePositive("refreshTokenLifetime", value);
      return this;
    }

    /** The clock that token expiries ({@code exp}) count from; default the system UTC clock. */
    public Builder clock(Clock value) {
      once("clock", clock);
      clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /**
     * The provider, not yet started.
     *
     * @throws IllegalStateException if no {@link #client} was set
     */
    public DevProvider build() {
      if (clientId == null) {
        throw new IllegalStateException("client must be set, but was not");
      }
      return new DevProvider(this.withDefaults());
    }

    private Builder withDefaults() {
      Builder b = new Builder();
      b.port = port == null ? 0 : port;
      b.clientId = clientId;
      b.clientSecret = clientSecret;
      b.redirectUris.addAll(redirectUris);
      b.postLogoutRedirectUris.addAll(postLogoutRedirectUris);
      b.backChannelLogoutUris.addAll(backChannelLogoutUris);
      b.accessTokenLifetime = accessTokenLifetime == null ? DEFAULT_ACCESS_TOKEN_LIFETIME : accessTokenLifetime;
      b.idTokenLifetime = idTokenLifetime == null ? DEFAULT_ID_TOKEN_LIFETIME : idTokenLifetime;
      b.refreshTokenLifetime = refreshTokenLifetime == null ? DEFAULT_REFRESH_TOKEN_LIFETIME : refreshTokenLifetime;
      b.clock = clock == null ? Clock.systemUTC() : clock;
      return b;
    }

    private static void once(String setting, Object current) {
      if (current != null) {
        throw new IllegalStateException(setting + " must be set once, but was already set");
      }
    }
  }
}
