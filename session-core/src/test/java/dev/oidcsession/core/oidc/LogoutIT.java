package dev.oidcsession.core.oidc;

import dev.oidcsession.core.ManualClock;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.oidcsession.core.oidc.FakeProvider.RSA_1;
import static dev.oidcsession.core.oidc.FakeProvider.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.oidcsession.core.SessionManager;
import dev.oidcsession.core.TokenSet;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Back-channel logout (OIDC Back-Channel Logout 1.0 §2.6), RP-initiated logout and revocation. */
class LogoutIT extends FakeProviderTestBase {

  final ManualClock clock = new ManualClock(Instant.now());
  SessionManager sessions;

  @Override
  OidcClientConfig.Builder clientConfig() {
    return super.clientConfig().postLogoutRedirectUri(URI.create("https://app.example/bye")).clock(clock);
  }

  @BeforeEach
  void setUp() {
    sessions = SessionManager.builder().renewer(client).clock(clock).build();
  }

  @AfterEach
  void tearDown() {
    sessions.close();
  }

  private TokenSet login() throws Exception {
    return provider.login(client, nonce -> sign(provider.idClaims(nonce).build(), RSA_1));
  }

  private OidcException invalid(String logoutToken) {
    OidcException e =
        catchThrowableOfType(OidcException.class, () -> client.validateLogoutToken(logoutToken));
    assertThat(e).isNotNull();
    assertThat(e.reason()).isEqualTo(OidcException.Reason.INVALID_LOGOUT_TOKEN);
    return e;
  }

  /** An earlier fuzzing run found these signed tokens escaping as IllegalArgumentException. */
  @Test
  void logoutToken_signedWithEmptyOrBlankSubSidOrJti_isInvalid() {
    for (String claim : new String[] {"sub", "sid", "jti"}) {
      for (String blank : new String[] {"", " "}) {
        JWTClaimsSet claims =
            new JWTClaimsSet.Builder(provider.logoutClaims().build()).claim(claim, blank).build();
        Throwable e = catchThrowable(() -> client.validateLogoutToken(sign(claims, RSA_1)));
        assertThat(e).as("%s='%s'", claim, blank).isInstanceOf(OidcException.class);
        assertThat(((OidcException) e).reason()).isEqualTo(OidcException.Reason.INVALID_LOGOUT_TOKEN);
      }
    }
  }

  @Test
  void logoutToken_withSid_endsThatProviderSession() throws Exception {
    TokenSet tokens = login();
    String cookie = sessions.create(tokens).handle().cookieValue();

    LogoutNotice notice = client.validateLogoutToken(sign(provider.logoutClaims().build(), RSA_1));
    int ended = sessions.endBySid(notice.issuer(), notice.sid().orElseThrow());

    assertThat(ended).isEqualTo(1);
    assertThat(sessions.resolve(cookie)).isEmpty();
  }

  @Test
  void logoutToken_withSubOnly_endsEverySessionOfTheSubject() throws Exception {
    sessions.create(login());
    sessions.create(login());
    JWTClaimsSet claims = new JWTClaimsSet.Builder(provider.logoutClaims().build()).claim("sid", null).build();

    LogoutNotice notice = client.validateLogoutToken(sign(claims, RSA_1));
    assertThat(notice.sid()).isEmpty();
    int ended = sessions.endBySubject(notice.issuer(), notice.subject().orElseThrow());

    assertThat(ended).isEqualTo(2);
  }

  @Test
  void logoutToken_forgottenAfterAnOutage_isAcceptedOnTheProvidersRetry() throws Exception {
    String token = sign(provider.logoutClaims().build(), RSA_1);
    LogoutNotice notice = client.validateLogoutToken(token);

    client.forgetLogoutToken(notice);

    assertThat(client.validateLogoutToken(token)).isEqualTo(notice);
    invalid(token);
  }

  @Test
  void logoutToken_valid_yieldsIssuerSidAndSub() throws Exception {
    LogoutNotice notice =
        client.validateLogoutToken(
            FakeProvider.sign(provider.logoutClaims().build(), RSA_1, RSA_1.getKeyID(), new JOSEObjectType("logout+jwt")));

    assertThat(notice)
        .isEqualTo(new LogoutNotice(
                provider.issuer(), Optional.of("sid-1"), Optional.of("alice"), notice.jwtId()));
    assertThat(notice.jwtId()).isNotBlank();
  }

  @Test
  void logoutToken_withNonce_isRejected() {
    OidcException e = invalid(sign(provider.logoutClaims().claim("nonce", "n-1").build(), RSA_1));

    assertThat(e).hasMessage("logout token rejected: JWT has prohibited claims: [nonce]");
  }

  @Test
  void logoutToken_withoutEvents_isRejected() {
    JWTClaimsSet claims = new JWTClaimsSet.Builder(provider.logoutClaims().build()).claim("events", null).build();

    OidcException e = invalid(sign(claims, RSA_1));

    assertThat(e).hasMessage("logout token rejected: JWT missing required claims: [events]");
  }

