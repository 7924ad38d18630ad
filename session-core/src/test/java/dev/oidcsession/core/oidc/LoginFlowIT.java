package dev.oidcsession.core.oidc;

import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.ManualClock;
import java.time.Instant;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.serverError;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.oidcsession.core.oidc.FakeProvider.ACCESS_TOKEN;
import static dev.oidcsession.core.oidc.FakeProvider.CLIENT_ID;
import static dev.oidcsession.core.oidc.FakeProvider.CLIENT_SECRET;
import static dev.oidcsession.core.oidc.FakeProvider.CODE;
import static dev.oidcsession.core.oidc.FakeProvider.REDIRECT_URI;
import static dev.oidcsession.core.oidc.FakeProvider.REFRESH_TOKEN;
import static dev.oidcsession.core.oidc.FakeProvider.RSA_1;
import static dev.oidcsession.core.oidc.FakeProvider.callback;
import static dev.oidcsession.core.oidc.FakeProvider.oauthError;
import static dev.oidcsession.core.oidc.FakeProvider.sign;
import static dev.oidcsession.core.oidc.FakeProvider.tokens;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.SignedJWT;
import dev.oidcsession.core.TokenSet;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Discovery, the authorization request, the callback and client authentication. */
class LoginFlowIT extends FakeProviderTestBase {

