package dev.oidcsession.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.HostAndPort;

class RedisConfigTest {

  private static final String PASSWORD = "pa55-w0rd";

  @TempDir Path dir;

  @Test
  void url_redisWithUserPasswordDatabase_isParsed() {
    RedisUrl url = RedisUrl.parse("redis://app:" + PASSWORD + "@redis.internal:6390/3");
    assertThat(url)
        .isEqualTo(
            new RedisUrl(RedisUrl.Topology.STANDALONE, false,
                List.of(new HostAndPort("redis.internal", 6390)), "app", PASSWORD, 3, null, 0));
  }

  @Test
  void url_redissPasswordOnly_defaultsPortAndDatabase() {
    assertThat(RedisUrl.parse("rediss://:" + PASSWORD + "@cache.example.com"))
        .isEqualTo(
            new RedisUrl(RedisUrl.Topology.STANDALONE, true,
                List.of(new HostAndPort("cache.example.com", 6379)), null, PASSWORD, 0, null, 0));
    assertThat(RedisUrl.parse("redis://" + PASSWORD + "@h").password()).isEqualTo(PASSWORD);
  }

  @Test
  void url_percentEncodedPassword_isDecoded() {
    assertThat(RedisUrl.parse("redis://:p%40ss%3Aw+rd@h").password()).isEqualTo("p@ss:w+rd");
  }

  @Test
  void url_sentinel_hostsDefaultTo26379AndMasterIsRequired() {
    assertThat(RedisUrl.parse("redis-sentinel://s1,s2:26380/2?master=mymaster"))
        .isEqualTo(
            new RedisUrl(RedisUrl.Topology.SENTINEL, false,
                List.of(new HostAndPort("s1", 26379), new HostAndPort("s2", 26380)),
                null, null, 2, "mymaster", 0));
    assertThatThrownBy(() -> RedisUrl.parse("redis-sentinel://s1:26379"))
        .hasMessage(
            "url must be a Sentinel URL with ?master=<master name>, but was redis-sentinel://s1:26379");
  }

  @Test
  void url_cluster_seedNodesAndNoDatabase() {
    assertThat(RedisUrl.parse("rediss-cluster://:pw@n1:7000,n2:7001").hosts())
        .containsExactly(new HostAndPort("n1", 7000), new HostAndPort("n2", 7001));
    assertThatThrownBy(() -> RedisUrl.parse("redis-cluster://n1:7000/1"))
        .hasMessage(
            "url must be a cluster URL without a database (Redis Cluster has only database 0),"
                + " but was redis-cluster://n1:7000/1");
  }

