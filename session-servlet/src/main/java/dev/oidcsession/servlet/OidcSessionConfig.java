package dev.oidcsession.servlet;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import dev.oidcsession.core.SessionListener;
import dev.oidcsession.core.SessionPolicy;
import dev.oidcsession.core.SessionStore;
import dev.oidcsession.core.oidc.OidcClient;
import dev.oidcsession.core.oidc.OidcClientConfig;
import dev.oidcsession.core.oidc.OidcClientConfig.ClientAuthMethod;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import okhttp3.OkHttpClient;

/**
 * Everything {@link OidcSessionFilter} needs, from a builder in code or from {@code init-param}s
 * and environment variables ({@link #fromSources}). Immutable and thread-safe; never prints a
 * secret or key material, and returns none: {@link #oidcClientConfig()} hands them to the
 * protocol client directly.
 *
 * <p>Names read by {@link #fromSources} (an {@code init-param} of the same name wins over the
 * environment variable); README's configuration section has the same table:
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>name</th><th>meaning</th><th>default</th></tr>
 *   <tr><td>{@code BASE_URL}</td><td>the app's external URL, e.g. {@code https://app.example.com}</td><td>required</td></tr>
 *   <tr><td>{@code OIDC_ISSUER}</td><td>the provider's issuer</td><td>required</td></tr>
 *   <tr><td>{@code OIDC_CLIENT_ID}</td><td>the client id</td><td>required</td></tr>
 *   <tr><td>{@code OIDC_CLIENT_AUTH}</td><td>{@code client_secret_basic}, {@code client_secret_post}, {@code private_key_jwt} or {@code none}</td>
 *       <td>{@code private_key_jwt} with a key, {@code client_secret_basic} with a secret, else {@code none}</td></tr>
 *   <tr><td>{@code OIDC_CLIENT_SECRET}</td><td>the client secret ({@code client_secret_*})</td><td>none</td></tr>
 *   <tr><td>{@code OIDC_CLIENT_KEY_FILE}</td><td>{@code private_key_jwt}: a PEM {@code PRIVATE KEY} (PKCS#8, RSA or EC) or a JWK (JSON) file</td><td>none</td></tr>
 *   <tr><td>{@code OIDC_CLIENT_KEY_ID}</td><td>the {@code kid} of that key as registered at the provider</td><td>the JWK's {@code kid}, else its RFC 7638 thumbprint</td></tr>
 *   <tr><td>{@code OIDC_SCOPES}</td><td>space- or comma-separated</td><td>{@code openid profile email}</td></tr>
 *   <tr><td>{@code OIDC_PROMPT}</td><td>{@code prompt} on every login ({@code login}, {@code consent}, {@code select_account}, ...)</td><td>none</td></tr>
 *   <tr><td>{@code OIDC_ACR_VALUES}</td><td>{@code acr_values}, space- or comma-separated</td><td>none</td></tr>
 *   <tr><td>{@code OIDC_AUDIENCE}</td><td>{@code audience} (Auth0 and others: the API the access token is for)</td><td>none</td></tr>
 *   <tr><td>{@code OIDC_RESOURCE}</td><td>{@code resource} (RFC 8707), an absolute URI</td><td>none</td></tr>
 *   <tr><td>{@code OIDC_ROLES_CLAIM}</td><td>the ID-token claim behind {@code isUserInRole}: a name or dotted path ({@code realm_access.roles})</td><td>none: no roles</td></tr>
 *   <tr><td>{@code OIDC_PATH_PREFIX}</td><td>where the endpoints live</td><td>{@code /oidc}</td></tr>
 *   <tr><td>{@code OIDC_PUBLIC_PATHS}</td><td>comma-separated; {@code /x} exact, {@code /x/*} a subtree</td><td>none</td></tr>
 *   <tr><td>{@code OIDC_LOGGED_OUT_PATH}</td><td>where logout ends without a provider logout page</td><td>{@code /}</td></tr>
 *   <tr><td>{@code SESSION_SECRET}</td><td>at least 32 characters; keys the pending-login cookie and the back-channel indexes</td><td>the client secret</td></tr>
 *   <tr><td>{@code SESSION_RENEWAL_INTERVAL}, {@code SESSION_RENEWAL_JITTER}, {@code SESSION_MAX_LIFETIME}, {@code SESSION_IDLE_TIMEOUT}</td>
 *       <td>the {@link SessionPolicy} settings; durations as ISO-8601 ({@code PT15M}) or seconds</td><td>the policy's</td></tr>
 * </table>
 *
 * <p>The listener, HTTP client, executor, store, policy and clock are set in code only.
 */
