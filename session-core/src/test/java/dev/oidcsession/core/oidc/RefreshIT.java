package dev.oidcsession.core.oidc;

import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.ManualClock;
import java.time.Instant;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.oidcsession.core.oidc.FakeProvider.RSA_1;
import static dev.oidcsession.core.oidc.FakeProvider.oauthError;
import static dev.oidcsession.core.oidc.FakeProvider.sign;
import static dev.oidcsession.core.oidc.FakeProvider.tokens;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.http.Fault;
import dev.oidcsession.core.TokenRenewalException;
import dev.oidcsession.core.TokenSet;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The refresh-token grant as the session manager's {@code TokenRenewer} (OIDC Core 12.2). */
class RefreshIT extends FakeProviderTestBase {

  final ManualClock clock = new ManualClock(Instant.now());
  TokenSet current;

  @Override
  OidcClientConfig.Builder clientConfig() {
    return super.clientConfig().clock(clock);
  }

  @BeforeEach
  void setUp() throws Exception {
    current = provider.login(client, nonce -> sign(provider.idClaims(nonce).build(), RSA_1));
    provider.server.resetRequests();
  }

  private String refreshedIdToken(String subject) {
    return sign(provider.idClaims(null).subject(subject).build(), RSA_1);
  }

  private TokenRenewalException renewalFailure() {
    return catchThrowableOfType(TokenRenewalException.class, () -> client.renew(current));
  }

  @Test
  void refresh_sendsRefreshTokenGrant() throws Exception {
    provider.stubToken(tokens(null, "at-2", null));

    client.renew(current);

    provider.server.verify(
        1,
        postRequestedFor(urlPathEqualTo("/token"))
            .withRequestBody(containing("grant_type=refresh_token"))
            .withRequestBody(containing("refresh_token=" + FakeProvider.REFRESH_TOKEN)));
  }

  @Test
  void refresh_rotatedRefreshToken_replacesOldOne() throws Exception {
    provider.stubToken(tokens(refreshedIdToken("alice"), "at-2", "rt-2"));

    TokenSet renewed = client.renew(current);

    assertThat(renewed.refreshToken().orElseThrow().value()).isEqualTo("rt-2");
    assertThat(renewed.accessToken().value()).isEqualTo("at-2");
  }

  @Test
  void refresh_withoutRefreshToken_keepsOldOne() throws Exception {
    provider.stubToken(tokens(refreshedIdToken("alice"), "at-2", null));

    TokenSet renewed = client.renew(current);

    assertThat(renewed.refreshToken()).isEqualTo(current.refreshToken());
  }

  @Test
  void refresh_withoutIdToken_keepsOldIdToken() throws Exception {
    provider.stubToken(tokens(null, "at-2", "rt-2"));

    TokenSet renewed = client.renew(current);

    assertThat(renewed.idToken()).isEqualTo(current.idToken());
    assertThat(renewed.idToken().expiresAt()).isEqualTo(current.idToken().expiresAt());
  }

  @Test
  void refresh_newIdTokenOfSameIdentityWithoutNonce_replacesIdToken() throws Exception {
    String idToken = refreshedIdToken("alice");
    provider.stubToken(tokens(idToken, "at-2", "rt-2"));

    TokenSet renewed = client.renew(current);

    assertThat(renewed.idToken().raw().value()).isEqualTo(idToken);
  }

  @Test
  void refresh_expiresIn_isCountedFromTheClientClock() throws Exception {
    provider.stubToken(tokens(null, "at-2", null));
    clock.advance(Duration.ofMinutes(7));

    TokenSet renewed = client.renew(current);

    assertThat(renewed.accessTokenExpiresAt()).contains(clock.instant().plusSeconds(300));
  }

  /** Review #18: aud is a set; a provider may list the audiences in another order on refresh. */
  @Test
  void refresh_idTokenWithTheSameAudiencesInAnotherOrder_isAccepted() throws Exception {
    current = provider.login(client, nonce -> sign(provider.idClaims(nonce)
        .audience(List.of(FakeProvider.CLIENT_ID, "api")).claim("azp", FakeProvider.CLIENT_ID)
        .build(), RSA_1));
    String reordered = sign(provider.idClaims(null).audience(List.of("api", FakeProvider.CLIENT_ID))
        .claim("azp", FakeProvider.CLIENT_ID).build(), RSA_1);
    provider.stubToken(tokens(reordered, "at-2", "rt-2"));

    TokenSet renewed = client.renew(current);

    assertThat(renewed.idToken().raw().value()).isEqualTo(reordered);
  }

