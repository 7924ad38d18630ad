package dev.oidcsession.core.oidc;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.oidcsession.core.oidc.FakeProvider.CLIENT_ID;
import static dev.oidcsession.core.oidc.FakeProvider.EC_1;
import static dev.oidcsession.core.oidc.FakeProvider.RSA_1;
import static dev.oidcsession.core.oidc.FakeProvider.RSA_2;
import static dev.oidcsession.core.oidc.FakeProvider.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.oidcsession.core.TokenSet;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** OIDC Core 3.1.3.7 through a full code-flow login against a WireMock provider. */
class IdTokenValidationIT extends FakeProviderTestBase {

  private OidcException rejected(Function<String, String> idTokenForNonce) {
    return catchThrowableOfType(
        OidcException.class, () -> provider.login(client, idTokenForNonce));
  }

  private static void assertInvalid(OidcException e, String message) {
    assertThat(e).isNotNull();
    assertThat(e.reason()).isEqualTo(OidcException.Reason.INVALID_ID_TOKEN);
    assertThat(e).hasMessage(message);
  }

  private long jwksFetches() {
    return provider.server.countRequestsMatching(getRequestedFor(urlPathEqualTo("/jwks")).build()).getCount();
  }

  @Test
  void idToken_rs256_isAccepted() throws Exception {
    TokenSet tokens = provider.login(client, nonce -> sign(provider.idClaims(nonce).build(), RSA_1));

    assertThat(tokens.subject()).isEqualTo("alice");
    assertThat(tokens.issuer()).isEqualTo(provider.issuer());
    assertThat(tokens.accessToken().value()).isEqualTo(FakeProvider.ACCESS_TOKEN);
    assertThat(tokens.refreshToken().orElseThrow().value()).isEqualTo(FakeProvider.REFRESH_TOKEN);
  }

  @Test
  void idToken_es256_isAccepted() throws Exception {
    TokenSet tokens = provider.login(client, nonce -> sign(provider.idClaims(nonce).build(), EC_1));

    assertThat(tokens.subject()).isEqualTo("alice");
  }

  @Test
  void idToken_badSignature_isRejected() {
    OidcException e =
        rejected(
            nonce ->
                FakeProvider.withBadSignature(
                    sign(provider.idClaims(nonce).build(), RSA_1),
                    sign(provider.idClaims(nonce).subject("mallory").build(), RSA_1)));

    assertInvalid(e, "ID token rejected: Signed JWT rejected: Invalid signature");
  }

  @Test
  void idToken_signedWithNone_isRejected() {
    OidcException e = rejected(nonce -> FakeProvider.unsigned(provider.idClaims(nonce).build()));

    assertInvalid(e, "ID token rejected: Signed ID token expected");
  }

  @Test
  void idToken_hs256KeyedWithRsaPublicKey_isRejected() {
    OidcException e =
        rejected(nonce -> FakeProvider.signHs256WithPublicKey(provider.idClaims(nonce).build(), RSA_1));

    assertInvalid(
        e,
        "ID token rejected: Signed JWT rejected: Another algorithm expected, or no matching key(s) found");
  }

  @Test
  void idToken_wrongIssuer_isRejected() {
    OidcException e =
        rejected(nonce -> sign(provider.idClaims(nonce).issuer("https://evil.example").build(), RSA_1));

    assertInvalid(e, "ID token rejected: Unexpected JWT issuer: https://evil.example");
  }

  @Test
  void idToken_wrongAudience_isRejected() {
    OidcException e =
        rejected(nonce -> sign(provider.idClaims(nonce).audience("someone-else").build(), RSA_1));

    assertInvalid(e, "ID token rejected: Unexpected JWT audience: [someone-else]");
  }

  @Test
  void idToken_severalAudiencesWithoutAzp_isRejected() {
    OidcException e =
        rejected(
            nonce ->
                sign(provider.idClaims(nonce).audience(List.of(CLIENT_ID, "api")).build(), RSA_1));

    assertInvalid(
        e, "ID token rejected: azp must be present when aud has several values, but was missing");
  }

  @Test
  void idToken_severalAudiencesWithWrongAzp_isRejected() {
    OidcException e =
        rejected(
            nonce ->
                sign(
                    provider
                        .idClaims(nonce)
                        .audience(List.of(CLIENT_ID, "api"))
                        .claim("azp", "api")
                        .build(),
                    RSA_1));

    assertInvalid(e, "ID token rejected: azp must equal the client_id " + CLIENT_ID + ", but was api");
  }

  @Test
  void idToken_severalAudiencesWithOwnAzp_isAccepted() throws Exception {
    TokenSet tokens =
        provider.login(
            client,
            nonce ->
                sign(
                    provider
                        .idClaims(nonce)
                        .audience(List.of(CLIENT_ID, "api"))
                        .claim("azp", CLIENT_ID)
                        .build(),
                    RSA_1));

    assertThat(tokens.idToken().audience()).containsExactly(CLIENT_ID, "api");
  }

