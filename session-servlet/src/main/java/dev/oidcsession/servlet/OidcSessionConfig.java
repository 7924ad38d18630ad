package dev.oidcsession.servlet;

import dev.oidcsession.core.SessionPolicy;
import dev.oidcsession.core.SessionStore;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Everything {@link OidcSessionFilter} needs, from a builder in code or from {@code init-param}s
 * and environment variables ({@link #fromSources}). Immutable; never prints a secret.
 *
 * <p>Names read by {@link #fromSources} (an {@code init-param} of the same name wins over the
 * environment variable):
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>name</th><th>meaning</th><th>default</th></tr>
 *   <tr><td>{@code BASE_URL}</td><td>the app's external URL, e.g. {@code https://app.example.com}</td><td>required</td></tr>
 *   <tr><td>{@code OIDC_ISSUER}</td><td>the provider's issuer</td><td>required</td></tr>
 *   <tr><td>{@code OIDC_CLIENT_ID}</td><td>the client id</td><td>required</td></tr>
 *   <tr><td>{@code OIDC_CLIENT_SECRET}</td><td>the client secret; absent for a public client</td><td>none</td></tr>
 *   <tr><td>{@code OIDC_SCOPES}</td><td>space- or comma-separated</td><td>{@code openid profile email}</td></tr>
 *   <tr><td>{@code OIDC_PATH_PREFIX}</td><td>where the endpoints live</td><td>{@code /oidc}</td></tr>
 *   <tr><td>{@code OIDC_PUBLIC_PATHS}</td><td>comma-separated; {@code /x} exact, {@code /x/*} a subtree</td><td>none</td></tr>
 *   <tr><td>{@code OIDC_LOGGED_OUT_PATH}</td><td>where logout ends without a provider logout page</td><td>{@code /}</td></tr>
 *   <tr><td>{@code SESSION_SECRET}</td><td>at least 32 characters; keys the pending-login cookie</td><td>the client secret</td></tr>
 *   <tr><td>{@code SESSION_RENEWAL_INTERVAL}, {@code SESSION_RENEWAL_JITTER}, {@code SESSION_MAX_LIFETIME}, {@code SESSION_IDLE_TIMEOUT}</td>
 *       <td>the {@link SessionPolicy} settings; durations as ISO-8601 ({@code PT15M}) or seconds</td><td>the policy's</td></tr>
 * </table>
 */
public final class OidcSessionConfig {

  /** Default {@link Builder#scopes}. */
  public static final List<String> DEFAULT_SCOPES = List.of("openid", "profile", "email");
  /** Default {@link Builder#pathPrefix}. */
  public static final String DEFAULT_PATH_PREFIX = "/oidc";
  /** Smallest {@link Builder#sessionSecret}, in bytes (256 bits). */
  public static final int MIN_SECRET_BYTES = 32;

  private final URI baseUrl;
  private final URI issuer;
  private final String clientId;
  private final Optional<String> clientSecret;
  private final List<String> scopes;
  private final String pathPrefix;
  private final List<String> publicPaths;
  private final String loggedOutPath;
  private final Optional<byte[]> sessionSecret;
  private final SessionPolicy policy;
  private final Optional<SessionStore> store;
  private final Clock clock;

  private OidcSessionConfig(Builder b) {
    this.baseUrl = b.baseUrl;
    this.issuer = b.issuer;
    this.clientId = b.clientId;
    this.clientSecret = Optional.ofNullable(b.clientSecret);
    this.scopes = b.scopes != null ? b.scopes : DEFAULT_SCOPES;
    this.pathPrefix = b.pathPrefix != null ? b.pathPrefix : DEFAULT_PATH_PREFIX;
    this.publicPaths = b.publicPaths != null ? b.publicPaths : List.of();
    this.loggedOutPath = b.loggedOutPath != null ? b.loggedOutPath : "/";
    this.sessionSecret = Optional.ofNullable(b.sessionSecret).map(byte[]::clone);
    this.policy = b.policy != null ? b.policy : b.policyFromSources();
    this.store = Optional.ofNullable(b.store);
    this.clock = b.clock != null ? b.clock : Clock.systemUTC();
  }

  /** A builder; {@code baseUrl}, {@code issuer} and {@code clientId} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads the settings named in the class Javadoc.
   *
   * @param initParam an {@code init-param} by name, or {@code null} when unset
   * @param environment an environment variable by name, or {@code null} when unset
   * @return a builder holding what was found; code may add to it (e.g. a store)
   * @throws IllegalArgumentException naming the setting and its source when a value is bad
   */
  public static Builder fromSources(
      Function<String, String> initParam, Function<String, String> environment) {
    Builder b = new Builder();
    Source source = new Source(initParam, environment);
    source.apply("BASE_URL", b::baseUrl);
    source.apply("OIDC_ISSUER", b::issuer);
    source.apply("OIDC_CLIENT_ID", b::clientId);
    source.apply("OIDC_CLIENT_SECRET", b::clientSecret);
    source.apply("OIDC_SCOPES", v -> b.scopes(v.split("[\\s,]+")));
    source.apply("OIDC_PATH_PREFIX", b::pathPrefix);
    source.apply("OIDC_PUBLIC_PATHS", v -> b.publicPaths(v.split("\\s*,\\s*")));
    source.apply("OIDC_LOGGED_OUT_PATH", b::loggedOutPath);
    source.apply("SESSION_SECRET", v -> b.sessionSecret(v.getBytes(StandardCharsets.UTF_8)));
    SessionPolicy.Builder policy = SessionPolicy.builder();
    boolean[] any = {false};
    source.apply("SESSION_RENEWAL_INTERVAL", v -> { policy.renewalInterval(duration(v)); any[0] = true; });
    source.apply("SESSION_RENEWAL_JITTER", v -> { policy.renewalJitter(number(v)); any[0] = true; });
    source.apply("SESSION_MAX_LIFETIME", v -> { policy.maxLifetime(duration(v)); any[0] = true; });
    source.apply("SESSION_IDLE_TIMEOUT", v -> { policy.idleTimeout(duration(v)); any[0] = true; });
    if (any[0]) {
      b.policyBuilder = policy;
      b.policySource = source;
    }
    return b;
  }

  /** A duration as ISO-8601 ({@code PT15M}) or a whole number of seconds. */
  static Duration duration(String value) {
    String v = value.trim();
    if (v.matches("\\d{1,12}")) {
      return Duration.ofSeconds(Long.parseLong(v));
    }
    try {
      return Duration.parse(v);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "must be an ISO-8601 duration such as PT15M or a number of seconds, but was " + v);
    }
  }

  private static double number(String value) {
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("must be a number, but was " + value.trim());
    }
  }

  /** The app's external URL, without a trailing slash. */
  public URI baseUrl() {
    return baseUrl;
  }

  /** Whether cookies must be {@code Secure} with the {@code __Host-} prefix ({@code https}). */
  public boolean secureCookies() {
    return "https".equals(baseUrl.getScheme());
  }

  /** The provider's issuer. */
  public URI issuer() {
    return issuer;
  }

  /** The client id. */
  public String clientId() {
    return clientId;
  }

  /** The client secret; empty for a public client. Never log it. */
  public Optional<String> clientSecret() {
    return clientSecret;
  }

  /** The requested scopes. */
  public List<String> scopes() {
    return scopes;
  }

  /** Where the endpoints live, e.g. {@code /oidc}. */
  public String pathPrefix() {
    return pathPrefix;
  }

  /** Paths served without a session. */
  public List<String> publicPaths() {
    return publicPaths;
  }

  /** Where logout ends when the provider has no end-session endpoint. */
  public String loggedOutPath() {
    return loggedOutPath;
  }

  /** The secret that keys the pending-login cookie, when set. */
  Optional<byte[]> sessionSecret() {
    return sessionSecret.map(byte[]::clone);
  }

  /** The lifecycle policy. */
  public SessionPolicy policy() {
    return policy;
  }

  /** The store chosen by the app; empty means in memory. */
  public Optional<SessionStore> store() {
    return store;
  }

  /** The clock of the session manager and the protocol client. */
  public Clock clock() {
    return clock;
  }

  /** The redirect URI registered at the provider: {@code baseUrl + pathPrefix + /callback}. */
  public URI redirectUri() {
    return URI.create(baseUrl + pathPrefix + "/callback");
  }

  @Override
  public String toString() {
    return "OidcSessionConfig[baseUrl=" + baseUrl + ", issuer=" + issuer + ", clientId=" + clientId
        + ", clientSecret=" + (clientSecret.isPresent() ? "(set)" : "(public client)")
        + ", scopes=" + scopes + ", pathPrefix=" + pathPrefix + ", publicPaths=" + publicPaths
        + ", sessionSecret=" + (sessionSecret.isPresent() ? "(set)" : "(none)") + ", " + policy
        + "]";
  }

  /** Reads named settings and prefixes any error with the name and its source. */
  private static final class Source {
    private final Function<String, String> initParam;
    private final Function<String, String> environment;

    Source(Function<String, String> initParam, Function<String, String> environment) {
      this.initParam = initParam;
      this.environment = environment;
    }

    void apply(String name, java.util.function.Consumer<String> setter) {
      String value = initParam.apply(name);
      String where = "init-param";
      if (value == null) {
        value = environment.apply(name);
        where = "environment variable";
      }
      if (value == null || value.isBlank()) {
        return;
      }
      try {
        setter.accept(value.trim());
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw new IllegalArgumentException(name + " (" + where + "): " + e.getMessage(), e);
      }
    }

    void wrap(String name, Runnable action) {
      try {
        action.run();
      } catch (IllegalStateException e) {
        throw new IllegalArgumentException("SESSION_* settings (" + name + "): " + e.getMessage(), e);
      }
    }
  }

  /**
   * Builds an {@link OidcSessionConfig}. A setter rejects a bad value ({@link
   * IllegalArgumentException}) and a second call ({@link IllegalStateException}).
   */
  public static final class Builder {

    private URI baseUrl;
    private URI issuer;
    private String clientId;
    private String clientSecret;
    private List<String> scopes;
    private String pathPrefix;
    private List<String> publicPaths;
    private String loggedOutPath;
    private byte[] sessionSecret;
    private SessionPolicy policy;
    private SessionPolicy.Builder policyBuilder;
    private Source policySource;
    private SessionStore store;
    private Clock clock;

    private Builder() {}

    /** The app's external URL: {@code http} or {@code https}, no query; required. */
    public Builder baseUrl(String value) {
      once(baseUrl, "baseUrl");
      URI uri = uri(value, "baseUrl");
      if (!"https".equalsIgnoreCase(uri.getScheme()) && !"http".equalsIgnoreCase(uri.getScheme())) {
        throw new IllegalArgumentException("baseUrl must be an http or https URL, but was " + value);
      }
      if (uri.getHost() == null || uri.getQuery() != null || uri.getFragment() != null) {
        throw new IllegalArgumentException(
            "baseUrl must be an absolute URL with a host and no query or fragment, but was " + value);
      }
      // Normalized as browsers send Origin: lower-case scheme and host, no default port.
      String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
      int port = uri.getPort();
      boolean defaultPort = port == -1 || ("https".equals(scheme) && port == 443)
          || ("http".equals(scheme) && port == 80);
      String path = uri.getRawPath() == null ? "" : uri.getRawPath();
      if (path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
      baseUrl = URI.create(scheme + "://" + uri.getHost().toLowerCase(java.util.Locale.ROOT)
          + (defaultPort ? "" : ":" + port) + path);
      return this;
    }

    /** The provider's issuer identifier, an {@code https} URL (or {@code http} on loopback); required. */
    public Builder issuer(String value) {
      once(issuer, "issuer");
      URI uri = uri(value, "issuer");
      boolean loopback = "localhost".equals(uri.getHost()) || "127.0.0.1".equals(uri.getHost());
      if (!"https".equals(uri.getScheme()) && !("http".equals(uri.getScheme()) && loopback)) {
        throw new IllegalArgumentException(
            "issuer must be an https URL (http only on localhost), but was " + value);
      }
      issuer = uri;
      return this;
    }

    /** The client id; required. */
    public Builder clientId(String value) {
      once(clientId, "clientId");
      clientId = notBlank(value, "clientId");
      return this;
    }

    /** The client secret ({@code client_secret_basic}); leave unset for a public client. */
    public Builder clientSecret(String value) {
      once(clientSecret, "clientSecret");
      clientSecret = notBlank(value, "clientSecret");
      return this;
    }

    /** The scopes to request; {@code openid} is added when missing. */
    public Builder scopes(String... values) {
      once(scopes, "scopes");
      List<String> list = new ArrayList<>();
      for (String v : values) {
        if (!v.isBlank() && !list.contains(v)) {
          list.add(v);
        }
      }
      if (!list.contains("openid")) {
        list.add(0, "openid");
      }
      scopes = List.copyOf(list);
      return this;
    }

    /** Where the endpoints live: starts with {@code /}, does not end with one. Default {@code /oidc}. */
    public Builder pathPrefix(String value) {
      once(pathPrefix, "pathPrefix");
      if (!value.matches("(/[A-Za-z0-9._~-]+)+")) {
        throw new IllegalArgumentException(
            "pathPrefix must be a path such as /oidc (no trailing slash), but was " + value);
      }
      pathPrefix = value;
      return this;
    }

    /** Paths served without a session: {@code /x} exactly, or {@code /x/*} for a subtree. */
    public Builder publicPaths(String... values) {
      once(publicPaths, "publicPaths");
      for (String v : values) {
        if (!v.startsWith("/")) {
          throw new IllegalArgumentException("publicPaths must start with /, but had " + v);
        }
      }
      publicPaths = List.of(values);
      return this;
    }

    /** Where logout ends when the provider has no end-session endpoint; a local path. */
    public Builder loggedOutPath(String value) {
      once(loggedOutPath, "loggedOutPath");
      if (!ReturnPaths.isLocal(value)) {
        throw new IllegalArgumentException("loggedOutPath must be a local path, but was " + value);
      }
      loggedOutPath = value;
      return this;
    }

    /**
     * Keys the pending-login cookie; the same on every server behind one load balancer; at least
     * 32 bytes. Default: derived from the client secret.
     */
    public Builder sessionSecret(byte[] value) {
      once(sessionSecret, "sessionSecret");
      Objects.requireNonNull(value, "sessionSecret");
      if (value.length < MIN_SECRET_BYTES) {
        throw new IllegalArgumentException("sessionSecret must be at least " + MIN_SECRET_BYTES
            + " bytes, but was " + value.length + " bytes");
      }
      sessionSecret = value.clone();
      return this;
    }

    /** The lifecycle policy. Default: from the {@code SESSION_*} settings, else the defaults. */
    public Builder policy(SessionPolicy value) {
      once(policy, "policy");
      policy = Objects.requireNonNull(value, "policy");
      return this;
    }

    /** The session store. Default: in memory. */
    public Builder store(SessionStore value) {
      once(store, "store");
      store = Objects.requireNonNull(value, "store");
      return this;
    }

    /** The clock. Default: {@link Clock#systemUTC()}. */
    public Builder clock(Clock value) {
      once(clock, "clock");
      clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @throws IllegalStateException naming the first missing required setting, or a conflict
     */
    public OidcSessionConfig build() {
      if (baseUrl == null) {
        throw new IllegalStateException("baseUrl (BASE_URL) must be set, but was not");
      }
      if (issuer == null) {
        throw new IllegalStateException("issuer (OIDC_ISSUER) must be set, but was not");
      }
      if (clientId == null) {
        throw new IllegalStateException("clientId (OIDC_CLIENT_ID) must be set, but was not");
      }
      if (policy != null && policyBuilder != null) {
        throw new IllegalStateException(
            "policy was set in code and SESSION_* settings were given: choose one");
      }
      return new OidcSessionConfig(this);
    }

    private SessionPolicy policyFromSources() {
      if (policyBuilder == null) {
        return SessionPolicy.defaults();
      }
      SessionPolicy[] built = new SessionPolicy[1];
      policySource.wrap("policy", () -> built[0] = policyBuilder.build());
      return built[0];
    }

    private static void once(Object current, String name) {
      if (current != null) {
        throw new IllegalStateException(name + " was already set");
      }
    }

    private static String notBlank(String value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isBlank()) {
        throw new IllegalArgumentException(name + " must not be blank");
      }
      return value;
    }

    private static URI uri(String value, String name) {
      Objects.requireNonNull(value, name);
      try {
        URI uri = new URI(value.trim());
        if (!uri.isAbsolute()) {
          throw new IllegalArgumentException(name + " must be an absolute URL, but was " + value);
        }
        return uri;
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(name + " must be a URL, but was " + value);
      }
    }
  }
}
