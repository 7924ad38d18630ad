package dev.oidcsession.core.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.TokenSecret;
import dev.oidcsession.core.TokenSet;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Callback parameter handling, fuzzed: {@code state}, {@code code}, {@code iss}, {@code error}
 * and stray parameters, each absent, once or repeated, empty, blank, encoded or the right value,
 * against a provider whose token endpoint answers a valid ID token for the pending login's nonce.
 * Completing either fails with an {@link OidcException} or yields tokens, and tokens only when the
 * callback carried exactly the pending login's {@code state}, one non-blank {@code code}, no
 * {@code error} and no foreign {@code iss}. No other exception escapes, for the parameter map and
 * for the same parameters as a callback URI. Regression inputs: {@code CallbackFuzzTestInputs/};
 * fuzzing: README.
 */
@ExpectsWarnings(value = "the fake provider's issuer is plain http on loopback", everyTest = true, matching = "uses plain http")
class CallbackFuzzTest {

  private static final String STATE = "fuzz-state-4f1c9b2e7a";
  private static final String NONCE = "fuzz-nonce-8d3e6a0c5b";
  private static final String VERIFIER = "fuzz-verifier-2b7f4e9d1c6a3f8e5b0d7c4a1f6e3b8d";
  private static final List<String> NAMES =
      List.of("state", "code", "iss", "error", "error_description", "session_state", "response");
  private static final FakeProvider PROVIDER = started();
  private static final OidcClient CLIENT = PROVIDER.client();

  @FuzzTest
  void tokensOnlyForTheRightStateAndACode(FuzzedDataProvider data) {
    Map<String, List<String>> parameters = new LinkedHashMap<>();
    int count = data.consumeInt(0, 6);
    for (int i = 0; i < count; i++) {
      String name = data.consumeBoolean() ? NAMES.get(data.consumeInt(0, NAMES.size() - 1))
          : data.consumeString(12);
      parameters.computeIfAbsent(name, n -> new ArrayList<>()).add(value(data, name));
    }
    boolean asUri = data.consumeBoolean();
    PendingLogin pending = new PendingLogin(TokenSecret.of(STATE), TokenSecret.of(NONCE),
        TokenSecret.of(VERIFIER), "/app", Instant.now());

    TokenSet tokens;
    try {
      tokens = asUri ? CLIENT.completeLogin(uri(parameters), pending)
          : CLIENT.completeLogin(parameters, pending);
    } catch (OidcException e) {
      return;
    }
    assertThat(parameters.get("state")).containsExactly(STATE);
    assertThat(parameters.get("code")).hasSize(1);
    assertThat(parameters.get("code").get(0)).isNotBlank();
    assertThat(parameters).doesNotContainKey("error");
    if (parameters.containsKey("iss")) {
      assertThat(parameters.get("iss")).containsExactly(PROVIDER.issuer());
    }
    assertThat(tokens.subject()).isEqualTo("alice");
  }

  /** The right value for {@code state} and {@code iss} half the time, else any string. */
  private static String value(FuzzedDataProvider data, String name) {
    if (data.consumeBoolean()) {
      switch (name) {
        case "state" -> {
          return STATE;
        }
        case "iss" -> {
          return PROVIDER.issuer();
        }
        default -> { }
      }
    }
    return data.consumeString(64);
  }

  /** The same parameters as the query of a callback URI, percent-encoded. */
  private static URI uri(Map<String, List<String>> parameters) {
    StringBuilder query = new StringBuilder();
    parameters.forEach((name, values) -> values.forEach(v -> query.append(query.isEmpty() ? "" : "&")
        .append(encode(name)).append('=').append(encode(v))));
    try {
      return new URI(FakeProvider.REDIRECT_URI + "?" + query);
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  private static String encode(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static FakeProvider started() {
    FakeProvider provider = FakeProvider.start();
    provider.reset();
    // Jazzer's SSRF detector: the client may talk to this provider only.
    int port = provider.server.port();
    BugDetectors.allowNetworkConnections((host, p) -> p == port
        && (host.equals("127.0.0.1") || host.equals("localhost")));
    Instant now = Instant.now();
    provider.stubToken(FakeProvider.tokens(FakeProvider.sign(provider.idClaims(NONCE)
            .expirationTime(java.util.Date.from(now.plusSeconds(86_400))).build(),
        FakeProvider.RSA_1), FakeProvider.ACCESS_TOKEN, FakeProvider.REFRESH_TOKEN));
    Runtime.getRuntime().addShutdownHook(new Thread(provider::stop));
    return provider;
  }
}
