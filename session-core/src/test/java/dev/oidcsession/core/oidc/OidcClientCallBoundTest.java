package dev.oidcsession.core.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/** The refresh call's upper bound that the session manager holds the renewal lease against. */
class OidcClientCallBoundTest {

  private static OidcClientConfig config() {
    return OidcClientConfig.builder()
        .issuer("https://id.example")
        .clientId("app")
        .redirectUri(URI.create("https://app.example/cb"))
        .publicClient()
        .build();
  }

  @Test
  void maxCallDuration_defaultClient_isItsFifteenSecondCallTimeout() {
    try (OidcClient client = OidcClient.create(config())) {
      assertThat(client.maxCallDuration()).contains(Duration.ofSeconds(15));
    }
  }

  @Test
  void maxCallDuration_callersClientWithACallTimeout_isThatTimeout() {
    OkHttpClient http = new OkHttpClient.Builder().callTimeout(7, TimeUnit.SECONDS).build();
    try (OidcClient client = OidcClient.create(config(), http)) {
      assertThat(client.maxCallDuration()).contains(Duration.ofSeconds(7));
    }
  }

  @Test
  void maxCallDuration_clientWithoutCallTimeout_isUndeclared() {
    try (OidcClient client = OidcClient.create(config(), new OkHttpClient())) {
      assertThat(client.maxCallDuration()).isEmpty();
    }
  }
}
