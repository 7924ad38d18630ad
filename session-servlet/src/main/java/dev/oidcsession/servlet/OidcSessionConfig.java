package dev.oidcsession.servlet;

import static dev.oidcsession.core.internal.Settings.once;
import static dev.oidcsession.core.internal.Settings.onceSecret;
import static dev.oidcsession.core.internal.Settings.required;

import com.nimbusds.jose.jwk.JWK;
import dev.oidcsession.core.SessionListener;
import dev.oidcsession.core.SessionManager;
import dev.oidcsession.core.SessionPolicy;
import dev.oidcsession.core.SessionStore;
import dev.oidcsession.core.internal.Settings;
import dev.oidcsession.core.oidc.OidcClient;
import dev.oidcsession.core.oidc.OidcClientConfig;
import dev.oidcsession.core.oidc.OidcClientConfig.ClientAuthMethod;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ScheduledExecutorService;
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
 *   <tr><td>{@code OIDC_DECODED_CACHE_SIZE}</td><td>decrypted sessions kept in memory for unchanged entries, 0 to 1,000,000 (see {@link Builder#decodedCacheSize})</td><td>1,024</td></tr>
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
  /** Largest {@link Builder#decodedCacheSize}: the session manager's. */
  public static final int MAX_DECODED_CACHE_SIZE = SessionManager.MAX_DECODED_CACHE_SIZE;
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
    this.clientAuthMethod =
        ProviderAccess.method(b.clientAuthMethod, b.clientSecret != null, b.clientKey != null);
    this.policy = b.policy != null ? b.policy : b.policyFromSources();
    this.httpClient = ProviderAccess.httpClient(b.httpClient, policy.renewalLease());
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

  /** A builder; {@code baseUrl}, {@code issuer} and {@code clientId} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads the settings named in the class Javadoc.
   *
   * @param initParam an {@code init-param} by name, or {@code null} when unset
   * @param environment an environment variable by name, or {@code null} when unset
   * @return a builder holding what was found; code may add to it (e.g. a store). Its {@link
   *     Builder#build()} reports every error, a missing setting or settings that contradict, as an
   *     {@link IllegalArgumentException} naming each setting involved and its source
   * @throws IllegalArgumentException naming the setting and its source when a value is bad, and
   *     both settings when two given ones exclude each other
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
    ProviderAccess.authenticate(c, clientAuthMethod, b.clientSecret, b.clientKey, b.clientKeyId);
    return c.build();
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

  /** The decoded-session cache's size when set; empty means the session manager's default. */
  public OptionalInt decodedCacheSize() {
    return b.decodedCacheSize == null ? OptionalInt.empty() : OptionalInt.of(b.decodedCacheSize);
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
        + (b.decodedCacheSize != null ? ", decodedCacheSize=" + b.decodedCacheSize : "")
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
    private Integer decodedCacheSize;
    /** Set when the builder was read by {@link #fromSources}: its errors name the settings as given. */
    private ConfigSources.Source sources;
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
      c.decodedCacheSize = decodedCacheSize;
      c.sources = sources;
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
      baseUrl = SettingRules.baseUrl(value);
      return this;
    }

    /** The provider's issuer identifier, an {@code https} URL (or {@code http} on loopback); required. */
    public Builder issuer(String value) {
      once(issuer, "issuer");
      issuer = SettingRules.issuer(value);
      return this;
    }

    /** The client id; required. */
    public Builder clientId(String value) {
      once(clientId, "clientId");
      clientId = Settings.notBlank(value, "clientId");
      return this;
    }

    /**
     * How the client authenticates at the token and revocation endpoints. Default: {@code
     * private_key_jwt} when a {@link #clientKey} is set, {@code client_secret_basic} when a {@link
     * #clientSecret} is, else {@code none} (a public client, PKCE only).
     */
    public Builder clientAuthMethod(ClientAuthMethod value) {
      clientAuthMethod = once(clientAuthMethod, value, "clientAuthMethod");
      return this;
    }

    /** The client secret, for {@code client_secret_basic} or {@code client_secret_post}. */
    public Builder clientSecret(String value) {
      onceSecret(clientSecret, "clientSecret");
      exclusive(clientKey, "clientSecret", "clientKey");
      clientSecret = Settings.notBlank(value, "clientSecret");
      return this;
    }

    /**
     * The private key of {@code private_key_jwt} (OIDC Core 9, RFC 7523): a private RSA key
     * (signs RS256) or a private EC key on P-256, P-384 or P-521 (ES256/384/512).
     */
    public Builder clientKey(JWK value) {
      onceSecret(clientKey, "clientKey");
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
      onceSecret(clientKey, "clientKey");
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
      scopes = SettingRules.scopes(values);
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
      acrValues = SettingRules.acrValues(values);
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
      rolesClaim = SettingRules.rolesClaim(value);
      return this;
    }

    /** Where the endpoints live: starts with {@code /}, does not end with one. Default {@code /oidc}. */
    public Builder pathPrefix(String value) {
      once(pathPrefix, "pathPrefix");
      pathPrefix = SettingRules.pathPrefix(value);
      return this;
    }

    /** Paths served without a session: {@code /x} exactly, or {@code /x/*} for a subtree. */
    public Builder publicPaths(String... values) {
      once(publicPaths, "publicPaths");
      publicPaths = SettingRules.publicPaths(values);
      return this;
    }

    /** Where logout ends when the provider has no end-session endpoint; a local path. */
    public Builder loggedOutPath(String value) {
      once(loggedOutPath, "loggedOutPath");
      loggedOutPath = SettingRules.loggedOutPath(value);
      return this;
    }

    /**
     * Keys the pending-login cookie; the same on every server behind one load balancer; at least
     * 32 bytes. Default: derived from the client secret.
     */
    public Builder sessionSecret(byte[] value) {
      onceSecret(sessionSecret, "sessionSecret");
      sessionSecret = SettingRules.sessionSecret(value);
      return this;
    }

    /**
     * How many decrypted sessions to keep in memory, so that a request for an unchanged session
     * skips decryption (it still reads the store); 0 turns it off, at most {@value
     * #MAX_DECODED_CACHE_SIZE}. Size it above the sessions active at once: with more, the oldest
     * goes first, and a request whose session is not cached decrypts it (about 5 µs). Each
     * cached session takes about 3 KB with 1 KB tokens. Default: 1,024.
     */
    public Builder decodedCacheSize(int value) {
      once(decodedCacheSize, "decodedCacheSize");
      decodedCacheSize = Settings.between(value, 0, MAX_DECODED_CACHE_SIZE, "decodedCacheSize");
      return this;
    }

    /** The lifecycle policy. Default: from the {@code SESSION_*} settings, else the defaults. */
    public Builder policy(SessionPolicy value) {
      policy = once(policy, value, "policy");
      return this;
    }

    /** The session store. Default: in memory. */
    public Builder store(SessionStore value) {
      store = once(store, value, "store");
      return this;
    }

    /** Hears created, renewed, renewal-failed and ended (audit, metrics). Default: none. */
    public Builder listener(SessionListener value) {
      listener = once(listener, value, "listener");
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
      httpClient = once(httpClient, value, "httpClient");
      return this;
    }

    /**
     * Runs renewals and their retries. The filter never shuts it down: its owner does, after the
     * filter is destroyed. Default: a small pool the filter owns and stops.
     */
    public Builder executor(ScheduledExecutorService value) {
      executor = once(executor, value, "executor");
      return this;
    }

    /** The clock. Default: {@link Clock#systemUTC()}. */
    public Builder clock(Clock value) {
      clock = once(clock, value, "clock");
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @throws IllegalStateException naming the first missing required setting or a conflict:
     *     client authentication without its secret or key (or with the other's), a {@code
     *     clientKeyId} that contradicts the JWK's, {@code SESSION_*} settings next to a policy set in
     *     code, an HTTP client whose call timeout is not shorter than the renewal lease
     * @throws IllegalArgumentException instead, for a builder from {@link #fromSources}: every
     *     error, prefixed with the settings it involves as the deployment named them and where
     *     ({@code SESSION_IDLE_TIMEOUT (init-param) and SESSION_MAX_LIFETIME (environment variable):
     *     ...})
     */
    public OidcSessionConfig build() {
      if (sources == null) {
        return checkedBuild();
      }
      try {
        return checkedBuild();
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw sources.refused(e, null);
      }
    }

    private OidcSessionConfig checkedBuild() {
      required(baseUrl, "baseUrl (BASE_URL)");
      required(issuer, "issuer (OIDC_ISSUER)");
      required(clientId, "clientId (OIDC_CLIENT_ID)");
      if (policy != null && policyBuilder != null) {
        throw new IllegalStateException(
            "policy was set in code and SESSION_* settings were given: choose one");
      }
      ProviderAccess.checkAuthentication(clientAuthMethod, clientSecret, clientKey, clientKeyId);
      OidcSessionConfig config = new OidcSessionConfig(this);
      config.oidcClientConfig(); // the protocol client accepts it: nothing fails at start-up
      return config;
    }

    private SessionPolicy policyFromSources() {
      if (policyBuilder == null) {
        return SessionPolicy.defaults();
      }
      return policyBuilder.build();
    }

    void policyFromSources(SessionPolicy.Builder builder) {
      policyBuilder = builder;
    }

    void sources(ConfigSources.Source source) {
      sources = source;
    }

    private static void exclusive(Object other, String name, String otherName) {
      if (other != null) {
        throw new IllegalStateException(name + " must not be set with " + otherName
            + " (they are two ways to authenticate), but " + otherName + " was already set");
      }
    }
  }
}
