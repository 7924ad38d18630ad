package dev.oidcsession.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.ManualClock;
import dev.oidcsession.examples.provider.DevProvider;
import dev.oidcsession.servlet.Browser;
import dev.oidcsession.redis.RedisTopology;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two instances of the example app behind one (imagined) load balancer, sharing one Redis started
 * by the test and one development provider: sessions, renewals and logouts are cluster-wide.
 */
@ExpectsWarnings(value = "the example runs the development provider over plain http on loopback",
    matching = {"DevProvider is a development OpenID provider", "BASE_URL is http",
        "uses plain http"})
class MultiNodeRedisIT {

  static final ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  static final int portA = Browser.freePort();
  static final int portB = Browser.freePort();
  static final String baseA = "http://127.0.0.1:" + portA;
  static final String baseB = "http://127.0.0.1:" + portB;
  @RegisterExtension static final RedisTopology redis = RedisTopology.standalone();
  static DevProvider provider;
  static ExampleApp nodeA;
  static ExampleApp nodeB;

  @BeforeAll
  static void start() throws Exception {
    provider = DevProvider.builder()
        .port(0)
        .client("cluster-app", "cluster-app-secret-0123456789", URI.create(baseA + "/oidc/callback"))
        .postLogoutRedirectUri(URI.create(baseA + "/"))
        .backChannelLogoutUri(URI.create(baseA + "/oidc/backchannel-logout"))
        .clock(clock)
        .build();
    provider.start();
    nodeA = ExampleApp.start(env(portA, redis.primary().port)::get, clock);
    nodeB = ExampleApp.start(env(portB, redis.primary().port)::get, clock);
  }

  static Map<String, String> env(int port, int redisPort) {
    return Map.of(
        "PORT", Integer.toString(port),
        "BASE_URL", baseA, // the load balancer's address: callbacks may land on either node
        "OIDC_ISSUER", provider.issuer(),
        "OIDC_CLIENT_ID", "cluster-app",
        "OIDC_CLIENT_SECRET", "cluster-app-secret-0123456789",
        "SESSION_SECRET", "the-same-secret-on-every-node-0123456789",
        "REDIS_URL", "redis://127.0.0.1:" + redisPort);
  }

  @AfterAll
  static void stop() {
    nodeA.close();
    nodeB.close();
    provider.close();
  }

  @Test
  void cluster_sessionIsShared_renewedOnce_andLoggedOutEverywhere() throws Exception {
    Browser browser = new Browser();
    assertThat(DevLogin.login(browser, baseA, "alice").statusCode()).isEqualTo(200);
    assertThat(nodeA.mode()).contains("Redis store");

    HttpResponse<String> onB = browser.get(baseB + "/api/me", "Accept", "application/json");
    assertThat(onB.statusCode()).isEqualTo(200);
    assertThat(JSONObjectUtils.parse(onB.body())).containsEntry("subject", "alice");

    // The access token is about to expire: every request on both nodes needs the renewal.
    Instant expiresAt = Instant.parse((String) JSONObjectUtils.parse(
        browser.get(baseA + "/oidc/session").body()).get("expiresAt"));
    clock.set(expiresAt.minusSeconds(20));
    provider.resetCounts();
    ExecutorService pool = Executors.newFixedThreadPool(64);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<HttpResponse<String>>> responses = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        String base = i % 2 == 0 ? baseA : baseB;
        responses.add(pool.submit(() -> {
          go.await();
          return browser.get(base + "/api/me", "Accept", "application/json");
        }));
      }
      go.countDown();
      for (Future<HttpResponse<String>> response : responses) {
        assertThat(response.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(provider.refreshGrants()).isEqualTo(1);
    assertThat(provider.rejectedRefreshGrants()).isZero();
    Instant renewedExpiry = Instant.parse((String) JSONObjectUtils.parse(
        browser.get(baseB + "/oidc/session").body()).get("expiresAt"));
    assertThat(renewedExpiry).isAfter(expiresAt);

    assertThat(provider.logOut("alice")).isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> provider.backChannelDeliveries() >= 1);
    assertThat(browser.get(baseA + "/api/me", "Accept", "application/json").statusCode()).isEqualTo(401);
    assertThat(browser.get(baseB + "/api/me", "Accept", "application/json").statusCode()).isEqualTo(401);
  }
}