  @Test
  void refresh_idTokenWithAnotherAudienceSet_isTerminal() {
    String widened = sign(provider.idClaims(null).audience(List.of(FakeProvider.CLIENT_ID, "api"))
        .claim("azp", FakeProvider.CLIENT_ID).build(), RSA_1);
    provider.stubToken(tokens(widened, "at-2", "rt-2"));

    TokenRenewalException e = renewalFailure();

    assertThat(e.kind()).isEqualTo(TokenRenewalException.Kind.TERMINAL);
    assertThat(e).hasMessage(
        "refreshed ID token must keep iss, sub and aud (OIDC Core 12.2), but aud changed");
  }

  @Test
  void refresh_idTokenOfDifferentSubject_isTerminal() {
    provider.stubToken(tokens(refreshedIdToken("mallory"), "at-2", "rt-2"));

    TokenRenewalException e = renewalFailure();

    assertThat(e.kind()).isEqualTo(TokenRenewalException.Kind.TERMINAL);
    assertThat(e)
        .hasMessage("refreshed ID token must keep iss, sub and aud (OIDC Core 12.2), but sub changed");
  }

  @Test
  void refresh_idTokenWithBadSignature_isTerminal() {
    String good = refreshedIdToken("alice");
    provider.stubToken(
        tokens(FakeProvider.withBadSignature(good, refreshedIdToken("bob")), "at-2", "rt-2"));

    TokenRenewalException e = renewalFailure();

    assertThat(e.kind()).isEqualTo(TokenRenewalException.Kind.TERMINAL);
    assertThat(e).hasMessage("refreshed ID token rejected: Signed JWT rejected: Invalid signature");
  }

  @Test
  void refresh_idTokenOfUnknownKidWhileRefetchRateLimited_isTransient() {
    // The login fetched the keys once; the first unknown kid uses the window's one refetch.
    provider.stubToken(
        tokens(sign(provider.idClaims(null).build(), FakeProvider.RSA_2), "at-2", "rt-2"));
    TokenRenewalException first = renewalFailure();
    TokenRenewalException second = renewalFailure();

    assertThat(first.kind()).isEqualTo(TokenRenewalException.Kind.TERMINAL);
    assertThat(first)
        .hasMessage(
            "refreshed ID token rejected: Signed JWT rejected: Another algorithm expected, or no"
                + " matching key(s) found");
    assertThat(second.kind()).isEqualTo(TokenRenewalException.Kind.TRANSIENT);
    assertThat(second)
        .hasMessage(
            "ID token rejected: no provider key matches its kid, and the key set was refetched less"
                + " than PT30S ago");
  }

  @ParameterizedTest
  @ValueSource(strings = {"invalid_grant", "unsupported_grant_type"})
  void refresh_deadGrantError_isTerminal(String error) {
    provider.stubToken(oauthError(400, error));

    TokenRenewalException e = renewalFailure();

    assertThat(e.kind()).isEqualTo(TokenRenewalException.Kind.TERMINAL);
    assertThat(e).hasMessage("refresh rejected by the provider: " + error);
    assertThat(e.retryAfter()).isEmpty();
    assertThat(e.errorCode()).contains(error);
    assertThat(e.isCredentialsRefused()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"invalid_client", "unauthorized_client"})
  void refresh_clientCredentialsRefused_isTransientAndSaysSo(String error) {
    provider.stubToken(oauthError(error.equals("invalid_client") ? 401 : 400, error));

    TokenRenewalException e = renewalFailure();

    // A client-secret rotation half done must not end every session renewing meanwhile.
    assertThat(e.kind()).isEqualTo(TokenRenewalException.Kind.TRANSIENT);
    assertThat(e.isCredentialsRefused()).isTrue();
    assertThat(e).hasMessage("the provider refused this client's credentials: " + error);
    assertThat(e.errorCode()).contains(error);
  }

