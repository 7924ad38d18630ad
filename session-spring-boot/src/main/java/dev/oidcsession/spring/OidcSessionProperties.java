package dev.oidcsession.spring;

import dev.oidcsession.core.oidc.OidcClientConfig.ClientAuthMethod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code oidc.session.*} properties: everything the servlet filter's configuration, the
 * session policy and the Redis store offer. Every property left unset keeps the library's
 * default; a bad value stops start-up with one sentence naming the property.
 *
 * <p>Four are required: {@code oidc.session.issuer}, {@code oidc.session.client-id}, {@code
 * oidc.session.client-secret} (leave it out for a public client) and {@code
 * oidc.session.base-url}. Durations take Spring Boot's forms ({@code 15m}, {@code PT15M}, or
 * plain milliseconds).
 *
 * <p>A mutable JavaBean for Spring's binder; not thread-safe; read once at start-up.
 */
@ConfigurationProperties("oidc.session")
public class OidcSessionProperties {

  /** Whether to install the oidc-session filter at all. */
  private boolean enabled = true;

  /** The provider's issuer URL, e.g. https://login.example.com/realms/app. Required. */
  private String issuer;

  /** The client id registered at the provider. Required. */
  private String clientId;

  /** The client secret (client_secret_basic); leave unset for a public client. Never logged. */
  private String clientSecret;

  /** The app's external URL, e.g. https://app.example.com; the callback is under it. Required. */
  private String baseUrl;

  /**
   * How the client authenticates at the token endpoint: client_secret_basic, client_secret_post,
   * private_key_jwt or none. Default: private_key_jwt with a client key, client_secret_basic with
   * a secret, else none (a public client with PKCE).
   */
  private ClientAuthMethod clientAuth;

  /** private_key_jwt: a PEM PRIVATE KEY (PKCS#8, RSA or EC) or a JWK (JSON) file. */
  private Path clientKeyFile;

  /** The kid of the client key as registered at the provider; default the JWK's kid or thumbprint. */
  private String clientKeyId;

  /** prompt on every login: login, consent, select_account, create, or none alone. */
  private String prompt;

  /** acr_values on every login, in order of preference. */
  private List<String> acrValues = new ArrayList<>();

  /** audience on every login: the API the access token is for (Auth0 and others). */
  private String audience;

  /** resource on every login (RFC 8707), an absolute URI. */
  private String resource;

  /**
   * The ID-token claim that lists the user's roles: a name ("roles", "groups") or a dotted path
   * ("realm_access.roles"). Drives request.isUserInRole and, with Spring Security, the ROLE_
   * authorities. Default: no roles.
   */
  private String rolesClaim;

  /** Scopes to request; default openid, profile, email. */
  private List<String> scopes = new ArrayList<>();

  /** Where the login, callback, logout, back-channel logout and session endpoints live; default /oidc. */
  private String pathPrefix;

  /** Paths served without a session: "/x" exact, "/x/*" a subtree. */
  private List<String> publicPaths = new ArrayList<>();

  /** Where logout ends when the provider has no logout page; default "/". */
  private String loggedOutPath;

  /**
   * Decrypted sessions kept in memory for unchanged entries (0 to 1,000,000; about 3 KB each with
   * 1 KB tokens); size it above the sessions active at once. Default: 1,024.
   */
  private Integer decodedCacheSize;

  /**
   * At least 32 characters of secret material: keys the pending-login cookie and the
   * back-channel indexes, the same on every node. Default: derived from the client secret.
   */
  private String sessionSecret;

  /** Session lifetime bounds and renewal timing (SessionPolicy). */
  private final Policy policy = new Policy();

  /** The Redis store, used when a URL is set here or in REDIS_URL. */
  private final Redis redis = new Redis();

  /** How the filter is registered with the servlet container. */
  private final Filter filter = new Filter();

  /** Whether the session's user becomes Spring Security's authenticated principal. */
  private final Security security = new Security();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public String getIssuer() {
    return issuer;
  }

  public void setIssuer(String issuer) {
    this.issuer = issuer;
  }

  public String getClientId() {
    return clientId;
  }

  public void setClientId(String clientId) {
    this.clientId = clientId;
  }

  public String getClientSecret() {
    return clientSecret;
  }

  public void setClientSecret(String clientSecret) {
    this.clientSecret = clientSecret;
  }

  public String getBaseUrl() {
    return baseUrl;
  }

