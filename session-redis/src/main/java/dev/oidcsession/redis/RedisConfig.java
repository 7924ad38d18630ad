package dev.oidcsession.redis;

import dev.oidcsession.core.SessionStoreUnavailableException;
import dev.oidcsession.core.internal.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * How to reach Redis, from one URL as platforms hand it out ({@code REDIS_URL}), plus TLS files,
 * pool size and timeouts; the key prefix belongs to the store ({@link
 * RedisSessionStore.Builder#keyPrefix}). Immutable and thread-safe; {@link #toString()} never
 * shows the password.
 *
 * <p>URL forms (percent-encode reserved characters in the password):
 *
 * <ul>
 *   <li>{@code redis://[[user]:password@]host[:port][/database]}, e.g. {@code
 *       redis://:s3cret@redis.internal:6379/0}
 *   <li>{@code rediss://...}: the same over TLS, straight to the server's TLS port, e.g. {@code
 *       rediss://default:s3cret@cache.example.com:6380}
 *   <li>{@code redis-sentinel://[[user]:password@]host[:port][,host[:port]...][/database]?master=name}
 *       (and {@code rediss-sentinel://}), sentinel ports default to 26379, e.g. {@code
 *       redis-sentinel://:s3cret@s1:26379,s2:26379,s3:26379/0?master=mymaster}
 *   <li>{@code redis-cluster://[[user]:password@]host[:port][,host[:port]...]} (and {@code
 *       rediss-cluster://}): seed nodes, e.g. {@code redis-cluster://:s3cret@n1:6379,n2:6379}
 * </ul>
 *
 * <p>Every form takes {@code ?client_cache=N} ({@code &client_cache=N} after {@code master=}):
 * the client-side cache of {@link Builder#clientSideCache(int)}, e.g. {@code
 * redis://redis.internal:6379?client_cache=10000}.
 *
 * <p>Defaults: pool of {@value #DEFAULT_POOL_SIZE} connections, connect and socket timeouts of 2
 * seconds, TLS trusting the JDK's trust
 * store with host name verification.
 */
public final class RedisConfig {

  private static final Logger log = LoggerFactory.getLogger(RedisConfig.class);

  /** The default number of pooled connections (per node, for Cluster). */
  public static final int DEFAULT_POOL_SIZE = 16;

  /** The default connect timeout and socket (read) timeout. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

  static final int MAX_POOL_SIZE = 1024;
  static final Duration MIN_TIMEOUT = Duration.ofMillis(1);
  static final Duration MAX_TIMEOUT = Duration.ofMinutes(1);

  /** The largest client-side cache, in entries (several GB of heap with realistic sessions). */
  static final int MAX_CLIENT_CACHE = 1_000_000;

  /**
   * With the client-side cache on, how often each invalidation connection is sent a {@code PING}: one
   * unanswered within {@code socketTimeout} counts as lost and drops the whole cache (a connection
   * closed by the server is seen at once, without it).
   */
  static final Duration CLIENT_CACHE_CHECK = Duration.ofSeconds(1);

  private final String url;
  private final RedisUrl parsed;
  private final Path caCertificate;
  private final Path clientCertificate;
  private final Path clientKey;
  private final boolean insecure;
  private final int poolSize;
  private final Duration connectTimeout;
  private final Duration socketTimeout;
  private final int clientSideCache;

  private RedisConfig(Builder b) {
    this.url = b.url;
    this.parsed = b.parsed;
    this.caCertificate = b.caCertificate;
    this.clientCertificate = b.clientCertificate;
    this.clientKey = b.clientKey;
    this.insecure = b.insecure;
    this.poolSize = b.poolSize != null ? b.poolSize : DEFAULT_POOL_SIZE;
    this.connectTimeout = b.connectTimeout != null ? b.connectTimeout : DEFAULT_TIMEOUT;
    this.socketTimeout = b.socketTimeout != null ? b.socketTimeout : DEFAULT_TIMEOUT;
    this.clientSideCache =
        b.clientSideCache != null ? b.clientSideCache : b.parsed.clientCache();
  }

  /** A builder; only {@link Builder#url} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The config of {@code url} with every default, e.g. {@code
   * RedisConfig.fromUrl(System.getenv("REDIS_URL"))}.
   *
   * @throws IllegalArgumentException if {@code url} is not one of the forms above
   */
  public static RedisConfig fromUrl(String url) {
    return builder().url(url).build();
  }

  /** Pooled connections (per node, for Cluster). */
  public int poolSize() {
    return poolSize;
  }

  /** The connect timeout. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** The socket (read) timeout: how long a command may take before the store is unavailable. */
  public Duration socketTimeout() {
    return socketTimeout;
  }

  /**
   * The most entries the client-side cache holds ({@link Builder#clientSideCache(int)} or the URL's
   * {@code client_cache}); 0 when there is no client-side cache (the default).
   */
  public int clientSideCache() {
    return clientSideCache;
  }

  /** Whether server certificates go unchecked ({@link Builder#insecureSkipCertificateVerification()}). */
  public boolean insecureSkipCertificateVerification() {
    return insecure;
  }

  /** The CA file that server certificates must chain to, if set. */
  public Optional<Path> caCertificate() {
    return Optional.ofNullable(caCertificate);
  }

  /** {@code standalone}, {@code sentinel} or {@code cluster}, with {@code +tls}. */
  String topology() {
    return parsed.topology().name().toLowerCase() + (parsed.tls() ? "+tls" : "");
  }

  /**
   * Makes a new pooled client for this config; the caller closes it. A {@code RedisClient} for
   * {@code redis://}/{@code rediss://}, a {@code RedisSentinelClient} for Sentinel and a {@code
   * RedisClusterClient} for Cluster. Logs a WARN each time when certificate verification is off.
   * The client has no client-side cache, whatever {@link #clientSideCache()} says: the cache comes
   * with the store made by {@link RedisSessionStore#create(RedisConfig)} or {@link
   * RedisSessionStore#builder(RedisConfig)}, which owns and closes it.
   *
   * @throws SessionStoreUnavailableException if Sentinel or Cluster cannot be reached to learn the
   *     topology (a standalone client connects lazily and never throws here)
   */
  public UnifiedJedis createClient() {
    return createClient(null);
  }

  /**
   * {@link #createClient()}, with the client-side cache of {@link #clientSideCache()} entries (if
   * above 0) admitting the entry keys under {@code keyPrefix} ({@code null}: no cache).
   */
  UnifiedJedis createClient(String keyPrefix) {
    if (insecure) {
      log.warn(
          "TLS CERTIFICATE VERIFICATION IS OFF for Redis ({}): anyone on the network path can"
              + " read and change sessions; set a CA file instead",
          parsed.describe());
    }
    DefaultJedisClientConfig.Builder client =
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis((int) connectTimeout.toMillis())
            .socketTimeoutMillis((int) socketTimeout.toMillis())
            .clientName("oidc-session");
    DefaultJedisClientConfig.Builder sentinel =
        DefaultJedisClientConfig.builder()
            .serverDefaultProtocol() // sentinel listeners are plain Jedis, which cannot negotiate
            .connectionTimeoutMillis((int) connectTimeout.toMillis())
            .socketTimeoutMillis((int) socketTimeout.toMillis());
    if (parsed.user() != null) {
      client.user(parsed.user());
    }
    if (parsed.password() != null) {
      client.password(parsed.password());
    }
    if (parsed.topology() != RedisUrl.Topology.CLUSTER) {
      client.database(parsed.database());
    }
    if (parsed.tls()) {
      // FULL: the chain to a trusted CA and the host name (RFC 6125), unless opted out.
      SslOptions tls = Tls.options(caCertificate, clientCertificate, clientKey, insecure);
      client.sslOptions(tls);
      sentinel.sslOptions(tls);
    }
    EntryCache cache = null;
    JedisClientConfig clientConfig;
    if (clientSideCache > 0 && keyPrefix != null) {
      // RESP3: invalidations arrive as pushes (Jedis's CacheConnection needs it on every
      // connection); the listeners use the same credentials and TLS under their own name.
      client.protocol(RedisProtocol.RESP3);
      clientConfig = client.build();
      JedisClientConfig listener = client.clientName("oidc-session-invalidations").build();
      cache =
          new EntryCache(
              clientSideCache,
              keyPrefix,
              listener,
              parsed.topology() != RedisUrl.Topology.CLUSTER,
              socketTimeout);
    } else {
      clientConfig = client.build();
    }
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxTotal(poolSize);
    pool.setMaxIdle(poolSize);
    pool.setMinIdle(0);
    pool.setMaxWait(connectTimeout.plus(socketTimeout));
    pool.setTestWhileIdle(true);
    pool.setTimeBetweenEvictionRuns(Duration.ofSeconds(30));
    if (cache != null) {
      // Idle connections are kept: Jedis forgets a reply once the connection that read it has
      // closed (on the next lookup that reaches it), so evicting idle ones would send their
      // sessions back to Redis.
      pool.setMinEvictableIdleDuration(Duration.ofMillis(-1));
    }
    Set<HostAndPort> hosts = new LinkedHashSet<>(parsed.hosts());
    try {
      return switch (parsed.topology()) {
        case STANDALONE -> RedisClient.builder()
            .hostAndPort(parsed.hosts().get(0))
            .clientConfig(clientConfig)
            .poolConfig(pool)
            .cache(cache)
            .build();
        case SENTINEL -> {
          RedisSentinelClient sentinelClient = RedisSentinelClient.builder()
              .masterName(parsed.masterName())
              .sentinels(hosts)
              .clientConfig(clientConfig)
              .sentinelClientConfig(sentinel.build())
              .poolConfig(pool)
              .cache(cache)
              .build();
          if (cache != null) {
            cache.followCurrentNode(sentinelClient::getCurrentMaster);
          }
          yield sentinelClient;
        }
        case CLUSTER -> RedisClusterClient.builder()
            .nodes(hosts)
            .clientConfig(clientConfig)
            .poolConfig(pool)
            .cache(cache)
            .build();
      };
    } catch (JedisException e) {
      throw new SessionStoreUnavailableException(
          "Redis session store: could not reach " + parsed.describe() + " to start ("
              + e.getClass().getSimpleName() + ")",
          e);
    }
  }

  /** The URL without its password, and the settings. */
  @Override
  public String toString() {
    return "RedisConfig["
        + parsed.describe()
        + ", poolSize=" + poolSize
        + ", connectTimeout=" + connectTimeout
        + ", socketTimeout=" + socketTimeout
        + (clientSideCache > 0 ? ", clientSideCache=" + clientSideCache : "")
        + (caCertificate != null ? ", caCertificate=" + caCertificate : "")
        + (clientCertificate != null ? ", clientCertificate=" + clientCertificate : "")
        + (insecure ? ", INSECURE: certificates not verified" : "")
        + "]";
  }

  /**
   * Builds a {@link RedisConfig}. Each setter may be called once and rejects a bad value at once,
   * with a message shaped {@code <setting> must be <rule>, but was <value>}; {@link #build()}
   * checks only rules that span settings and leaves the builder as it was.
   */
  public static final class Builder {

    private String url;
    private RedisUrl parsed;
    private Path caCertificate;
    private Path clientCertificate;
    private Path clientKey;
    private boolean insecure;
    private Integer poolSize;
    private Duration connectTimeout;
    private Duration socketTimeout;
    private Integer clientSideCache;

    private Builder() {}

    /** Where Redis is; one of the forms in {@link RedisConfig}. Required. */
    public Builder url(String value) {
      Objects.requireNonNull(value, "url");
      RedisUrl candidate = RedisUrl.parse(value);
      // the URL may carry a password: the message shows it redacted
      Settings.once(url == null ? null : RedisUrl.redact(url), "url");
      url = value;
      parsed = candidate;
      return this;
    }

    /**
     * A PEM file of the CA certificate(s) that the server's certificate must chain to, for
     * {@code rediss} URLs. Default: the JDK's trust store.
     */
    public Builder caCertificate(Path pemFile) {
      Objects.requireNonNull(pemFile, "caCertificate");
      readable(pemFile, "caCertificate");
      Settings.once(caCertificate, "caCertificate");
      if (insecure) {
        throw new IllegalStateException(
            "caCertificate cannot be combined with insecureSkipCertificateVerification");
      }
      caCertificate = pemFile;
      return this;
    }

    /**
     * A client certificate (PEM, its chain may follow) and its PKCS#8 private key (PEM {@code
     * BEGIN PRIVATE KEY}), for servers that require client authentication.
     */
    public Builder clientCertificate(Path certificatePem, Path privateKeyPem) {
      Objects.requireNonNull(certificatePem, "clientCertificate");
      Objects.requireNonNull(privateKeyPem, "clientKey");
      readable(certificatePem, "clientCertificate");
      readable(privateKeyPem, "clientKey");
      Settings.once(clientCertificate, "clientCertificate");
      clientCertificate = certificatePem;
      clientKey = privateKeyPem;
      return this;
    }

    /**
     * Accepts any server certificate, for providers whose certificates are self-signed and not
     * published. The connection is encrypted but not authenticated: whoever is on the network path
     * can read and change sessions. Every client made from the config logs a WARN about it.
     */
    public Builder insecureSkipCertificateVerification() {
      Settings.once(insecure ? true : null, "insecureSkipCertificateVerification");
      if (caCertificate != null) {
        throw new IllegalStateException(
            "insecureSkipCertificateVerification cannot be combined with caCertificate");
      }
      insecure = true;
      return this;
    }

    /** Pooled connections (per node, for Cluster), 1 to 1024. Default 16. */
    public Builder poolSize(int value) {
      Settings.between(value, 1, MAX_POOL_SIZE, "poolSize");
      Settings.once(poolSize, "poolSize");
      poolSize = value;
      return this;
    }

    /** How long opening a connection may take; 1 ms to 1 minute. Default 2 s. */
    public Builder connectTimeout(Duration value) {
      connectTimeout = timeout(connectTimeout, value, "connectTimeout");
      return this;
    }

    /**
     * How long one command may wait for its reply before the store reports itself unavailable;
     * 1 ms to 1 minute. Default 2 s.
     */
    public Builder socketTimeout(Duration value) {
      socketTimeout = timeout(socketTimeout, value, "socketTimeout");
      return this;
    }

    /**
     * Turns on Redis server-assisted client-side caching of session reads, holding at most {@code
     * maxEntries} entries (the one read from Redis longest ago out first); 1 to 1,000,000. Off by default; the URL
     * parameter {@code client_cache=N} does the same. Needs Redis 6.0 or later (RESP3 and {@code
     * CLIENT TRACKING}).
     *
     * <p>With it, a {@code find} of an entry this store read before, unchanged since, costs no
     * command and no byte. Only the store's entry {@code GET}s are cached, never leases, indexes
     * or scripts. Besides its pool, the store keeps one more connection to each data node it
     * caches reads of, with {@code CLIENT TRACKING ON BCAST PREFIX} and the store's key prefix: Redis pushes on
     * it an invalidation for every change of a key under the prefix (by any client, on any app
     * node), and the next {@code find} after it arrives reads the new value. That connection
     * closed (a {@code CLIENT KILL}, a restart, a failover that ends the node) or unanswered to a
     * {@code PING} within the socket timeout drops the whole cache; so does a Sentinel failover
     * and a {@code FLUSHALL}. Memory per entry: a copy of the stored record and the entry decoded
     * from it, 5.9 KB with 1 KB tokens.
     */
    public Builder clientSideCache(int maxEntries) {
      Settings.between(maxEntries, 1, MAX_CLIENT_CACHE, "clientSideCache");
      Settings.once(clientSideCache, "clientSideCache");
      clientSideCache = maxEntries;
      return this;
    }

    /**
     * Builds the config.
     *
     * @throws IllegalStateException if no URL was set, TLS files or the TLS opt-out were set for
     *     a URL without TLS, or the client-side cache was set both in the URL and on the builder
     */
    public RedisConfig build() {
      Settings.required(url, "url");
      if (clientSideCache != null && parsed.clientCache() > 0) {
        throw new IllegalStateException(
            "clientSideCache must be set once, but was set in the URL (client_cache) and on the"
                + " builder");
      }
      if (!parsed.tls() && (caCertificate != null || clientCertificate != null || insecure)) {
        throw new IllegalStateException(
            "caCertificate, clientCertificate and insecureSkipCertificateVerification must go with"
                + " a rediss URL, but the URL was " + RedisUrl.redact(url));
      }
      return new RedisConfig(this);
    }

    private static void readable(Path file, String name) {
      if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
        throw new IllegalArgumentException(name + " must be a readable file, but was " + file);
      }
    }

    private static Duration timeout(Duration current, Duration value, String name) {
      return Settings.once(current, Settings.between(value, MIN_TIMEOUT, MAX_TIMEOUT, name), name);
    }
  }
}