public final class OidcSessionConfig {

  /** Default {@link Builder#scopes}. */
  public static final List<String> DEFAULT_SCOPES = List.of("openid", "profile", "email");
  /** Default {@link Builder#pathPrefix}. */
  public static final String DEFAULT_PATH_PREFIX = "/oidc";
  /** Smallest {@link Builder#sessionSecret}, in bytes (256 bits). */
  public static final int MIN_SECRET_BYTES = 32;
  /**
   * Call timeout given to an HTTP client that has none: 15 seconds, or half the policy's {@code
   * renewalLease} when that is shorter.
   */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(15);

  private final Builder b;
  private final List<String> scopes;
  private final ClientAuthMethod clientAuthMethod;
  private final SessionPolicy policy;
  private final OkHttpClient httpClient;
  private final Map<String, String> authorizationParameters;

  private OidcSessionConfig(Builder builder) {
    this.b = builder.copy();
    this.scopes = b.scopes != null ? b.scopes : DEFAULT_SCOPES;
    this.clientAuthMethod = b.clientAuthMethod != null ? b.clientAuthMethod
        : b.clientKey != null ? ClientAuthMethod.PRIVATE_KEY_JWT
        : b.clientSecret != null ? ClientAuthMethod.CLIENT_SECRET_BASIC : ClientAuthMethod.NONE;
    this.policy = b.policy != null ? b.policy : b.policyFromSources();
    this.httpClient = wrap(b.httpClient, policy.renewalLease());
    Map<String, String> parameters = new LinkedHashMap<>();
    if (b.prompt != null) {
      parameters.put("prompt", b.prompt);
    }
    if (b.acrValues != null) {
      parameters.put("acr_values", String.join(" ", b.acrValues));
    }
    if (b.audience != null) {
      parameters.put("audience", b.audience);
    }
    if (b.resource != null) {
      parameters.put("resource", b.resource);
    }
    this.authorizationParameters = Collections.unmodifiableMap(parameters);
  }

  /**
   * The caller's client (or the library's default) with the renewal rules applied: no silent
   * retries (a re-sent refresh would spend a rotating refresh token twice), no redirects (a token
   * request must not carry credentials elsewhere), and a call timeout shorter than the renewal
   * lease, so a renewal ends before another node may take the lease over.
   */
  private static OkHttpClient wrap(OkHttpClient given, Duration lease) {
    OkHttpClient base = given != null ? given : OidcClient.defaultHttpClient();
    Duration timeout;
    if (given != null && given.callTimeoutMillis() > 0) {
      timeout = Duration.ofMillis(given.callTimeoutMillis());
      if (timeout.compareTo(lease) >= 0) {
        throw new IllegalStateException("httpClient callTimeout must be shorter than the policy's"
            + " renewalLease (" + lease + "), but was " + timeout);
      }
    } else {
      Duration half = lease.dividedBy(2);
      timeout = DEFAULT_CALL_TIMEOUT.compareTo(half) < 0 ? DEFAULT_CALL_TIMEOUT : half;
    }
    return base.newBuilder()
        .retryOnConnectionFailure(false)
        .followRedirects(false)
        .followSslRedirects(false)
        .callTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .build();
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
    return ConfigSources.read(initParam, environment);
  }

  /**
   * The one mapping to the protocol client's configuration: issuer, client, client
   * authentication (secret or private key, never returned by this class), redirect URI, scopes,
   * post-logout redirect and clock. A new value per call; the filter and start-up checks use it.
   */
  public OidcClientConfig oidcClientConfig() {
    OidcClientConfig.Builder c = OidcClientConfig.builder()
        .issuer(b.issuer.toString())
        .clientId(b.clientId)
        .redirectUri(redirectUri())
        .scopes(scopes.toArray(String[]::new))
        .postLogoutRedirectUri(URI.create(b.baseUrl + loggedOutPath()))
        .clock(clock());
    switch (clientAuthMethod) {
      case CLIENT_SECRET_BASIC -> c.clientSecretBasic(b.clientSecret);
      case CLIENT_SECRET_POST -> c.clientSecretPost(b.clientSecret);
      case PRIVATE_KEY_JWT -> c.privateKeyJwt(keyWithId());
      case NONE -> c.publicClient();
    }
    return c.build();
  }