  public void setBaseUrl(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  public ClientAuthMethod getClientAuth() {
    return clientAuth;
  }

  public void setClientAuth(ClientAuthMethod clientAuth) {
    this.clientAuth = clientAuth;
  }

  public Path getClientKeyFile() {
    return clientKeyFile;
  }

  public void setClientKeyFile(Path clientKeyFile) {
    this.clientKeyFile = clientKeyFile;
  }

  public String getClientKeyId() {
    return clientKeyId;
  }

  public void setClientKeyId(String clientKeyId) {
    this.clientKeyId = clientKeyId;
  }

  public String getPrompt() {
    return prompt;
  }

  public void setPrompt(String prompt) {
    this.prompt = prompt;
  }

  public List<String> getAcrValues() {
    return acrValues;
  }

  public void setAcrValues(List<String> acrValues) {
    this.acrValues = acrValues;
  }

  public String getAudience() {
    return audience;
  }

  public void setAudience(String audience) {
    this.audience = audience;
  }

  public String getResource() {
    return resource;
  }

  public void setResource(String resource) {
    this.resource = resource;
  }

  public String getRolesClaim() {
    return rolesClaim;
  }

  public void setRolesClaim(String rolesClaim) {
    this.rolesClaim = rolesClaim;
  }

  public List<String> getScopes() {
    return scopes;
  }

  public void setScopes(List<String> scopes) {
    this.scopes = scopes;
  }

  public String getPathPrefix() {
    return pathPrefix;
  }

  public void setPathPrefix(String pathPrefix) {
    this.pathPrefix = pathPrefix;
  }

  public List<String> getPublicPaths() {
    return publicPaths;
  }

  public void setPublicPaths(List<String> publicPaths) {
    this.publicPaths = publicPaths;
  }

  public String getLoggedOutPath() {
    return loggedOutPath;
  }

  public void setLoggedOutPath(String loggedOutPath) {
    this.loggedOutPath = loggedOutPath;
  }

  public Integer getDecodedCacheSize() {
    return decodedCacheSize;
  }

  public void setDecodedCacheSize(Integer decodedCacheSize) {
    this.decodedCacheSize = decodedCacheSize;
  }

  public String getSessionSecret() {
    return sessionSecret;
  }

  public void setSessionSecret(String sessionSecret) {
    this.sessionSecret = sessionSecret;
  }

  public Policy getPolicy() {
    return policy;
  }

  public Redis getRedis() {
    return redis;
  }

  public Filter getFilter() {
    return filter;
  }

  public Security getSecurity() {
    return security;
  }

  /** {@code oidc.session.policy.*}: the SessionPolicy; unset values keep its defaults. */
  public static class Policy {

    /** Target time between renewals; default 15m. */
    private Duration renewalInterval;

    /** Jitter fraction spreading renewals over interval·[1−j, 1+j], at least 0 and below 1; default 0.1. */
    private Double renewalJitter;

    /** How long before expiry a renewal is due at the latest; default 60s. */
    private Duration renewalLead;

    /** A request waits for the renewal when the access token has less than this left; default 30s. */
    private Duration minTokenTtl;

    /** Upper bound of a session's life from login, whatever the tokens say; default none. */
    private Duration maxLifetime;

    /** Ends a session that saw no request for this long; default none. */
    private Duration idleTimeout;

    /** Tolerated clock difference to the provider when judging token expiry; default 0. */
    private Duration tokenExpirySkew;

    /** First retry delay after a transient renewal failure; default 1s. */
    private Duration renewalRetryInitialDelay;

    /** Longest retry delay after transient renewal failures; default 5m. */
    private Duration renewalRetryMaxDelay;

    /** How long one renewal holds the per-session lease; default 1m. */
    private Duration renewalLease;

    /** How long a request waits for a renewal it needs; default 10s. */
    private Duration renewalWaitTimeout;

    public Duration getRenewalInterval() {
      return renewalInterval;
    }

    public void setRenewalInterval(Duration renewalInterval) {
      this.renewalInterval = renewalInterval;
    }

    public Double getRenewalJitter() {
      return renewalJitter;
    }

    public void setRenewalJitter(Double renewalJitter) {
      this.renewalJitter = renewalJitter;
    }

    public Duration getRenewalLead() {
      return renewalLead;
    }

    public void setRenewalLead(Duration renewalLead) {
      this.renewalLead = renewalLead;
    }

    public Duration getMinTokenTtl() {
      return minTokenTtl;
    }

    public void setMinTokenTtl(Duration minTokenTtl) {
      this.minTokenTtl = minTokenTtl;
    }

    public Duration getMaxLifetime() {
      return maxLifetime;
    }

    public void setMaxLifetime(Duration maxLifetime) {
      this.maxLifetime = maxLifetime;
    }

    public Duration getIdleTimeout() {
      return idleTimeout;
    }

    public void setIdleTimeout(Duration idleTimeout) {
      this.idleTimeout = idleTimeout;
    }

    public Duration getTokenExpirySkew() {
      return tokenExpirySkew;
    }

    public void setTokenExpirySkew(Duration tokenExpirySkew) {
      this.tokenExpirySkew = tokenExpirySkew;
    }

    public Duration getRenewalRetryInitialDelay() {
      return renewalRetryInitialDelay;
    }

    public void setRenewalRetryInitialDelay(Duration renewalRetryInitialDelay) {
      this.renewalRetryInitialDelay = renewalRetryInitialDelay;
    }

    public Duration getRenewalRetryMaxDelay() {
      return renewalRetryMaxDelay;
    }

    public void setRenewalRetryMaxDelay(Duration renewalRetryMaxDelay) {
      this.renewalRetryMaxDelay = renewalRetryMaxDelay;
    }

    public Duration getRenewalLease() {
      return renewalLease;
    }

    public void setRenewalLease(Duration renewalLease) {
      this.renewalLease = renewalLease;
    }

    public Duration getRenewalWaitTimeout() {
      return renewalWaitTimeout;
    }

    public void setRenewalWaitTimeout(Duration renewalWaitTimeout) {
      this.renewalWaitTimeout = renewalWaitTimeout;
    }
  }

  /** {@code oidc.session.redis.*}: the Redis store (session-redis on the classpath, Jedis 8). */
  public static class Redis {

    /**
     * redis://, rediss:// (TLS), redis-sentinel:// or redis-cluster:// URL. When unset, the
     * REDIS_URL environment variable is used; when both are unset, sessions stay in memory.
     */
    private String url;

    /** Connections in the pool; default 16. */
    private Integer poolSize;

    /** Connect timeout; default 2s. */
    private Duration connectTimeout;

    /** Socket (read) timeout; default 2s. */
    private Duration socketTimeout;

    /** Prefix of every key this store writes; default "oidcs:". */
    private String keyPrefix;

    /** A PEM file of the CA that signed the Redis server's certificate (rediss://). */
    private Path caCertificate;

    /** Skip TLS certificate verification (development only; logs a warning). */
    private boolean insecureSkipCertificateVerification;

    /** How long a renewal's write waits for a replica (WAIT 1) when the primary has replicas. */
    private Duration replicaWait;

    public String getUrl() {
      return url;
    }

    public void setUrl(String url) {
      this.url = url;
    }

    public Integer getPoolSize() {
      return poolSize;
    }

    public void setPoolSize(Integer poolSize) {
      this.poolSize = poolSize;
    }

    public Duration getConnectTimeout() {
      return connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
    }

    public Duration getSocketTimeout() {
      return socketTimeout;
    }

    public void setSocketTimeout(Duration socketTimeout) {
      this.socketTimeout = socketTimeout;
    }

    public String getKeyPrefix() {
      return keyPrefix;
    }

    public void setKeyPrefix(String keyPrefix) {
      this.keyPrefix = keyPrefix;
    }

    public Path getCaCertificate() {
      return caCertificate;
    }

    public void setCaCertificate(Path caCertificate) {
      this.caCertificate = caCertificate;
    }

    public boolean isInsecureSkipCertificateVerification() {
      return insecureSkipCertificateVerification;
    }

    public void setInsecureSkipCertificateVerification(boolean insecureSkipCertificateVerification) {
      this.insecureSkipCertificateVerification = insecureSkipCertificateVerification;
    }

    public Duration getReplicaWait() {
      return replicaWait;
    }

    public void setReplicaWait(Duration replicaWait) {
      this.replicaWait = replicaWait;
    }
  }

  /** {@code oidc.session.filter.*}: the filter's registration. */
  public static class Filter {

    /**
     * Order of the filter; default -105, before Spring Security's filter chain (-100), so that
     * Spring Security sees the session's user.
     */
    private int order = -105;

    /** URL patterns the filter maps; default every path. */
    private List<String> urlPatterns = new ArrayList<>(List.of("/*"));

    public int getOrder() {
      return order;
    }

    public void setOrder(int order) {
      this.order = order;
    }

    public List<String> getUrlPatterns() {
      return urlPatterns;
    }

    public void setUrlPatterns(List<String> urlPatterns) {
      this.urlPatterns = urlPatterns;
    }
  }

  /** {@code oidc.session.security.*}: the Spring Security bridge. */
  public static class Security {

    /**
     * Whether the session's user becomes Spring Security's authenticated principal when Spring
     * Security is on the classpath.
     */
    private boolean enabled = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }
}