  @Test
  void idToken_expired_isRejected() {
    Instant past = Instant.now().minusSeconds(3600);
    OidcException e =
        rejected(
            nonce ->
                sign(
                    provider
                        .idClaims(nonce)
                        .issueTime(Date.from(past))
                        .expirationTime(Date.from(past.plusSeconds(600)))
                        .build(),
                    RSA_1));

    assertInvalid(e, "ID token rejected: Expired JWT");
  }

  @Test
  void idToken_iatInFutureBeyondSkew_isRejected() {
    OidcException e =
        rejected(
            nonce ->
                sign(
                    provider.idClaims(nonce).issueTime(Date.from(Instant.now().plusSeconds(300))).build(),
                    RSA_1));

    assertInvalid(e, "ID token rejected: JWT issue time ahead of current time");
  }

  @Test
  void idToken_nonceMissing_isRejected() {
    OidcException e = rejected(nonce -> sign(provider.idClaims(null).build(), RSA_1));

    assertInvalid(e, "ID token rejected: nonce must be present, but was missing");
  }

  @Test
  void idToken_nonceWrong_isRejected() {
    OidcException e = rejected(nonce -> sign(provider.idClaims("another-nonce").build(), RSA_1));

    assertInvalid(e, "ID token rejected: nonce must equal the login's nonce, but did not");
  }

  @Test
  void idToken_atHashMismatch_isRejected() {
    OidcException e =
        rejected(
            nonce ->
                sign(provider.idClaims(nonce).claim("at_hash", "AAAAAAAAAAAAAAAAAAAAAA").build(), RSA_1));

    assertInvalid(e, "ID token rejected: at_hash must match the access token, but did not");
  }

  @Test
  void idToken_noKidWithSingleKey_isAccepted() throws Exception {
    provider.stubJwks(new JWKSet(RSA_1.toPublicJWK()));

    TokenSet tokens =
        provider.login(client, nonce -> sign(provider.idClaims(nonce).build(), RSA_1, null, null));

    assertThat(tokens.subject()).isEqualTo("alice");
  }

  @Test
  void idToken_noKidWithSeveralKeys_isRejected() {
    provider.stubJwks(new JWKSet(List.of(RSA_1.toPublicJWK(), RSA_2.toPublicJWK())));

    OidcException e = rejected(nonce -> sign(provider.idClaims(nonce).build(), RSA_1, null, null));

    assertInvalid(
        e,
        "ID token rejected: token must name its key (kid) when the provider publishes several keys"
            + " for its algorithm, but had no kid and 2 keys fit");
  }

  @Test
  void idToken_providerKeyRotation_refetchesKeysOnceAndIsAccepted() throws Exception {
    provider.login(client, nonce -> sign(provider.idClaims(nonce).build(), RSA_1));
    assertThat(jwksFetches()).isEqualTo(1);
    provider.stubJwks(new JWKSet(List.of(RSA_1.toPublicJWK(), RSA_2.toPublicJWK())));

    TokenSet tokens = provider.login(client, nonce -> sign(provider.idClaims(nonce).build(), RSA_2));

    assertThat(tokens.subject()).isEqualTo("alice");
    assertThat(jwksFetches()).isEqualTo(2);
  }

  @Test
  void idToken_jwksEndpointDownWhileKeysCached_isAccepted() throws Exception {
    provider.login(client, nonce -> sign(provider.idClaims(nonce).build(), RSA_1));
    provider.server.stubFor(
        com.github.tomakehurst.wiremock.client.WireMock.get(urlPathEqualTo("/jwks"))
            .willReturn(com.github.tomakehurst.wiremock.client.WireMock.serviceUnavailable()));

    TokenSet tokens = provider.login(client, nonce -> sign(provider.idClaims(nonce).build(), EC_1));

    assertThat(tokens.subject()).isEqualTo("alice");
    assertThat(jwksFetches()).isEqualTo(1);
  }

  @Test
  void idToken_forgedTokenFlood_fetchesKeysAtMostTwicePerRefetchInterval() throws Exception {
    RSAKey forger = new RSAKeyGenerator(2048).generate();
    provider.login(client, nonce -> sign(provider.idClaims(nonce).build(), RSA_1));
    int rejected = 0;
    for (int i = 0; i < 100; i++) {
      String kid = UUID.randomUUID().toString();
      OidcException e = rejected(nonce -> sign(provider.idClaims(nonce).build(), forger, kid, null));
      assertThat(e.reason()).isEqualTo(OidcException.Reason.INVALID_ID_TOKEN);
      rejected++;
    }

    assertThat(rejected).isEqualTo(100);
    // One fetch opened the rate-limit window at the first login; nimbus allows one more in it.
    assertThat(jwksFetches()).isEqualTo(2);
  }

  @Test
  void idToken_forgedTokenAfterRefetch_isRejectedAsRateLimited() throws Exception {
    provider.login(client, nonce -> sign(provider.idClaims(nonce).build(), RSA_1));
    rejected(nonce -> sign(provider.idClaims(nonce).build(), RSA_2));

    OidcException e = rejected(nonce -> sign(provider.idClaims(nonce).build(), RSA_2, "unknown", null));

    assertInvalid(
        e,
        "ID token rejected: no provider key matches its kid, and the key set was refetched less"
            + " than PT30S ago");
  }
}