  @Test
  void url_invalid_messageNamesTheRuleAndHidesThePassword() {
    assertThatThrownBy(() -> RedisConfig.builder().url("http://u:" + PASSWORD + "@h:1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("url must be " + RedisUrl.RULE + ", but was http://u:***@h:1");
    assertThatThrownBy(() -> RedisConfig.builder().url("redis://:" + PASSWORD + "@h:1,h:2"))
        .hasMessage(
            "url must be a redis:// or rediss:// URL with exactly one host, but was redis://:***@h:1,h:2");
    assertThatThrownBy(() -> RedisConfig.builder().url("redis://:%zz" + PASSWORD + "@h"))
        .hasMessage("url must be a URL with valid %-escapes, but was redis://:***@h")
        .hasMessageNotContaining(PASSWORD);
    assertThatThrownBy(() -> RedisConfig.builder().url("redis://h:0"))
        .hasMessage("url must be a URL with ports from 1 to 65535, but was redis://h:0");
    assertThatThrownBy(() -> RedisConfig.builder().url("redis://h:65536"))
        .hasMessage("url must be a URL with ports from 1 to 65535, but was redis://h:65536");
    assertThat(RedisUrl.parse("redis://h:65535").hosts()).containsExactly(new HostAndPort("h", 65535));
    assertThatThrownBy(() -> RedisConfig.builder().url("redis://h?master=m"))
        .hasMessage("url must be a URL with ?master= only for Sentinel, but was redis://h?master=m");
    assertThatThrownBy(() -> RedisConfig.builder().url("redis://h?timeout=5"))
        .hasMessage(
            "url must be a URL whose query parameters are client_cache and (for Sentinel) master,"
                + " but was redis://h?timeout=5");
  }

  @Test
  void poolSize_bounds_bothSides() {
    assertThat(RedisConfig.builder().poolSize(1)).isNotNull();
    assertThat(RedisConfig.builder().poolSize(1024)).isNotNull();
    assertThatThrownBy(() -> RedisConfig.builder().poolSize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("poolSize must be between 1 and 1024, but was 0");
    assertThatThrownBy(() -> RedisConfig.builder().poolSize(1025))
        .hasMessage("poolSize must be between 1 and 1024, but was 1025");
  }

  @Test
  void timeouts_bounds_bothSides() {
    assertThat(RedisConfig.builder().connectTimeout(Duration.ofMillis(1))).isNotNull();
    assertThat(RedisConfig.builder().socketTimeout(Duration.ofMinutes(1))).isNotNull();
    assertThatThrownBy(() -> RedisConfig.builder().connectTimeout(Duration.ofNanos(999_999)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("connectTimeout must be between PT0.001S and PT1M, but was PT0.000999999S");
    assertThatThrownBy(() -> RedisConfig.builder().socketTimeout(Duration.ofMinutes(1).plusNanos(1)))
        .hasMessage("socketTimeout must be between PT0.001S and PT1M, but was PT1M0.000000001S");
  }

  @Test
  void settingTwice_isIllegalState() {
    assertThatThrownBy(() -> RedisConfig.builder().poolSize(4).poolSize(5))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("poolSize was already set to 4");
    assertThatThrownBy(() -> RedisConfig.builder().url("redis://a").url("redis://b"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("url was already set to " + RedisUrl.redact("redis://a"));
    assertThatThrownBy(
            () -> RedisConfig.builder().url("redis://:hunter2@a:6379").url("redis://b"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("url was already set to ")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void caCertificateAndInsecure_areExclusive() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "pem");
    assertThatThrownBy(() -> RedisConfig.builder().caCertificate(ca).insecureSkipCertificateVerification())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("insecureSkipCertificateVerification cannot be combined with caCertificate");
    assertThatThrownBy(() -> RedisConfig.builder().insecureSkipCertificateVerification().caCertificate(ca))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("caCertificate cannot be combined with insecureSkipCertificateVerification");
  }

  @Test
  void caCertificate_missingFile_isRejected() {
    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(() -> RedisConfig.builder().caCertificate(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("caCertificate must be a readable file, but was " + missing);
  }

  @Test
  void build_tlsSettingsWithoutTls_isIllegalState() {
    assertThatThrownBy(
            () -> RedisConfig.builder().url("redis://:" + PASSWORD + "@h").insecureSkipCertificateVerification().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "caCertificate, clientCertificate and insecureSkipCertificateVerification must go with"
                + " a rediss URL, but the URL was redis://:***@h");
    assertThatThrownBy(() -> RedisConfig.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("url must be set, but was not");
  }

  @Test
  void defaults_andToString_neverShowThePassword() {
    RedisConfig config = RedisConfig.fromUrl("rediss://app:" + PASSWORD + "@cache.example.com:6380/1");
    assertThat(config.poolSize()).isEqualTo(16);
    assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.socketTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.insecureSkipCertificateVerification()).isFalse();
    assertThat(config.toString())
        .isEqualTo(
            "RedisConfig[standalone+tls cache.example.com:6380 db 1 user app with password,"
                + " poolSize=16, connectTimeout=PT2S, socketTimeout=PT2S]")
        .doesNotContain(PASSWORD);
    assertThat(RedisUrl.parse("redis://:" + PASSWORD + "@h").toString()).doesNotContain(PASSWORD);
  }

  @Test
  void clientSideCache_offByDefault_onFromTheBuilderOrTheUrl() {
    assertThat(RedisConfig.fromUrl("redis://h").clientSideCache()).isZero();
    assertThat(RedisConfig.builder().url("redis://h").clientSideCache(500).build().clientSideCache())
        .isEqualTo(500);
    RedisConfig fromUrl = RedisConfig.fromUrl("redis://:" + PASSWORD + "@h:6380/1?client_cache=10000");
    assertThat(fromUrl.clientSideCache()).isEqualTo(10_000);
    assertThat(fromUrl.toString())
        .isEqualTo(
            "RedisConfig[standalone h:6380 db 1 with password client_cache 10000, poolSize=16,"
                + " connectTimeout=PT2S, socketTimeout=PT2S, clientSideCache=10000]");
    assertThat(
            RedisUrl.parse("redis-sentinel://s1/0?master=m&client_cache=7"))
        .extracting(RedisUrl::masterName, RedisUrl::clientCache)
        .containsExactly("m", 7);
    assertThat(RedisUrl.parse("redis-cluster://n1,n2?client_cache=1000000").clientCache())
        .isEqualTo(1_000_000);
  }

  @Test
  void clientSideCache_bounds_bothSides_andOnlyOnce() {
    assertThatThrownBy(() -> RedisConfig.builder().clientSideCache(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("clientSideCache must be between 1 and 1000000, but was 0");
    assertThatThrownBy(() -> RedisConfig.builder().clientSideCache(1_000_001))
        .hasMessage("clientSideCache must be between 1 and 1000000, but was 1000001");
    for (String bad : List.of("0", "-1", "abc", "1000001", "")) {
      assertThatThrownBy(() -> RedisConfig.builder().url("redis://:" + PASSWORD + "@h?client_cache=" + bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("url must be a URL whose")
          .hasMessageNotContaining(PASSWORD);
    }
    assertThatThrownBy(() -> RedisConfig.builder().clientSideCache(5).clientSideCache(6))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("clientSideCache was already set to 5");
    assertThatThrownBy(
            () -> RedisConfig.builder().url("redis://h?client_cache=5").clientSideCache(6).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "clientSideCache must be set once, but was set in the URL (client_cache) and on the"
                + " builder");
  }
}
