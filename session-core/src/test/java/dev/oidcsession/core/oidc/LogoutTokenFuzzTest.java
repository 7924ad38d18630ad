package dev.oidcsession.core.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.oidcsession.core.ExpectsWarnings;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

/**
 * Logout-token validation, fuzzed: a raw string or a token built from fuzzed claims, signed with
 * the provider's key, with a key the provider never published, with HS256 over its public key, or
 * not at all. Validation either refuses it with an {@link OidcException} or yields a notice; a
 * notice only ever comes from a token the provider signed for this client, with an issuer and a
 * non-blank {@code sid} or {@code sub}. No other exception escapes. Regression inputs: {@code
 * LogoutTokenFuzzTestInputs/}; fuzzing: README.
 */
@ExpectsWarnings(value = "the fake provider's issuer is plain http on loopback", everyTest = true, matching = "uses plain http")
class LogoutTokenFuzzTest {

  private static final String EVENT = "http://schemas.openid.net/event/backchannel-logout";
  private static final FakeProvider PROVIDER = started();
  private static final OidcClient CLIENT = PROVIDER.client();
  private static final RSAKey STRANGER = stranger();

  @FuzzTest
  void onlyTheProvidersSignatureYieldsANotice(FuzzedDataProvider data) {
    int signer = data.consumeInt(0, 4);
    String token = signer == 4 ? data.consumeRemainingAsString() : token(data, signer);

    LogoutNotice notice;
    try {
      notice = CLIENT.validateLogoutToken(token);
    } catch (OidcException e) {
      assertThat(e.reason()).isIn(
          OidcException.Reason.INVALID_LOGOUT_TOKEN, OidcException.Reason.PROVIDER_UNAVAILABLE);
      return;
    }
    assertThat(signer).as("signer of an accepted token").isZero();
    assertThat(notice.issuer()).isEqualTo(PROVIDER.issuer());
    assertThat(notice.sid().or(notice::subject)).isPresent();
    notice.sid().ifPresent(sid -> assertThat(sid).isNotBlank());
    notice.subject().ifPresent(sub -> assertThat(sub).isNotBlank());
  }

  /** Claims from the input, signed by: 0 the provider, 1 a stranger, 2 HS256 confusion, 3 nobody. */
  private static String token(FuzzedDataProvider data, int signer) {
    Instant now = Instant.now();
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .issuer(data.consumeBoolean() ? PROVIDER.issuer() : data.consumeString(40))
        .audience(data.consumeBoolean() ? FakeProvider.CLIENT_ID : data.consumeString(20))
        .issueTime(Date.from(now.plusSeconds(data.consumeInt(-7200, 7200))))
        .expirationTime(Date.from(now.plusSeconds(data.consumeInt(-7200, 7200))));
    if (data.consumeBoolean()) {
      claims.subject(data.consumeString(30));
    }
    if (data.consumeBoolean()) {
      claims.claim("sid", data.consumeString(30));
    }
    if (data.consumeBoolean()) {
      claims.jwtID(data.consumeString(40));
    }
    switch (data.consumeInt(0, 3)) {
      case 0 -> claims.claim("events", Map.of(EVENT, Map.of()));
      case 1 -> claims.claim("events", Map.of(data.consumeString(40), Map.of()));
      case 2 -> claims.claim("events", data.consumeString(20));
      default -> { }
    }
    if (data.consumeBoolean()) {
      claims.claim("nonce", data.consumeString(20));
    }
    JOSEObjectType type = data.consumeBoolean() ? new JOSEObjectType(data.consumeString(20)) : null;
    JWTClaimsSet set = claims.build();
    return switch (signer) {
      case 0 -> FakeProvider.sign(set, FakeProvider.RSA_1, FakeProvider.RSA_1.getKeyID(), type);
      case 1 -> FakeProvider.sign(set, STRANGER, FakeProvider.RSA_1.getKeyID(), type);
      case 2 -> FakeProvider.signHs256WithPublicKey(set, FakeProvider.RSA_1);
      default -> FakeProvider.unsigned(set);
    };
  }

  private static FakeProvider started() {
    FakeProvider provider = FakeProvider.start();
    provider.reset();
    // Jazzer's SSRF detector: the client may talk to this provider only.
    int port = provider.server.port();
    BugDetectors.allowNetworkConnections((host, p) -> p == port
        && (host.equals("127.0.0.1") || host.equals("localhost")));
    Runtime.getRuntime().addShutdownHook(new Thread(provider::stop));
    return provider;
  }

  private static RSAKey stranger() {
    try {
      return new RSAKeyGenerator(2048).keyID("stranger").generate();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