  @Test
  void logoutToken_withEventsOfAnotherType_isRejected() {
    OidcException e =
        invalid(
            sign(
                provider.logoutClaims().claim("events", Map.of("https://example/other", Map.of())).build(),
                RSA_1));

    assertThat(e)
        .hasMessage(
            "logout token rejected: Missing event type, required"
                + " http://schemas.openid.net/event/backchannel-logout");
  }

  @Test
  void logoutToken_withNeitherSidNorSub_isRejected() {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder(provider.logoutClaims().build()).claim("sid", null).subject(null).build();

    OidcException e = invalid(sign(claims, RSA_1));

    assertThat(e)
        .hasMessage("logout token rejected: Missing subject (sub) and / or session ID (sid) claim(s)");
  }

  @Test
  void logoutToken_replayed_isRejected() throws Exception {
    String token = sign(provider.logoutClaims().build(), RSA_1);
    client.validateLogoutToken(token);

    OidcException e = invalid(token);

    assertThat(e).hasMessage("logout token rejected: jti must not have been used before, but was replayed");
  }

  @Test
  void logoutToken_replayedAfterItsExpiry_isNotRemembered() throws Exception {
    String token = sign(provider.logoutClaims().build(), RSA_1);
    client.validateLogoutToken(token);
    clock.advance(Duration.ofMinutes(10));

    // Expired by now on our clock, but nimbus's exp check reads the wall clock: the replay cache
    // has forgotten the jti (kept until exp + skew), so only the signature's validity remains.
    assertThat(client.validateLogoutToken(token).sid()).contains("sid-1");
  }

  @Test
  void logoutToken_wrongAudience_isRejected() {
    OidcException e = invalid(sign(provider.logoutClaims().audience("other").build(), RSA_1));

    assertThat(e).hasMessage("logout token rejected: JWT aud claim rejected");
  }

  @Test
  void logoutToken_wrongIssuer_isRejected() {
    OidcException e =
        invalid(sign(provider.logoutClaims().issuer("https://evil.example").build(), RSA_1));

    assertThat(e).hasMessage("logout token rejected: JWT iss claim value rejected");
  }