  private JWK keyWithId() {
    JWK key = b.clientKey;
    String kid = b.clientKeyId != null ? b.clientKeyId : key.getKeyID();
    try {
      if (kid == null) {
        kid = key.computeThumbprint().toString(); // RFC 7638
      }
      if (key instanceof RSAKey rsa) {
        return new RSAKey.Builder(rsa).keyID(kid).build();
      }
      return new ECKey.Builder((ECKey) key).keyID(kid).build();
    } catch (JOSEException e) {
      throw new IllegalStateException("clientKey must allow an RFC 7638 thumbprint, but did not", e);
    }
  }

  /** The app's external URL, without a trailing slash. */
  public URI baseUrl() {
    return b.baseUrl;
  }

  /** Whether cookies must be {@code Secure} with the {@code __Host-} prefix ({@code https}). */
  public boolean secureCookies() {
    return "https".equals(b.baseUrl.getScheme());
  }

  /** The provider's issuer. */
  public URI issuer() {
    return b.issuer;
  }

  /** The client id. */
  public String clientId() {
    return b.clientId;
  }

  /** How the client authenticates at the provider; the secret or key stays inside. */
  public ClientAuthMethod clientAuthMethod() {
    return clientAuthMethod;
  }

  /** The client secret's bytes (a default key for the pending-login cookie), when set. */
  Optional<byte[]> clientSecretBytes() {
    return Optional.ofNullable(b.clientSecret).map(s -> s.getBytes(StandardCharsets.UTF_8));
  }

  /** The requested scopes. */
  public List<String> scopes() {
    return scopes;
  }

  /**
   * The fixed authorization-request parameters ({@code prompt}, {@code acr_values}, {@code
   * audience}, {@code resource}) in that order; empty when none is set.
   */
  public Map<String, String> authorizationParameters() {
    return authorizationParameters;
  }

  /** The claim path behind {@code isUserInRole}, when set; see {@link Builder#rolesClaim}. */
  public Optional<String> rolesClaim() {
    return Optional.ofNullable(b.rolesClaim);
  }

  /** Where the endpoints live, e.g. {@code /oidc}. */
  public String pathPrefix() {
    return b.pathPrefix != null ? b.pathPrefix : DEFAULT_PATH_PREFIX;
  }

  /** Paths served without a session. */
  public List<String> publicPaths() {
    return b.publicPaths != null ? b.publicPaths : List.of();
  }

  /** Where logout ends when the provider has no end-session endpoint. */
  public String loggedOutPath() {
    return b.loggedOutPath != null ? b.loggedOutPath : "/";
  }

  /** The secret that keys the pending-login cookie, when set. */
  Optional<byte[]> sessionSecret() {
    return Optional.ofNullable(b.sessionSecret).map(byte[]::clone);
  }

  /** The lifecycle policy. */
  public SessionPolicy policy() {
    return policy;
  }

  /** The store chosen by the app; empty means in memory. */
  public Optional<SessionStore> store() {
    return Optional.ofNullable(b.store);
  }

  /** The listener given to the session manager; {@link SessionListener#NONE} when unset. */
  public SessionListener listener() {
    return b.listener != null ? b.listener : SessionListener.NONE;
  }

  /**
   * The HTTP client the protocol client uses: the one given (or the library default) with {@code
   * retryOnConnectionFailure(false)}, no redirects and a call timeout shorter than the renewal lease.
   * It shares the given client's connection pool and dispatcher.
   */
  public OkHttpClient httpClient() {
    return httpClient;
  }

  /** The executor for renewals when the app gave one; the filter never shuts it down. */
  public Optional<ScheduledExecutorService> executor() {
    return Optional.ofNullable(b.executor);
  }

  /** The clock of the session manager and the protocol client. */
  public Clock clock() {
    return b.clock != null ? b.clock : Clock.systemUTC();
  }

  /** The redirect URI registered at the provider: {@code baseUrl + pathPrefix + /callback}. */
  public URI redirectUri() {
    return URI.create(b.baseUrl + pathPrefix() + "/callback");
  }