  static Map<String, String> query(URI uri) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String pair : uri.getRawQuery().split("&")) {
      int eq = pair.indexOf('=');
      params.put(
          URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return params;
  }

  private String validIdToken(LoginRedirect login) {
    return sign(provider.idClaims(login.pending().nonce().value()).build(), RSA_1);
  }

  private int tokenRequests() {
    return provider.server.findAll(postRequestedFor(urlPathEqualTo("/token"))).size();
  }

  @Test
  void authorizationRequest_codeFlow_carriesPkceS256StateNonceAndOptions() throws Exception {
    LoginRedirect login =
        client.startLogin(
            "/app?tab=1",
            LoginOptions.none()
                .withPrompt("login")
                .withLoginHint("alice@example.com")
                .withAcrValues(List.of("mfa", "pwd"))
                .withAudience("https://api.example"));

    Map<String, String> q = query(login.authorizationUri());
    assertThat(login.authorizationUri().toString()).startsWith(provider.issuer() + "/authorize?");
    assertThat(q)
        .containsEntry("response_type", "code")
        .containsEntry("client_id", CLIENT_ID)
        .containsEntry("redirect_uri", REDIRECT_URI.toString())
        .containsEntry("scope", "openid")
        .containsEntry("code_challenge_method", "S256")
        .containsEntry("prompt", "login")
        .containsEntry("login_hint", "alice@example.com")
        .containsEntry("acr_values", "mfa pwd")
        .containsEntry("audience", "https://api.example");
    PendingLogin pending = login.pending();
    assertThat(q.get("state")).isEqualTo(pending.state().value());
    assertThat(q.get("nonce")).isEqualTo(pending.nonce().value());
    // 32 random bytes, base64url: 43 characters, 256 bits.
    assertThat(Base64.getUrlDecoder().decode(pending.state().value())).hasSize(32);
    assertThat(Base64.getUrlDecoder().decode(pending.nonce().value())).hasSize(32);
    byte[] digest =
        MessageDigest.getInstance("SHA-256")
            .digest(pending.codeVerifier().value().getBytes(StandardCharsets.US_ASCII));
    assertThat(q.get("code_challenge")).isEqualTo(Base64URL.encode(digest).toString());
    assertThat(pending.returnPath()).isEqualTo("/app?tab=1");
  }

  @Test
  void authorizationRequest_twoLogins_haveDistinctSecrets() throws Exception {
    PendingLogin a = client.startLogin("/").pending();
    PendingLogin b = client.startLogin("/").pending();

    assertThat(a.state()).isNotEqualTo(b.state());
    assertThat(a.nonce()).isNotEqualTo(b.nonce());
    assertThat(a.codeVerifier()).isNotEqualTo(b.codeVerifier());
  }

  @Test
  void startLogin_absoluteReturnPath_isRejectedAsOpenRedirect() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> client.startLogin("//evil.example/x"))
        .withMessage("returnPath must be a local path starting with a single '/', but was //evil.example/x");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> client.startLogin("https://evil.example/"))
        .withMessage(
            "returnPath must be a local path starting with a single '/', but was https://evil.example/");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/%2F%2Fevil.example/x", "/%252F%252Fevil.example", "/x\\y", "/\\evil.example"})
  void startLogin_encodedOrBackslashedReturnPath_isRejectedByTheOneLocalPathRule(String path) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> client.startLogin(path))
        .withMessage("returnPath must be a local path starting with a single '/', but was " + path);
  }

  @Test
  void loginOptions_reservedParameter_isRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> LoginOptions.none().with("state", "x"))
        .withMessageStartingWith("parameter name must not be one the client sets itself")
        .withMessageEndingWith(", but was state");
  }

  @Test
  void callback_stateMismatch_isRejectedWithoutTokenRequest() throws Exception {
    LoginRedirect login = client.startLogin("/app");
    LoginRedirect other = client.startLogin("/app");

    OidcException e =
        catchThrowableOfType(
            OidcException.class, () -> client.completeLogin(callback(other, CODE), login.pending()));

    assertThat(e.reason()).isEqualTo(OidcException.Reason.STATE_MISMATCH);
    assertThat(e).hasMessage("callback state must equal the pending login's state, but did not");
    assertThat(tokenRequests()).isZero();
  }

  @Test
  void callback_stateMissing_isRejected() throws Exception {
    LoginRedirect login = client.startLogin("/app");

    OidcException e =
        catchThrowableOfType(
            OidcException.class,
            () -> client.completeLogin(URI.create(REDIRECT_URI + "?code=abc"), login.pending()));

    assertThat(e.reason()).isEqualTo(OidcException.Reason.STATE_MISMATCH);
    assertThat(e).hasMessage("callback state must equal the pending login's state, but was missing");
  }

  /**
   * Found by CallbackFuzzTest: a repeated state, code or iss completed the login with the first
   * value, and an empty error was read as none; RFC 6749 §3.1 forbids repeats.
   */
  @Test
  void callback_repeatedParameterOrEmptyError_isRejectedWithoutTokenRequest() throws Exception {
    LoginRedirect login = client.startLogin("/app");
    String state = login.pending().state().value();
    for (Map<String, List<String>> parameters : List.of(
        Map.of("code", List.of(CODE), "state", List.of(state, state)),
        Map.of("code", List.of(CODE, "other"), "state", List.of(state)),
        Map.of("code", List.of(CODE), "state", List.of(state),
            "iss", List.of(provider.issuer(), provider.issuer())),
        Map.of("code", List.of(CODE), "state", List.of(state), "error", List.of("")))) {
      OidcException e = catchThrowableOfType(OidcException.class,
          () -> client.completeLogin(parameters, login.pending()));
      assertThat(e).as("%s", parameters).isNotNull();
      assertThat(e.reason()).isEqualTo(OidcException.Reason.INVALID_RESPONSE);
    }
    OidcException viaUri = catchThrowableOfType(OidcException.class, () -> client.completeLogin(
        URI.create(REDIRECT_URI + "?code=" + CODE + "&state=" + state + "&state=" + state),
        login.pending()));
    assertThat(viaUri).hasMessage(
        "callback must carry state at most once (RFC 6749 §3.1), but had it 2 times");
    assertThat(tokenRequests()).isZero();
  }

  /**
   * Found by CallbackFuzzTest: nimbus refused an empty or blank code or state with an
   * IllegalArgumentException. (A blank {@code iss} counts as absent, as in nimbus.)
   */
  @Test
  void callback_emptyOrBlankParameters_areRejectedAsOidcExceptions() throws Exception {
    LoginRedirect login = client.startLogin("/app");
    String state = login.pending().state().value();
    for (String blank : new String[] {"", " ", "\t"}) {
      for (Map<String, List<String>> parameters : List.of(
          Map.of("code", List.of(blank), "state", List.of(state)),
          Map.of("code", List.of(CODE), "state", List.of(blank)),
          Map.of("code", List.of(CODE), "state", List.of(state), "iss", List.of(blank)))) {
        Throwable e = catchThrowable(() -> client.completeLogin(parameters, login.pending()));
        assertThat(e).as("%s", parameters).isInstanceOf(OidcException.class);
        Throwable viaUri = catchThrowable(() -> client.completeLogin(URI.create(REDIRECT_URI + "?"
            + parameters.entrySet().stream().map(p -> p.getKey() + "="
                + URLEncoder.encode(p.getValue().get(0), StandardCharsets.UTF_8))
                .collect(java.util.stream.Collectors.joining("&"))), login.pending()));
        assertThat(viaUri).as("%s as a URI", parameters).isInstanceOf(OidcException.class);
      }
    }
  }

  @Test
  void callback_codeReplayed_isRejectedBeforeSecondExchange() throws Exception {
    LoginRedirect login = client.startLogin("/app");
    provider.stubToken(tokens(validIdToken(login), ACCESS_TOKEN, REFRESH_TOKEN));
    client.completeLogin(callback(login, CODE), login.pending());

    OidcException e =
        catchThrowableOfType(
            OidcException.class, () -> client.completeLogin(callback(login, CODE), login.pending()));

    assertThat(e.reason()).isEqualTo(OidcException.Reason.CODE_REPLAYED);
    assertThat(e).hasMessage("authorization code must be exchanged once, but was presented again");
    assertThat(tokenRequests()).isEqualTo(1);
  }

  @Test
  void callback_codeReplayedOnAnotherServer_mapsProviderInvalidGrant() throws Exception {
    LoginRedirect login = client.startLogin("/app");
    provider.stubToken(oauthError(400, "invalid_grant"));

    OidcException e =
        catchThrowableOfType(
            OidcException.class, () -> client.completeLogin(callback(login, CODE), login.pending()));

    assertThat(e.reason()).isEqualTo(OidcException.Reason.TOKEN_ERROR);
    assertThat(e.errorCode()).contains("invalid_grant");
    assertThat(e).hasMessage("token endpoint refused the authorization code: invalid_grant (HTTP 400)");
  }

  @ParameterizedTest
  @CsvSource({
    "400, invalid_request",
    "401, invalid_client",
    "400, unauthorized_client",
    "400, unsupported_grant_type",
    "400, invalid_scope"
  })
  void tokenEndpoint_errorBody_isMappedToTokenError(int status, String error) throws Exception {
    LoginRedirect login = client.startLogin("/app");
    provider.stubToken(oauthError(status, error));

    OidcException e =
        catchThrowableOfType(
            OidcException.class, () -> client.completeLogin(callback(login, CODE), login.pending()));

    assertThat(e.reason()).isEqualTo(OidcException.Reason.TOKEN_ERROR);
    assertThat(e.errorCode()).contains(error);
    assertThat(e)
        .hasMessage("token endpoint refused the authorization code: " + error + " (HTTP " + status + ")");
  }

  @Test
  void tokenEndpoint_unreadableBody_isInvalidResponse() throws Exception {
    LoginRedirect login = client.startLogin("/app");
    provider.stubToken(
        com.github.tomakehurst.wiremock.client.WireMock.aResponse()
            .withStatus(200)
            .withHeader("Content-Type", "text/html")
            .withBody("<html>hi</html>"));

    OidcException e =
        catchThrowableOfType(
            OidcException.class, () -> client.completeLogin(callback(login, CODE), login.pending()));

    assertThat(e.reason()).isEqualTo(OidcException.Reason.INVALID_RESPONSE);
    assertThat(e)
        .hasMessage(
            "token endpoint must answer a token or error response, but answered an unreadable HTTP 200");
  }

  @ExpectsWarnings("the token endpoint answers 500")
  @Test
  void tokenEndpoint_serverError_isProviderUnavailable() throws Exception {
    LoginRedirect login = client.startLogin("/app");
    provider.stubToken(serverError());

    OidcException e =
        catchThrowableOfType(
            OidcException.class, () -> client.completeLogin(callback(login, CODE), login.pending()));

    assertThat(e.reason()).isEqualTo(OidcException.Reason.PROVIDER_UNAVAILABLE);
    assertThat(e).hasMessage("token endpoint must answer 200, but answered 500");
  }

  @Test
  void tokenEndpoint_responseWithoutIdToken_isInvalidResponse() throws Exception {
    LoginRedirect login = client.startLogin("/app");
    provider.stubToken(tokens(null, ACCESS_TOKEN, REFRESH_TOKEN));

    OidcException e =
        catchThrowableOfType(
            OidcException.class, () -> client.completeLogin(callback(login, CODE), login.pending()));

    assertThat(e.reason()).isEqualTo(OidcException.Reason.INVALID_RESPONSE);
    assertThat(e).hasMessage("token response must carry an id_token (OIDC Core 3.1.3.3), but had none");
  }

  @Test
  void callback_providerError_isMappedToAuthorizationError() throws Exception {
    LoginRedirect login = client.startLogin("/app");
    URI callback =
        URI.create(
            REDIRECT_URI
                + "?error=access_denied&error_description=no&state="
                + URLEncoder.encode(login.pending().state().value(), StandardCharsets.UTF_8));

    OidcException e =
        catchThrowableOfType(OidcException.class, () -> client.completeLogin(callback, login.pending()));

    assertThat(e.reason()).isEqualTo(OidcException.Reason.AUTHORIZATION_ERROR);
    assertThat(e.errorCode()).contains("access_denied");
    assertThat(e).hasMessage("provider refused the login: access_denied");
    assertThat(tokenRequests()).isZero();
  }

  @Test
  void callback_issAdvertisedButMissing_isRejected() throws Exception {
    provider.stubDiscovery(m -> m.put("authorization_response_iss_parameter_supported", true));
    LoginRedirect login = client.startLogin("/app");

    OidcException e =
        catchThrowableOfType(
            OidcException.class, () -> client.completeLogin(callback(login, CODE), login.pending()));

    assertThat(e.reason()).isEqualTo(OidcException.Reason.ISSUER_MISMATCH);
    assertThat(e)
        .hasMessage("callback must carry iss " + provider.issuer() + " (RFC 9207, advertised), but had none");
  }

  @Test
  void callback_issOfAnotherProvider_isRejected() throws Exception {
    LoginRedirect login = client.startLogin("/app");
    URI callback = URI.create(callback(login, CODE) + "&iss=https%3A%2F%2Fevil.example");

    OidcException e =
        catchThrowableOfType(OidcException.class, () -> client.completeLogin(callback, login.pending()));

    assertThat(e.reason()).isEqualTo(OidcException.Reason.ISSUER_MISMATCH);
    assertThat(e)
        .hasMessage(
            "callback iss must equal " + provider.issuer() + " (RFC 9207), but was https://evil.example");
  }

  @Test
  void callback_issAdvertisedAndCorrect_isAccepted() throws Exception {
    provider.stubDiscovery(m -> m.put("authorization_response_iss_parameter_supported", true));
    LoginRedirect login = client.startLogin("/app");
    provider.stubToken(tokens(validIdToken(login), ACCESS_TOKEN, REFRESH_TOKEN));
    URI callback =
        URI.create(
            callback(login, CODE) + "&iss=" + URLEncoder.encode(provider.issuer(), StandardCharsets.UTF_8));

    TokenSet tokens = client.completeLogin(callback, login.pending());

    assertThat(tokens.subject()).isEqualTo("alice");
  }

  @Test
  void callback_afterPendingLoginMaxAge_isRejected() throws Exception {
    ManualClock clock = new ManualClock(Instant.now());
    try (OidcClient timed =
        OidcClient.create(
            provider.config().clientSecretBasic(CLIENT_SECRET).clock(clock).build())) {
      LoginRedirect login = timed.startLogin("/app");
      clock.advance(OidcClientConfig.DEFAULT_PENDING_LOGIN_MAX_AGE);

      OidcException e =
          catchThrowableOfType(
              OidcException.class, () -> timed.completeLogin(callback(login, CODE), login.pending()));

      assertThat(e.reason()).isEqualTo(OidcException.Reason.LOGIN_EXPIRED);
      assertThat(e).hasMessageStartingWith("login must complete within PT10M of its start");
    }
  }

  @Test
  void callback_oneTickBeforePendingLoginMaxAge_isAccepted() throws Exception {
    ManualClock clock = new ManualClock(Instant.now());
    try (OidcClient timed =
        OidcClient.create(
            provider.config().clientSecretBasic(CLIENT_SECRET).clock(clock).build())) {
      LoginRedirect login = timed.startLogin("/app");
      provider.stubToken(tokens(validIdToken(login), ACCESS_TOKEN, REFRESH_TOKEN));
      clock.advance(OidcClientConfig.DEFAULT_PENDING_LOGIN_MAX_AGE.minusNanos(1));

      TokenSet tokens = timed.completeLogin(callback(login, CODE), login.pending());

      assertThat(tokens.subject()).isEqualTo("alice");
    }
  }

  @Test
  void callback_formPostParameters_completeLogin() throws Exception {
    LoginRedirect login = client.startLogin("/app");
    provider.stubToken(tokens(validIdToken(login), ACCESS_TOKEN, REFRESH_TOKEN));

    TokenSet tokens =
        client.completeLogin(
            Map.of("code", List.of(CODE), "state", List.of(login.pending().state().value())),
            login.pending());

    assertThat(tokens.accessToken().value()).isEqualTo(ACCESS_TOKEN);
    assertThat(tokens.accessTokenExpiresAt()).isPresent();
  }

  @ExpectsWarnings("a discovery document naming another issuer is refused")
  @Test
  void discovery_issuerMismatch_isRejected() {
    provider.stubDiscovery(m -> m.put("issuer", "https://other.example"));

    OidcException e = catchThrowableOfType(OidcException.class, () -> client.startLogin("/app"));

    assertThat(e.reason()).isEqualTo(OidcException.Reason.ISSUER_MISMATCH);
    assertThat(e)
        .hasMessage(
            "discovery document issuer must equal the configured issuer "
                + provider.issuer()
                + ", but was https://other.example");
  }

  @ExpectsWarnings("a discovery document naming another issuer is refused")
  @Test
  void discovery_trailingSlashDifference_isRejected() {
    provider.stubDiscovery(m -> m.put("issuer", provider.issuer() + "/"));

    OidcException e = catchThrowableOfType(OidcException.class, () -> client.providerMetadata());

    assertThat(e.reason()).isEqualTo(OidcException.Reason.ISSUER_MISMATCH);
  }

  @Test
  void discovery_isCachedAndRefetchedOnDemand() throws Exception {
    client.providerMetadata();
    client.startLogin("/a");
    client.startLogin("/b");
    provider.server.verify(
        1,
        com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
            urlPathEqualTo("/.well-known/openid-configuration")));

    client.refreshProviderMetadata();

    provider.server.verify(
        2,
        com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
            urlPathEqualTo("/.well-known/openid-configuration")));
  }

  @Test
  void clientAuth_secretBasic_sendsBasicHeaderAndPkceVerifier() throws Exception {
    LoginRedirect login = client.startLogin("/app");
    provider.stubToken(tokens(validIdToken(login), ACCESS_TOKEN, REFRESH_TOKEN));

    client.completeLogin(callback(login, CODE), login.pending());

    String basic =
        Base64.getEncoder()
            .encodeToString((CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
    provider.server.verify(
        1,
        postRequestedFor(urlPathEqualTo("/token"))
            .withHeader("Authorization", equalTo("Basic " + basic))
            .withRequestBody(containing("grant_type=authorization_code"))
            .withRequestBody(containing("code=" + CODE))
            .withRequestBody(containing("code_verifier=" + login.pending().codeVerifier().value()))
            .withRequestBody(notContaining("client_secret")));
  }

  @Test
  void clientAuth_secretPost_sendsSecretInBody() throws Exception {
    try (OidcClient post =
        OidcClient.create(provider.config().clientSecretPost(CLIENT_SECRET).build())) {
      LoginRedirect login = post.startLogin("/app");
      provider.stubToken(tokens(validIdToken(login), ACCESS_TOKEN, REFRESH_TOKEN));

      post.completeLogin(callback(login, CODE), login.pending());

      provider.server.verify(
          1,
          postRequestedFor(urlPathEqualTo("/token"))
              .withoutHeader("Authorization")
              .withRequestBody(containing("client_id=" + CLIENT_ID))
              .withRequestBody(containing("client_secret=" + CLIENT_SECRET)));
    }
  }

  @Test
  void clientAuth_privateKeyJwt_sendsAssertionSignedWithClientKey() throws Exception {
    ECKey clientKey = new ECKeyGenerator(Curve.P_256).keyID("client-key-1").generate();
    try (OidcClient pkj = OidcClient.create(provider.config().privateKeyJwt(clientKey).build())) {
      LoginRedirect login = pkj.startLogin("/app");
      provider.stubToken(tokens(validIdToken(login), ACCESS_TOKEN, REFRESH_TOKEN));

      pkj.completeLogin(callback(login, CODE), login.pending());

      LoggedRequest request = provider.server.findAll(postRequestedFor(urlPathEqualTo("/token"))).get(0);
      Map<String, String> form = query(URI.create("x:/?" + request.getBodyAsString()));
      assertThat(form)
          .containsEntry(
              "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
      SignedJWT assertion = SignedJWT.parse(form.get("client_assertion"));
      assertThat(assertion.verify(new ECDSAVerifier(clientKey.toPublicJWK()))).isTrue();
      assertThat(assertion.getHeader().getKeyID()).isEqualTo("client-key-1");
      assertThat(assertion.getJWTClaimsSet().getIssuer()).isEqualTo(CLIENT_ID);
      assertThat(assertion.getJWTClaimsSet().getSubject()).isEqualTo(CLIENT_ID);
      assertThat(assertion.getJWTClaimsSet().getAudience()).containsExactly(provider.issuer() + "/token");
      assertThat(request.containsHeader("Authorization")).isFalse();
    }
  }

  @Test
  void clientAuth_publicClient_sendsClientIdAndVerifierOnly() throws Exception {
    try (OidcClient pub = OidcClient.create(provider.config().publicClient().build())) {
      LoginRedirect login = pub.startLogin("/app");
      provider.stubToken(tokens(validIdToken(login), ACCESS_TOKEN, REFRESH_TOKEN));

      pub.completeLogin(callback(login, CODE), login.pending());

      provider.server.verify(
          1,
          postRequestedFor(urlPathEqualTo("/token"))
              .withoutHeader("Authorization")
              .withRequestBody(containing("client_id=" + CLIENT_ID))
              .withRequestBody(containing("code_verifier="))
              .withRequestBody(notContaining("client_secret"))
              .withRequestBody(notContaining("client_assertion")));
    }
  }

  @Test
  void pendingLogin_encodeThenDecode_roundTrips() throws Exception {
    PendingLogin pending = client.startLogin("/app?x=1").pending();

    PendingLogin decoded = PendingLogin.decode(pending.encode());

    assertThat(decoded.state()).isEqualTo(pending.state());
    assertThat(decoded.nonce()).isEqualTo(pending.nonce());
    assertThat(decoded.codeVerifier()).isEqualTo(pending.codeVerifier());
    assertThat(decoded.returnPath()).isEqualTo("/app?x=1");
    assertThat(decoded.createdAt()).isEqualTo(pending.createdAt().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
  }

  @Test
  void pendingLogin_decodeGarbage_isIllegalArgumentWithoutInput() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> PendingLogin.decode("{\"v\":1,\"s\":\"secret-state\"}"))
        .withMessage(
            "pending login must be a document written by encode(), but could not be read");
  }
}