  @Test
  void refresh_otherErrorCode_isTransient() {
    provider.stubToken(oauthError(400, "invalid_request"));

    TokenRenewalException e = renewalFailure();

    assertThat(e.kind()).isEqualTo(TokenRenewalException.Kind.TRANSIENT);
    assertThat(e).hasMessage("token endpoint refused the refresh token: invalid_request (HTTP 400)");
  }

  @ExpectsWarnings("the token endpoint fails transiently")
  @Test
  void refresh_429WithRetryAfterSeconds_isTransientWithThatDelay() {
    provider.stubToken(oauthError(429, "slow_down").withHeader("Retry-After", "120"));

    TokenRenewalException e = renewalFailure();

    assertThat(e.kind()).isEqualTo(TokenRenewalException.Kind.TRANSIENT);
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(120));
    assertThat(e).hasMessage("token endpoint answered HTTP 429 to the refresh");
    assertThat(e.mayHaveBeenProcessed()).as("refused by a rate limit, not processed").isFalse();
  }

  @ExpectsWarnings("the token endpoint fails transiently")
  @Test
  void refresh_503WithRetryAfterDate_isTransientWithDelayUntilThatDate() {
    String date =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            clock.instant().plusSeconds(90).atZone(ZoneOffset.UTC).withNano(0));
    clock.advance(Duration.ofNanos(-clock.instant().getNano()));
    provider.stubToken(aResponse().withStatus(503).withHeader("Retry-After", date));

    TokenRenewalException e = renewalFailure();

    assertThat(e.kind()).isEqualTo(TokenRenewalException.Kind.TRANSIENT);
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(90));
    assertThat(e.mayHaveBeenProcessed()).isTrue();
  }

  @ExpectsWarnings("the token endpoint fails transiently")
  @Test
  void refresh_500WithoutRetryAfter_isTransientWithoutDelay() {
    provider.stubToken(aResponse().withStatus(500));

    TokenRenewalException e = renewalFailure();

    assertThat(e.kind()).isEqualTo(TokenRenewalException.Kind.TRANSIENT);
    assertThat(e.retryAfter()).isEmpty();
    assertThat(e).hasMessage("token endpoint answered HTTP 500 to the refresh");
    assertThat(e.mayHaveBeenProcessed()).isTrue();
  }

  @ExpectsWarnings("the token endpoint fails transiently")
  @Test
  void refresh_connectionReset_isTransient() {
    provider.stubToken(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));

    TokenRenewalException e = renewalFailure();

    assertThat(e.kind()).isEqualTo(TokenRenewalException.Kind.TRANSIENT);
    assertThat(e).hasMessageStartingWith("token endpoint could not be reached: ");
    assertThat(e.mayHaveBeenProcessed()).as("the request was sent before the reset").isTrue();
  }

  @ExpectsWarnings("the token endpoint fails transiently")
  @Test
  void refresh_readTimeout_isTransient() throws Exception {
    try (OidcClient impatient =
        OidcClient.create(
            provider.config().clientSecretBasic(FakeProvider.CLIENT_SECRET).build(),
            OidcClient.defaultHttpClient().newBuilder().readTimeout(100, TimeUnit.MILLISECONDS).build())) {
      provider.stubToken(tokens(null, "at-2", null).withFixedDelay(1_000));

      TokenRenewalException e =
          catchThrowableOfType(TokenRenewalException.class, () -> impatient.renew(current));

      assertThat(e.kind()).isEqualTo(TokenRenewalException.Kind.TRANSIENT);
      assertThat(e).hasMessage("token endpoint could not be reached: SocketTimeoutException");
      assertThat(e.mayHaveBeenProcessed()).isTrue();
    }
  }

  @Test
  void refresh_unreadableSuccessBody_isTransient() {
    provider.stubToken(aResponse().withStatus(200).withBody("not json"));

    TokenRenewalException e = renewalFailure();

    assertThat(e.kind()).isEqualTo(TokenRenewalException.Kind.TRANSIENT);
  }
}