  /** The settings; never a secret or key material. */
  @Override
  public String toString() {
    return "OidcSessionConfig[baseUrl=" + b.baseUrl + ", issuer=" + b.issuer + ", clientId="
        + b.clientId + ", clientAuth=" + clientAuthMethod.name().toLowerCase(Locale.ROOT)
        + (b.clientSecret != null ? ", clientSecret=(set)" : "")
        + (b.clientKey != null ? ", clientKey=(" + b.clientKey.getKeyType() + " key)" : "")
        + ", scopes=" + scopes + ", authorizationParameters=" + authorizationParameters
        + ", rolesClaim=" + b.rolesClaim + ", pathPrefix=" + pathPrefix()
        + ", publicPaths=" + publicPaths()
        + ", sessionSecret=" + (b.sessionSecret != null ? "(set)" : "(none)") + ", " + policy
        + "]";
  }

  /**
   * Builds an {@link OidcSessionConfig}. A setter rejects a bad value ({@link
   * IllegalArgumentException}, message {@code <setting> must be <rule>, but was <value>}, secrets
   * never echoed) and a second call or an exclusive pair ({@link IllegalStateException}); {@link
   * #build()} checks the rules that span settings and leaves the builder as it was. Not thread-safe.
   */
  public static final class Builder {

    private URI baseUrl;
    private URI issuer;
    private String clientId;
    private ClientAuthMethod clientAuthMethod;
    private String clientSecret;
    private JWK clientKey;
    private String clientKeyId;
    private List<String> scopes;
    private String prompt;
    private List<String> acrValues;
    private String audience;
    private String resource;
    private String rolesClaim;
    private String pathPrefix;
    private List<String> publicPaths;
    private String loggedOutPath;
    private byte[] sessionSecret;
    private SessionPolicy policy;
    private SessionPolicy.Builder policyBuilder;
    private ConfigSources.Source policySource;
    private SessionStore store;
    private SessionListener listener;
    private OkHttpClient httpClient;
    private ScheduledExecutorService executor;
    private Clock clock;

    private Builder() {}

