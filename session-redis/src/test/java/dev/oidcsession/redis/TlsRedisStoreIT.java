package dev.oidcsession.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.SessionStoreUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The store contract over TLS, straight to redis-server's TLS port ({@code rediss://}), with a CA
 * and server certificate made by the test; plus what certificate checking refuses and what the
 * explicit opt-out allows.
 */
class TlsRedisStoreIT extends RedisStoreContract {

  @RegisterExtension static final RedisTopology redis = RedisTopology.tls();

  @Override
  protected RedisTopology topology() {
    return redis;
  }

  @Test
  void tls_serverCertificateFromAnotherCa_isUnavailableNeverAbsent() throws Exception {
    Path otherDir = Files.createDirectory(redis.processes().root().resolve("other-ca"));
    TestCertificates other = TestCertificates.newCa(otherDir, "some other CA");
    try (RedisSessionStore untrusting =
        RedisSessionStore.create(
            RedisConfig.builder()
                .url("rediss://localhost:" + redis.primary().port)
                .caCertificate(other.ca)
                .build())) {
      assertThatThrownBy(() -> untrusting.find(randomKey()))
          .isInstanceOf(SessionStoreUnavailableException.class)
          .hasMessage("Redis session store: find failed (JedisConnectionException)")
          .satisfies(e -> assertThat(handshakeFailure(e)).contains("PKIX path building failed"));
    }
  }

  @Test
  void tls_hostNameNotInCertificate_isRefused() {
    // 127.0.0.1 reaches the same server, but its certificate names only localhost: the host name
    // check (RFC 6125) must refuse it.
    try (RedisSessionStore wrongName =
        RedisSessionStore.create(
            RedisConfig.builder()
                .url("rediss://127.0.0.1:" + redis.primary().port)
                .caCertificate(redis.certificates().ca)
                .build())) {
      assertThatThrownBy(() -> wrongName.find(randomKey()))
          .isInstanceOf(SessionStoreUnavailableException.class)
          .satisfies(e -> assertThat(handshakeFailure(e)).contains("127.0.0.1"));
    }
  }

  @ExpectsWarnings("the test checks the TLS-verification-off warning")
  @Test
  void tls_insecureOptOut_connectsWithoutTheCa_andSaysSoAtWarn() {
    try (LogCapture logs = new LogCapture(RedisConfig.class);
        RedisSessionStore insecure =
            RedisSessionStore.create(
                RedisConfig.builder()
                    .url("rediss://127.0.0.1:" + redis.primary().port)
                    .insecureSkipCertificateVerification()
                    .build())) {
      assertThat(insecure.find(randomKey())).isEmpty();
      assertThat(logs.messages(ch.qos.logback.classic.Level.WARN))
          .singleElement().asString().startsWith("TLS CERTIFICATE VERIFICATION IS OFF for Redis");
    }
  }

  @Test
  void tls_serverRequiringClientCertificates_acceptsOnlyTheConfiguredOne() {
    RedisProcesses.Node strict =
        redis
            .processes()
            .tlsServer(
                redis.certificates().cert("server"),
                redis.certificates().key("server"),
                redis.certificates().ca,
                true);
    String url = "rediss://localhost:" + strict.port;
    try (RedisSessionStore withoutCert =
            RedisSessionStore.create(RedisConfig.builder().url(url).caCertificate(redis.certificates().ca).build());
        RedisSessionStore withCert =
            RedisSessionStore.create(
                RedisConfig.builder()
                    .url(url)
                    .caCertificate(redis.certificates().ca)
                    .clientCertificate(redis.certificates().cert("client"), redis.certificates().key("client"))
                    .build())) {
      assertThatThrownBy(() -> withoutCert.find(randomKey()))
          .isInstanceOf(SessionStoreUnavailableException.class);
      assertThat(withCert.find(randomKey())).isEmpty();
    }
  }

  /** The message of the TLS handshake failure among {@code e}'s causes. */
  private static String handshakeFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SSLHandshakeException) {
        return t.getMessage();
      }
    }
    throw new AssertionError("no TLS handshake failure in the causes", e);
  }
}
