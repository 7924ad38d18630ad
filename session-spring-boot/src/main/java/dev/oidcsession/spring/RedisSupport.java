package dev.oidcsession.spring;

import dev.oidcsession.redis.RedisConfig;
import dev.oidcsession.redis.RedisSessionStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import org.springframework.core.env.Environment;
import redis.clients.jedis.UnifiedJedis;
import org.springframework.util.ClassUtils;

/**
 * Builds the Redis store from {@code oidc.session.redis.*} (or {@code REDIS_URL}); loaded only
 * when session-redis is on the classpath. Checks first that the Jedis on the classpath is the one
 * session-redis needs, because Spring Boot's dependency management pins an older Jedis.
 */
final class RedisSupport {

  /** The Jedis version session-redis is built and tested with. */
  static final String JEDIS_VERSION = "8.0.2";

  /** Present from Jedis 7.2 on; session-redis builds every client on it. */
  static final String JEDIS_MARKER_CLASS = "redis.clients.jedis.RedisClient";

  private RedisSupport() {}

  /** The URL from {@code oidc.session.redis.url}, else {@code REDIS_URL}; null when neither. */
  static String url(OidcSessionProperties.Redis redis, Environment environment) {
    String url = redis.getUrl();
    if (url == null || url.isBlank()) {
      url = environment.getProperty("REDIS_URL");
    }
    return url == null || url.isBlank() ? null : url.trim();
  }

  /** Fails with one sentence when the Jedis visible to {@code classLoader} is too old. */
  static void requireJedis(ClassLoader classLoader) {
    if (ClassUtils.isPresent(JEDIS_MARKER_CLASS, classLoader)) {
      return;
    }
    throw new OidcSessionConfigurationException(
        "oidc.session.redis.url (or REDIS_URL) is set, but the Jedis on the classpath ("
            + jedisVersion(classLoader) + ") is older than the " + JEDIS_VERSION
            + " that session-redis needs, because Spring Boot's dependency management pins an"
            + " older Jedis: set the build property jedis.version to " + JEDIS_VERSION + ".");
  }

  static String jedisVersion(ClassLoader classLoader) {
    try (InputStream in = classLoader.getResourceAsStream(
        "META-INF/maven/redis.clients/jedis/pom.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version");
        if (v != null) {
          return "version " + v;
        }
      }
    } catch (IOException e) {
      // fall through: version unknown
    }
    return ClassUtils.isPresent("redis.clients.jedis.UnifiedJedis", classLoader)
        ? "a version without " + JEDIS_MARKER_CLASS
        : "none";
  }

  /** The client configuration from the properties; a rejected value names its property. */
  static RedisConfig config(OidcSessionProperties.Redis p, String url, Integer poolSize) {
    RedisConfig.Builder b = RedisConfig.builder();
    String at = ConfigMapping.PREFIX + "redis.";
    ConfigMapping.apply(p.getUrl() != null ? at + "url" : "REDIS_URL", url, b::url);
    ConfigMapping.apply(at + "pool-size", poolSize, b::poolSize);
    ConfigMapping.apply(at + "connect-timeout", p.getConnectTimeout(), b::connectTimeout);
    ConfigMapping.apply(at + "socket-timeout", p.getSocketTimeout(), b::socketTimeout);
    ConfigMapping.apply(at + "ca-certificate", p.getCaCertificate(), b::caCertificate);
    if (p.isInsecureSkipCertificateVerification()) {
      ConfigMapping.apply(at + "insecure-skip-certificate-verification", Boolean.TRUE,
          v -> b.insecureSkipCertificateVerification());
    }
    try {
      return b.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new OidcSessionConfigurationException(
          at + "* do not fit together: " + e.getMessage(), e);
    }
  }

  static RedisSessionStore store(OidcSessionProperties.Redis p, String url) {
    RedisSessionStore.Builder b = RedisSessionStore.builder(config(p, url, p.getPoolSize()));
    ConfigMapping.apply(ConfigMapping.PREFIX + "redis.key-prefix", p.getKeyPrefix(),
        b::keyPrefix);
    ConfigMapping.apply(ConfigMapping.PREFIX + "redis.replica-wait", p.getReplicaWait(),
        b::replicaWait);
    try {
      return b.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new OidcSessionConfigurationException(
          ConfigMapping.PREFIX + "redis.*: " + e.getMessage(), e);
    }
  }

  /** Pings Redis and reads {@code maxmemory-policy}, on a client of its own. */
  static StoreHealth.Probe probe(Supplier<UnifiedJedis> client) {
    return () -> {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("store", "redis");
      try {
        UnifiedJedis jedis = client.get();
        jedis.ping();
        String policy;
        try {
          policy = jedis.configGet("maxmemory-policy").getOrDefault("maxmemory-policy", "unknown");
        } catch (RuntimeException e) {
          policy = "unknown (CONFIG GET refused)";
        }
        d.put("evictionPolicy", policy);
        d.put("evictionPolicyRecommended", StoreHealth.GOOD_EVICTION_POLICIES.contains(policy));
        return new StoreHealth.Result(true, d);
      } catch (RuntimeException e) {
        d.put("error", e.getClass().getSimpleName());
        return new StoreHealth.Result(false, d);
      }
    };
  }
  /** A health probe on its own one-connection client, made at the first check, closed with the context. */
  static final class HealthProbe implements StoreHealth.Probe {
    private final RedisConfig config;
    private final StoreHealth.Probe probe;
    private UnifiedJedis client;

    HealthProbe(OidcSessionProperties.Redis p, String url) {
      this.config = config(p, url, 1);
      this.probe = probe(this::client);
    }

    private synchronized UnifiedJedis client() {
      if (client == null) {
        client = config.createClient();
      }
      return client;
    }

    @Override
    public StoreHealth.Result check() {
      return probe.check();
    }

    @Override
    public synchronized void close() {
      if (client != null) {
        client.close();
      }
    }
  }
}