    private Builder copy() {
      Builder c = new Builder();
      c.baseUrl = baseUrl;
      c.issuer = issuer;
      c.clientId = clientId;
      c.clientAuthMethod = clientAuthMethod;
      c.clientSecret = clientSecret;
      c.clientKey = clientKey;
      c.clientKeyId = clientKeyId;
      c.scopes = scopes;
      c.prompt = prompt;
      c.acrValues = acrValues;
      c.audience = audience;
      c.resource = resource;
      c.rolesClaim = rolesClaim;
      c.pathPrefix = pathPrefix;
      c.publicPaths = publicPaths;
      c.loggedOutPath = loggedOutPath;
      c.sessionSecret = sessionSecret == null ? null : sessionSecret.clone();
      c.policy = policy;
      c.policyBuilder = policyBuilder;
      c.policySource = policySource;
      c.store = store;
      c.listener = listener;
      c.httpClient = httpClient;
      c.executor = executor;
      c.clock = clock;
      return c;
    }

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
      String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
      int port = uri.getPort();
      boolean defaultPort = port == -1 || ("https".equals(scheme) && port == 443)
          || ("http".equals(scheme) && port == 80);
      String path = uri.getRawPath() == null ? "" : uri.getRawPath();
      if (path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
      baseUrl = URI.create(scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT)
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

    /**
     * How the client authenticates at the token and revocation endpoints. Default: {@code
     * private_key_jwt} when a {@link #clientKey} is set, {@code client_secret_basic} when a {@link
     * #clientSecret} is, else {@code none} (a public client, PKCE only).
     */
    public Builder clientAuthMethod(ClientAuthMethod value) {
      once(clientAuthMethod, "clientAuthMethod");
      clientAuthMethod = Objects.requireNonNull(value, "clientAuthMethod");
      return this;
    }

    /** The client secret, for {@code client_secret_basic} or {@code client_secret_post}. */
    public Builder clientSecret(String value) {
      once(clientSecret, "clientSecret");
      exclusive(clientKey, "clientSecret", "clientKey");
      Objects.requireNonNull(value, "clientSecret");
      if (value.isBlank()) {
        throw new IllegalArgumentException("clientSecret must be non-blank, but was blank");
      }
      clientSecret = value;
      return this;
    }

    /**
     * The private key of {@code private_key_jwt} (OIDC Core 9, RFC 7523): a private RSA key
     * (signs RS256) or a private EC key on P-256, P-384 or P-521 (ES256/384/512).
     */
    public Builder clientKey(JWK value) {
      once(clientKey, "clientKey");
      exclusive(clientSecret, "clientKey", "clientSecret");
      clientKey = ClientKeys.requirePrivate(Objects.requireNonNull(value, "clientKey"), "clientKey");
      return this;
    }

    /**
     * {@link #clientKey} read from a file, now: a PEM {@code -----BEGIN PRIVATE KEY-----} (PKCS#8,
     * unencrypted, RSA or EC) or a JWK (JSON). An error names the file, never its content.
     */
    public Builder clientKeyFile(Path value) {
      Objects.requireNonNull(value, "clientKeyFile");
      once(clientKey, "clientKey");
      exclusive(clientSecret, "clientKey", "clientSecret");
      clientKey = ClientKeys.read(value, "clientKeyFile");
      return this;
    }

    /**
     * The {@code kid} the provider knows {@link #clientKey} by. Default: the JWK's own {@code
     * kid}, else its RFC 7638 thumbprint; a JWK with another {@code kid} fails {@link #build()}.
     */
    public Builder clientKeyId(String value) {
      once(clientKeyId, "clientKeyId");
      clientKeyId = LoginParameters.token(Objects.requireNonNull(value, "clientKeyId"), "clientKeyId");
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

    /**
     * {@code prompt} on every login (OIDC Core 3.1.2.1): space-separated {@code login}, {@code
     * consent}, {@code select_account}, {@code create}, or {@code none} alone. A login link's own
     * {@code ?prompt=} wins.
     */
    public Builder prompt(String value) {
      once(prompt, "prompt");
      prompt = LoginParameters.prompt(Objects.requireNonNull(value, "prompt"), "prompt");
      return this;
    }

    /** {@code acr_values} on every login (OIDC Core 3.1.2.1), in order of preference. */
    public Builder acrValues(String... values) {
      once(acrValues, "acrValues");
      List<String> list = new ArrayList<>();
      for (String v : values) {
        if (!v.isBlank()) {
          list.add(LoginParameters.token(v, "acrValues"));
        }
      }
      if (list.isEmpty() || list.stream().anyMatch(v -> v.contains(" "))) {
        throw new IllegalArgumentException("acrValues must be one or more single tokens, but was "
            + List.of(values));
      }
      acrValues = List.copyOf(list);
      return this;
    }

    /** {@code audience} on every login: the API the access token is for (Auth0 and others). */
    public Builder audience(String value) {
      once(audience, "audience");
      audience = LoginParameters.token(Objects.requireNonNull(value, "audience"), "audience");
      return this;
    }

    /** {@code resource} on every login (RFC 8707): an absolute URI without fragment. */
    public Builder resource(String value) {
      once(resource, "resource");
      resource = LoginParameters.resource(Objects.requireNonNull(value, "resource"));
      return this;
    }

    /**
     * The ID-token claim that lists the user's roles, for {@code request.isUserInRole(role)}: a
     * claim name ({@code roles}, {@code groups}) or a dotted path into nested objects ({@code
     * realm_access.roles} for Keycloak). The claim may be a JSON array of strings or one string of
     * space-separated roles. Read from the ID token of the current session (renewed with it), so
     * the provider must put the claim into the ID token. Default: none, and {@code isUserInRole}
     * is false for every role.
     */
    public Builder rolesClaim(String value) {
      once(rolesClaim, "rolesClaim");
      Objects.requireNonNull(value, "rolesClaim");
      if (!value.matches("[^.\\s]+(\\.[^.\\s]+)*")) {
        throw new IllegalArgumentException("rolesClaim must be a claim name or a dotted path such"
            + " as realm_access.roles, but was '" + value + "'");
      }
      rolesClaim = value;
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

    /** Hears created, renewed, renewal-failed and ended (audit, metrics). Default: none. */
    public Builder listener(SessionListener value) {
      once(listener, "listener");
      listener = Objects.requireNonNull(value, "listener");
      return this;
    }

    /**
     * The HTTP client for the provider (proxy, TLS trust, interceptors, timeouts). Used through
     * {@code newBuilder()} with {@code retryOnConnectionFailure(false)} and no redirects; its call
     * timeout must be shorter than the policy's {@code renewalLease} (checked by {@link #build()});
     * without one it gets {@link #DEFAULT_CALL_TIMEOUT}. Default: {@link
     * OidcClient#defaultHttpClient()}.
     */
    public Builder httpClient(OkHttpClient value) {
      once(httpClient, "httpClient");
      httpClient = Objects.requireNonNull(value, "httpClient");
      return this;
    }

    /**
     * Runs renewals and their retries. The filter never shuts it down: its owner does, after the
     * filter is destroyed. Default: a small pool the filter owns and stops.
     */
    public Builder executor(ScheduledExecutorService value) {
      once(executor, "executor");
      executor = Objects.requireNonNull(value, "executor");
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
     * @throws IllegalStateException naming the first missing required setting or a conflict:
     *     client authentication without its secret or key (or with the other's), a {@code
     *     clientKeyId} that contradicts the JWK's, {@code SESSION_*} settings next to a policy set in
     *     code, an HTTP client whose call timeout is not shorter than the renewal lease
     * @throws IllegalArgumentException naming the {@code SESSION_*} settings that contradict
     */
    public OidcSessionConfig build() {
      requireSet(baseUrl, "baseUrl (BASE_URL)");
      requireSet(issuer, "issuer (OIDC_ISSUER)");
      requireSet(clientId, "clientId (OIDC_CLIENT_ID)");
      if (policy != null && policyBuilder != null) {
        throw new IllegalStateException(
            "policy was set in code and SESSION_* settings were given: choose one");
      }
      ClientAuthMethod method = clientAuthMethod;
      boolean secretMethod = method == ClientAuthMethod.CLIENT_SECRET_BASIC
          || method == ClientAuthMethod.CLIENT_SECRET_POST;
      String name = method == null ? null : method.name().toLowerCase(Locale.ROOT);
      if (method != null && !secretMethod && clientSecret != null) {
        throw new IllegalStateException("clientSecret must not be set for " + name + ", but was");
      }
      if (method != null && method != ClientAuthMethod.PRIVATE_KEY_JWT && clientKey != null) {
        throw new IllegalStateException("clientKey must not be set for " + name + ", but was");
      }
      if (secretMethod && clientSecret == null) {
        throw new IllegalStateException(
            "clientSecret (OIDC_CLIENT_SECRET) must be set for " + name + ", but was not");
      }
      if (method == ClientAuthMethod.PRIVATE_KEY_JWT && clientKey == null) {
        throw new IllegalStateException(
            "clientKey (OIDC_CLIENT_KEY_FILE) must be set for " + name + ", but was not");
      }
      if (clientKeyId != null && clientKey == null) {
        throw new IllegalStateException("clientKeyId must come with a clientKey"
            + " (OIDC_CLIENT_KEY_FILE), but was set alone");
      }
      if (clientKeyId != null && clientKey.getKeyID() != null
          && !clientKeyId.equals(clientKey.getKeyID())) {
        throw new IllegalStateException("clientKeyId must equal the kid of the clientKey ("
            + clientKey.getKeyID() + "), but was " + clientKeyId);
      }
      OidcSessionConfig config = new OidcSessionConfig(this);
      config.oidcClientConfig(); // the protocol client accepts it: nothing fails at start-up
      return config;
    }

    private SessionPolicy policyFromSources() {
      if (policyBuilder == null) {
        return SessionPolicy.defaults();
      }
      SessionPolicy[] built = new SessionPolicy[1];
      policySource.wrap("policy", () -> built[0] = policyBuilder.build());
      return built[0];
    }

    void policyFromSources(SessionPolicy.Builder builder, ConfigSources.Source source) {
      policyBuilder = builder;
      policySource = source;
    }

    private static void once(Object current, String name) {
      if (current != null) {
        throw new IllegalStateException(name + " was already set");
      }
    }

    private static void exclusive(Object other, String name, String otherName) {
      if (other != null) {
        throw new IllegalStateException(name + " must not be set with " + otherName
            + " (they are two ways to authenticate), but " + otherName + " was already set");
      }
    }

    private static void requireSet(Object value, String name) {
      if (value == null) {
        throw new IllegalStateException(name + " must be set, but was not");
      }
    }

    private static String notBlank(String value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isBlank()) {
        throw new IllegalArgumentException(name + " must be non-blank, but was blank");
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