  @Test
  void logoutToken_iatInFutureBeyondSkew_isRejected() {
    Instant iat = clock.instant().plusSeconds(61);
    OidcException e =
        invalid(sign(provider.logoutClaims().issueTime(Date.from(iat)).build(), RSA_1));

    assertThat(e)
        .hasMessage(
            "logout token rejected: iat must not be after now + PT1M, but was "
                + iat.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  }

  /**
   * Review #19: logout tokens' {@code exp} allows the configured skew, as ID tokens do (nimbus's
   * own default was 60 s whatever the configuration). nimbus checks {@code exp} on the wall clock.
   */
  @Test
  void logoutToken_expiredWithinTheConfiguredSkew_isAccepted_beyondIt_isRejected()
      throws Exception {
    try (OidcClient lenient = OidcClient.create(super.clientConfig().clock(clock)
        .validationClockSkew(Duration.ofMinutes(3)).build());
        OidcClient strict = OidcClient.create(super.clientConfig().clock(clock)
            .validationClockSkew(Duration.ZERO).build())) {
      Instant now = Instant.now();
      String expired2MinAgo = sign(provider.logoutClaims().issueTime(Date.from(now.minusSeconds(300)))
          .expirationTime(Date.from(now.minusSeconds(120))).build(), RSA_1);
      assertThat(lenient.validateLogoutToken(expired2MinAgo).sid()).contains("sid-1");

      String expired30sAgo = sign(provider.logoutClaims().issueTime(Date.from(now.minusSeconds(300)))
          .expirationTime(Date.from(now.minusSeconds(30))).build(), RSA_1);
      OidcException e = catchThrowableOfType(OidcException.class,
          () -> strict.validateLogoutToken(expired30sAgo));
      assertThat(e).isNotNull();
      assertThat(e.reason()).isEqualTo(OidcException.Reason.INVALID_LOGOUT_TOKEN);
      assertThat(e).hasMessageContaining("Expired JWT");
    }
  }

  @Test
  void logoutToken_signedWithNone_isRejected() {
    OidcException e = invalid(FakeProvider.unsigned(provider.logoutClaims().build()));

    assertThat(e).hasMessage("logout token rejected: Unsecured (plain) logout tokens are illegal");
  }

  @Test
  void logoutToken_hs256KeyedWithRsaPublicKey_isRejected() {
    OidcException e =
        invalid(FakeProvider.signHs256WithPublicKey(provider.logoutClaims().build(), RSA_1));

    assertThat(e)
        .hasMessage(
            "logout token rejected: Signed JWT rejected: Another algorithm expected, or no matching key(s) found");
  }

  @Test
  void rpLogout_endSessionUrl_carriesIdTokenHintRedirectAndState() throws Exception {
    TokenSet tokens = login();

    LogoutRedirect redirect = client.logoutRedirect(tokens.idToken()).orElseThrow();

    Map<String, String> q = LoginFlowIT.query(redirect.endSessionUri());
    assertThat(redirect.endSessionUri().toString()).startsWith(provider.issuer() + "/logout?");
    assertThat(q)
        .containsEntry("id_token_hint", tokens.idToken().raw().value())
        .containsEntry("post_logout_redirect_uri", "https://app.example/bye")
        .containsEntry("client_id", FakeProvider.CLIENT_ID)
        .containsEntry("state", redirect.state().orElseThrow().value());
  }

  @Test
  void rpLogout_withoutPostLogoutRedirectUri_sendsNoState() throws Exception {
    TokenSet tokens = login();
    try (OidcClient plain = provider.client()) {
      LogoutRedirect redirect = plain.logoutRedirect(tokens.idToken()).orElseThrow();

      assertThat(LoginFlowIT.query(redirect.endSessionUri()))
          .containsOnlyKeys("id_token_hint", "client_id");
      assertThat(redirect.state()).isEmpty();
    }
  }

  @Test
  void rpLogout_providerWithoutEndSessionEndpoint_isEmpty() throws Exception {
    TokenSet tokens = login();
    provider.stubDiscovery(m -> m.remove("end_session_endpoint"));
    client.refreshProviderMetadata();

    assertThat(client.logoutRedirect(tokens.idToken())).isEmpty();
  }

  @Test
  void revoke_refreshToken_isPostedToRevocationEndpoint() throws Exception {
    TokenSet tokens = login();
    provider.server.stubFor(post(urlPathEqualTo("/revoke")).willReturn(ok()));

    assertThat(client.revoke(tokens)).isTrue();

    provider.server.verify(
        1,
        postRequestedFor(urlPathEqualTo("/revoke"))
            .withRequestBody(containing("token=" + FakeProvider.REFRESH_TOKEN))
            .withRequestBody(containing("token_type_hint=refresh_token")));
  }

  @Test
  void revoke_privateKeyJwt_assertionAudienceIsTheTokenEndpoint() throws Exception {
    // Found against Keycloak 26.7 (KeycloakPrivateKeyJwtIT): it refuses an assertion whose aud
    // is the revocation endpoint (invalid_client), as OIDC Core 9 names the token endpoint.
    ECKey clientKey = new ECKeyGenerator(Curve.P_256).keyID("client-key-1").generate();
    try (OidcClient pkj = OidcClient.create(provider.config().privateKeyJwt(clientKey).build())) {
      TokenSet tokens = provider.login(pkj, nonce -> sign(provider.idClaims(nonce).build(), RSA_1));
      provider.server.stubFor(post(urlPathEqualTo("/revoke")).willReturn(ok()));

      assertThat(pkj.revoke(tokens)).isTrue();

      LoggedRequest request =
          provider.server.findAll(postRequestedFor(urlPathEqualTo("/revoke"))).get(0);
      String assertion = java.net.URLDecoder.decode(
          request.getBodyAsString().replaceAll(".*client_assertion=([^&]*).*", "$1"),
          java.nio.charset.StandardCharsets.UTF_8);
      SignedJWT jwt = SignedJWT.parse(assertion);
      assertThat(jwt.verify(new ECDSAVerifier(clientKey.toPublicJWK()))).isTrue();
      assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactly(provider.issuer() + "/token");
    }
  }

  @Test
  void revoke_providerError_isMapped() throws Exception {
    TokenSet tokens = login();
    provider.server.stubFor(
        post(urlPathEqualTo("/revoke")).willReturn(FakeProvider.oauthError(400, "unsupported_token_type")));

    OidcException e = catchThrowableOfType(OidcException.class, () -> client.revoke(tokens));

    assertThat(e.reason()).isEqualTo(OidcException.Reason.TOKEN_ERROR);
    assertThat(e).hasMessage("revocation refused: unsupported_token_type (HTTP 400)");
  }

  @Test
  void revoke_providerUnavailable_isMapped() throws Exception {
    TokenSet tokens = login();
    provider.server.stubFor(post(urlPathEqualTo("/revoke")).willReturn(aResponse().withStatus(503)));

    OidcException e = catchThrowableOfType(OidcException.class, () -> client.revoke(tokens));

    assertThat(e.reason()).isEqualTo(OidcException.Reason.PROVIDER_UNAVAILABLE);
    assertThat(e).hasMessage("revocation endpoint must answer 200, but answered 503");
  }

  @Test
  void revoke_providerWithoutRevocationEndpoint_returnsFalse() throws Exception {
    TokenSet tokens = login();
    provider.stubDiscovery(m -> m.remove("revocation_endpoint"));
    client.refreshProviderMetadata();

    assertThat(client.revoke(tokens)).isFalse();
  }
}
