package dev.oidcsession.core.oidc;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/**
 * Security review 2026-11-30 #3: discovery while the provider hangs. One attempt runs at a time,
 * shared by every caller; a failure is remembered briefly; nobody waits behind a lock for someone
 * else's network call.
 */
@ExpectsWarnings(value = "discovery fails on purpose (hangs past the timeout)", everyTest = true)
class DiscoveryOutageIT extends FakeProviderTestBase {

  static final Duration TIMEOUT = Duration.ofMillis(500);
  static final int LOGINS = 20;

  final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T10:00:00Z"));

  @Override
  OidcClientConfig.Builder clientConfig() {
    return super.clientConfig().clock(clock);
  }

  OidcClient impatientClient() {
    OkHttpClient http = OidcClient.defaultHttpClient().newBuilder()
        .readTimeout(TIMEOUT).callTimeout(TIMEOUT).build();
    return OidcClient.create(clientConfig().build(), http);
  }

  int discoveryRequests() {
    return provider.server.findAll(
        getRequestedFor(urlPathEqualTo("/.well-known/openid-configuration"))).size();
  }

  @Test
  void discoveryHangs_20ConcurrentLogins_finishInAboutOneTimeout_oneRequest_thenRetriedAfterTheFailureCache()
      throws Exception {
    provider.server.stubFor(get(urlPathEqualTo("/.well-known/openid-configuration"))
        .willReturn(aResponse().withStatus(200).withFixedDelay(5_000)));
    ExecutorService pool = Executors.newFixedThreadPool(LOGINS);
    try (OidcClient impatient = impatientClient()) {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<OidcException>> logins = new ArrayList<>();
      for (int i = 0; i < LOGINS; i++) {
        logins.add(pool.submit(() -> {
          start.await();
          return catchThrowableOfType(OidcException.class, () -> impatient.startLogin("/"));
        }));
      }
      long began = System.nanoTime();
      start.countDown();
      for (Future<OidcException> login : logins) {
        OidcException failed = login.get(30, TimeUnit.SECONDS);
        assertThat(failed).isNotNull();
        assertThat(failed.reason()).isEqualTo(OidcException.Reason.PROVIDER_UNAVAILABLE);
      }
      Duration took = Duration.ofNanos(System.nanoTime() - began);
      // One timeout (500 ms) and some scheduling; twenty in a row would be 10 s.
      assertThat(took).as("20 logins while discovery hangs").isLessThan(TIMEOUT.multipliedBy(4));
      assertThat(discoveryRequests()).as("discovery requests").isEqualTo(1);

      // Within the failure cache: an answer at once, without a request.
      long quick = System.nanoTime();
      assertThat(catchThrowableOfType(OidcException.class, () -> impatient.startLogin("/")))
          .isNotNull();
      assertThat(Duration.ofNanos(System.nanoTime() - quick)).isLessThan(TIMEOUT);
      assertThat(discoveryRequests()).isEqualTo(1);

      // After it, the provider is back: one new attempt, which succeeds and is kept.
      provider.stubDiscovery(m -> {});
      clock.advance(ProviderCache.FAILURE_CACHE);
      assertThat(impatient.startLogin("/").authorizationUri().toString())
          .startsWith(provider.issuer() + "/authorize");
      assertThat(impatient.startLogin("/")).isNotNull();
      assertThat(discoveryRequests()).isEqualTo(2);
    } finally {
      pool.shutdownNow();
    }
  }
}
