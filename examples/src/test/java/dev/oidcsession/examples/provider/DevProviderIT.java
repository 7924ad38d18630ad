package dev.oidcsession.examples.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.util.URLUtils;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.ManualClock;
import dev.oidcsession.core.NoSecretsInLogs;
import dev.oidcsession.core.TokenRenewalException;
import dev.oidcsession.core.TokenSet;
import dev.oidcsession.core.oidc.LoginRedirect;
import dev.oidcsession.core.oidc.LogoutNotice;
import dev.oidcsession.core.oidc.LogoutRedirect;
import dev.oidcsession.core.oidc.OidcClient;
import dev.oidcsession.core.oidc.OidcClientConfig;
import dev.oidcsession.core.oidc.OidcException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The development provider over HTTP, driven by the library's own relying party ({@link
 * OidcClient}) and a form-submitting {@link LoginBrowser}. One provider for the class; its clock is
 * reset to the wall time (whole seconds) before each test, so expiries are asserted exactly.
 */
@ExpectsWarnings(value = "the example runs the development provider over plain http on loopback",
    everyTest = true, matching = {"DevProvider is a development OpenID provider",
        "BASE_URL is http", "uses plain http"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(NoSecretsInLogs.class)
class DevProviderIT {

  static final String CLIENT_ID = "example-app";
  static final String CLIENT_SECRET = "example-secret-" + Long.toHexString(System.nanoTime());
  static final URI REDIRECT = URI.create("http://localhost:8080/oidc/callback");
  static final URI POST_LOGOUT = URI.create("http://localhost:8080/");

  private final ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  private final LoginBrowser browser = new LoginBrowser();
  private BackChannelReceiver receiver;
  private DevProvider provider;
  private OidcClient client;

  @BeforeAll
  void start() throws Exception {
    receiver = new BackChannelReceiver();
    provider =
        DevProvider.builder()
            .client(CLIENT_ID, CLIENT_SECRET, REDIRECT)
            .postLogoutRedirectUri(POST_LOGOUT)
            .backChannelLogoutUri(receiver.uri())
            .clock(clock)
            .build();
    provider.start();
    client = client(CLIENT_SECRET, REDIRECT, POST_LOGOUT);
  }

  @AfterAll
  void stop() {
    client.close();
    provider.close();
    receiver.close();
  }

  @BeforeEach
  void reset() {
    clock.set(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    provider.setAccessTokenLifetime(DevProvider.DEFAULT_ACCESS_TOKEN_LIFETIME);
    provider.setIdTokenLifetime(DevProvider.DEFAULT_ID_TOKEN_LIFETIME);
    provider.resetCounts();
    receiver.clear();
    NoSecretsInLogs.forbid(CLIENT_SECRET);
  }

  private OidcClient client(String secret, URI redirect, URI postLogout) {
    return OidcClient.create(
        OidcClientConfig.builder()
            .issuer(provider.issuer())
            .clientId(CLIENT_ID)
            .clientSecretBasic(secret)
            .redirectUri(redirect)
            .postLogoutRedirectUri(postLogout)
            .build());
  }

  private TokenSet login(OidcClient rp, String username) throws Exception {
    LoginRedirect start = rp.startLogin("/app");
    URI callback = browser.login(start.authorizationUri(), username);
    return rp.completeLogin(callback, start.pending());
  }

  private static Map<String, List<String>> query(URI uri) {
    return URLUtils.parseParameters(uri.getRawQuery());
  }

  // ---------------------------------------------------------------- discovery and login

  @Test
  void discovery_advertisesEveryEndpointAndCapability() throws Exception {
    OIDCProviderMetadata metadata = client.providerMetadata();

    assertThat(metadata.getIssuer().getValue()).isEqualTo(provider.issuer()).doesNotEndWith("/");
    assertThat(metadata.getAuthorizationEndpointURI()).hasToString(provider.issuer() + "/authorize");
    assertThat(metadata.getTokenEndpointURI()).hasToString(provider.issuer() + "/token");
    assertThat(metadata.getJWKSetURI()).hasToString(provider.issuer() + "/jwks");
    assertThat(metadata.getRevocationEndpointURI()).hasToString(provider.issuer() + "/revoke");
    assertThat(metadata.getEndSessionEndpointURI()).hasToString(provider.issuer() + "/logout");
    assertThat(metadata.supportsBackChannelLogout()).isTrue();
    assertThat(metadata.supportsBackChannelLogoutSession()).isTrue();
    assertThat(metadata.supportsAuthorizationResponseIssuerParam()).isTrue();
    assertThat(metadata.getCodeChallengeMethods()).extracting(Object::toString).containsExactly("S256");
    assertThat(metadata.getIDTokenJWSAlgs()).extracting(Object::toString).containsExactly("RS256");
    assertThat(metadata.getTokenEndpointAuthMethods()).extracting(Object::toString)
        .containsExactly("client_secret_basic", "client_secret_post");
    assertThat(metadata.getResponseTypes()).containsExactly(ResponseType.CODE);
    assertThat(metadata.getScopes().toStringList()).contains("openid", "profile", "email", "offline_access");
    assertThat(metadata.getGrantTypes()).extracting(Object::toString)
        .containsExactly("authorization_code", "refresh_token");

    HttpResponse<String> jwks = browser.get(metadata.getJWKSetURI());
    assertThat(jwks.statusCode()).isEqualTo(200);
    assertThat(com.nimbusds.jose.jwk.JWKSet.parse(jwks.body()).getKeys())
        .singleElement()
        .satisfies(k -> {
          assertThat(k.getKeyID()).isNotBlank();
          assertThat(k.isPrivate()).isFalse();
          assertThat(k.toRSAKey().size()).isEqualTo(2048);
        });
  }

  @Test
  void login_anyUsername_yieldsValidatedTokensWithSidAndClockBasedExpiries() throws Exception {
    Instant now = clock.instant();

    TokenSet tokens = login(client, "alice");

    assertThat(tokens.subject()).isEqualTo("alice");
    assertThat(tokens.issuer()).isEqualTo(provider.issuer());
    assertThat(tokens.idToken().audience()).containsExactly(CLIENT_ID);
    assertThat(tokens.idToken().sid()).isPresent();
    assertThat(tokens.idToken().claims()).containsEntry("preferred_username", "alice");
    assertThat(tokens.idToken().expiresAt()).isEqualTo(now.plus(DevProvider.DEFAULT_ID_TOKEN_LIFETIME));
    assertThat(tokens.accessTokenExpiresAt()).contains(now.plus(DevProvider.DEFAULT_ACCESS_TOKEN_LIFETIME));
    assertThat(tokens.refreshToken()).isPresent();
    assertThat(tokens.scope()).contains("openid");
    SignedJWT accessToken = SignedJWT.parse(tokens.accessToken().value());
    assertThat(accessToken.getHeader().getType()).isEqualTo(TokenSigner.ACCESS_TOKEN_TYPE);
    assertThat(accessToken.getJWTClaimsSet().getSubject()).isEqualTo("alice");
  }

  @Test
  void authorizationResponse_carriesCodeStateAndIssuer() throws Exception {
    LoginRedirect start = client.startLogin("/");

    URI callback = browser.login(start.authorizationUri(), "bob");

    assertThat(callback.getScheme() + "://" + callback.getAuthority() + callback.getPath())
        .isEqualTo(REDIRECT.toString());
    Map<String, List<String>> params = query(callback);
    assertThat(params.get("code")).singleElement().asString().isNotBlank();
    assertThat(params.get("state")).containsExactly(start.pending().state().value());
    assertThat(params.get("iss")).containsExactly(provider.issuer());
  }

  @Test
  void lifetimes_changedAtRunTime_boundTheNextTokens() throws Exception {
    provider.setAccessTokenLifetime(Duration.ofSeconds(30));
    provider.setIdTokenLifetime(Duration.ofSeconds(90));
    Instant now = clock.instant();

    TokenSet tokens = login(client, "dana");

    assertThat(tokens.accessTokenExpiresAt()).contains(now.plusSeconds(30));
    assertThat(tokens.idToken().expiresAt()).isEqualTo(now.plusSeconds(90));

    clock.advance(Duration.ofSeconds(10));
    provider.setAccessTokenLifetime(Duration.ofSeconds(200));
    TokenSet renewed = client.renew(tokens);
    assertThat(renewed.accessTokenExpiresAt()).contains(now.plusSeconds(210));
    assertThat(renewed.idToken().expiresAt()).isEqualTo(now.plusSeconds(100));
  }

  // ---------------------------------------------------------------- refresh

  @Test
  void refresh_rotatesTheRefreshToken_andTheOldOneIsTerminal() throws Exception {
    TokenSet tokens = login(client, "erin");

    TokenSet renewed = client.renew(tokens);

    assertThat(renewed.refreshToken()).isPresent().isNotEqualTo(tokens.refreshToken());
    assertThat(renewed.accessToken()).isNotEqualTo(tokens.accessToken());
    assertThat(renewed.idToken().sameIdentityAs(tokens.idToken())).isTrue();
    assertThat(renewed.idToken().sid()).isEqualTo(tokens.idToken().sid());
    assertThat(renewed.idToken().claims()).doesNotContainKey("nonce");
    assertThatThrownBy(() -> client.renew(tokens))
        .isInstanceOfSatisfying(TokenRenewalException.class,
            e -> assertThat(e.kind()).isEqualTo(TokenRenewalException.Kind.TERMINAL))
        .hasMessage("refresh rejected by the provider: invalid_grant");
    assertThat(client.renew(renewed).refreshToken()).isPresent();
    assertThat(provider.refreshGrants()).isEqualTo(3);
    assertThat(provider.rejectedRefreshGrants()).isEqualTo(1);
  }

  @Test
  void refresh_sameTokenPresentedConcurrently_succeedsExactlyOnce() throws Exception {
    TokenSet tokens = login(client, "frank");
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Boolean>> results = new ArrayList<>();
    try {
      for (int i = 0; i < threads; i++) {
        Callable<Boolean> attempt = () -> {
          ready.countDown();
          go.await();
          try {
            client.renew(tokens);
            return true;
          } catch (TokenRenewalException e) {
            assertThat(e.kind()).isEqualTo(TokenRenewalException.Kind.TERMINAL);
            return false;
          }
        };
        results.add(pool.submit(attempt));
      }
      assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
      go.countDown();
      int successes = 0;
      for (Future<Boolean> result : results) {
        successes += result.get(20, TimeUnit.SECONDS) ? 1 : 0;
      }
      assertThat(successes).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
    assertThat(provider.refreshGrants()).isEqualTo(threads);
    assertThat(provider.rejectedRefreshGrants()).isEqualTo(threads - 1);
  }

  @Test
  void refresh_differentTokensConcurrently_allSucceed() throws Exception {
    int sessions = 8;
    List<TokenSet> logins = new ArrayList<>();
    for (int i = 0; i < sessions; i++) {
      logins.add(login(client, "user" + i));
    }
    ExecutorService pool = Executors.newFixedThreadPool(sessions);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<TokenSet>> results = new ArrayList<>();
    try {
      for (TokenSet tokens : logins) {
        results.add(pool.submit(() -> {
          go.await();
          return client.renew(tokens);
        }));
      }
      go.countDown();
      for (int i = 0; i < sessions; i++) {
        assertThat(results.get(i).get(20, TimeUnit.SECONDS).subject()).isEqualTo("user" + i);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(provider.refreshGrants()).isEqualTo(sessions);
    assertThat(provider.rejectedRefreshGrants()).isZero();
  }

  @Test
  void refresh_atRefreshTokenExpiry_isTerminal_oneSecondBefore_succeeds() throws Exception {
    TokenSet first = login(client, "gina");
    TokenSet second = login(client, "gina");

    clock.advance(DevProvider.DEFAULT_REFRESH_TOKEN_LIFETIME.minusSeconds(1));
    assertThat(client.renew(first).refreshToken()).isPresent();

    clock.advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> client.renew(second))
        .isInstanceOfSatisfying(TokenRenewalException.class,
            e -> assertThat(e.kind()).isEqualTo(TokenRenewalException.Kind.TERMINAL));
  }

  @ExpectsWarnings("a wrong client secret is refused")
  @Test
  void refresh_withWrongClientSecret_isTransientCredentialsRefused_andDoesNotSpendTheToken()
      throws Exception {
    TokenSet tokens = login(client, "hank");
    try (OidcClient wrong = client("not-the-secret", REDIRECT, POST_LOGOUT)) {
      assertThatThrownBy(() -> wrong.renew(tokens))
          .isInstanceOfSatisfying(TokenRenewalException.class, e -> {
            assertThat(e.kind()).isEqualTo(TokenRenewalException.Kind.TRANSIENT);
            assertThat(e.isCredentialsRefused()).isTrue();
          })
          .hasMessage("the provider refused this client's credentials: invalid_client");
    }
    assertThat(client.renew(tokens).refreshToken()).isPresent();
  }

  // ---------------------------------------------------------------- code exchange

  @ExpectsWarnings("a wrong client secret is refused")
  @Test
  void codeExchange_wrongClientSecret_isInvalidClient() throws Exception {
    try (OidcClient wrong = client("not-the-secret", REDIRECT, POST_LOGOUT)) {
      LoginRedirect start = wrong.startLogin("/");
      URI callback = browser.login(start.authorizationUri(), "ivy");

      assertThatThrownBy(() -> wrong.completeLogin(callback, start.pending()))
          .isInstanceOfSatisfying(OidcException.class, e -> {
            assertThat(e.reason()).isEqualTo(OidcException.Reason.TOKEN_ERROR);
            assertThat(e.errorCode()).contains("invalid_client");
          });
    }
  }

  @Test
  void codeExchange_wrongPkceVerifier_isInvalidGrant_andSpendsTheCode() throws Exception {
    LoginRedirect start = client.startLogin("/");
    AuthorizationCode code =
        new AuthorizationCode(query(browser.login(start.authorizationUri(), "jack")).get("code").get(0));

    HTTPResponse wrong = exchange(code, new CodeVerifier("w".repeat(43)));
    HTTPResponse right = exchange(code, new CodeVerifier(start.pending().codeVerifier().value()));

    assertThat(wrong.getStatusCode()).isEqualTo(400);
    assertThat(TokenErrorResponse.parse(wrong).getErrorObject().getCode()).isEqualTo("invalid_grant");
    assertThat(right.getStatusCode()).isEqualTo(400);
    assertThat(TokenErrorResponse.parse(right).getErrorObject().getCode()).isEqualTo("invalid_grant");
  }

  @Test
  void codeExchange_secondUse_isInvalidGrant() throws Exception {
    LoginRedirect start = client.startLogin("/");
    AuthorizationCode code =
        new AuthorizationCode(query(browser.login(start.authorizationUri(), "kim")).get("code").get(0));
    CodeVerifier verifier = new CodeVerifier(start.pending().codeVerifier().value());

    HTTPResponse first = exchange(code, verifier);
    HTTPResponse second = exchange(code, verifier);

    assertThat(first.getStatusCode()).isEqualTo(200);
    assertThat(first.getHeaderValue("Cache-Control")).isEqualTo("no-store");
    assertThat(second.getStatusCode()).isEqualTo(400);
    assertThat(TokenErrorResponse.parse(second).getErrorObject().getCode()).isEqualTo("invalid_grant");
  }

  @Test
  void codeExchange_atCodeExpiry_isInvalidGrant_oneSecondBefore_succeeds() throws Exception {
    LoginRedirect early = client.startLogin("/");
    LoginRedirect late = client.startLogin("/");
    AuthorizationCode earlyCode =
        new AuthorizationCode(query(browser.login(early.authorizationUri(), "lou")).get("code").get(0));
    AuthorizationCode lateCode =
        new AuthorizationCode(query(browser.login(late.authorizationUri(), "lou")).get("code").get(0));

    clock.advance(ProviderCore.CODE_LIFETIME.minusSeconds(1));
    HTTPResponse before = exchange(earlyCode, new CodeVerifier(early.pending().codeVerifier().value()));
    clock.advance(Duration.ofSeconds(1));
    HTTPResponse at = exchange(lateCode, new CodeVerifier(late.pending().codeVerifier().value()));

    assertThat(before.getStatusCode()).isEqualTo(200);
    assertThat(at.getStatusCode()).isEqualTo(400);
    assertThat(TokenErrorResponse.parse(at).getErrorObject().getCode()).isEqualTo("invalid_grant");
  }

  @Test
  void codeExchange_clientSecretPost_isAccepted() throws Exception {
    LoginRedirect start = client.startLogin("/");
    AuthorizationCode code =
        new AuthorizationCode(query(browser.login(start.authorizationUri(), "kai")).get("code").get(0));

    HTTPResponse response =
        new TokenRequest.Builder(
                URI.create(provider.issuer() + "/token"),
                new ClientSecretPost(new ClientID(CLIENT_ID), new Secret(CLIENT_SECRET)),
                new AuthorizationCodeGrant(code, REDIRECT, new CodeVerifier(start.pending().codeVerifier().value())))
            .build()
            .toHTTPRequest()
            .send();

    assertThat(response.getStatusCode()).isEqualTo(200);
    assertThat(OIDCTokenResponse.parse(response).getOIDCTokens().getRefreshToken()).isNotNull();
  }

  @Test
  void tokenEndpoint_wrongSecretOverBasic_is401WithBasicChallenge() throws Exception {
    HTTPResponse response =
        new TokenRequest.Builder(
                URI.create(provider.issuer() + "/token"),
                new ClientSecretBasic(new ClientID(CLIENT_ID), new Secret("not-the-secret")),
                new AuthorizationCodeGrant(new AuthorizationCode("unknown"), REDIRECT, new CodeVerifier("v".repeat(43))))
            .build()
            .toHTTPRequest()
            .send();

    assertThat(response.getStatusCode()).isEqualTo(401);
    assertThat(response.getHeaderValue("WWW-Authenticate")).startsWith("Basic");
    assertThat(TokenErrorResponse.parse(response).getErrorObject().getCode()).isEqualTo("invalid_client");
  }

  private HTTPResponse exchange(AuthorizationCode code, CodeVerifier verifier) throws Exception {
    return new TokenRequest.Builder(
            URI.create(provider.issuer() + "/token"),
            new ClientSecretBasic(new ClientID(CLIENT_ID), new Secret(CLIENT_SECRET)),
            new AuthorizationCodeGrant(code, REDIRECT, verifier))
        .build()
        .toHTTPRequest()
        .send();
  }

  // ---------------------------------------------------------------- authorization endpoint

  @Test
  void authorize_unregisteredRedirectUri_isRefusedWithoutRedirect() throws Exception {
    try (OidcClient elsewhere = client(CLIENT_SECRET, URI.create("http://localhost:9999/evil"), POST_LOGOUT)) {
      HttpResponse<String> response = browser.get(elsewhere.startLogin("/").authorizationUri());

      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(response.headers().firstValue("Location")).isEmpty();
      assertThat(response.body()).contains("redirect_uri is not registered");
    }
  }

  @Test
  void authorize_unknownClient_isRefusedWithoutRedirect() throws Exception {
    URI uri = authorizationRequest(new AuthenticationRequest.Builder(
            ResponseType.CODE, new Scope("openid"), new ClientID("someone-else"), REDIRECT)
        .state(new State())
        .codeChallenge(new CodeVerifier(), com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod.S256));

    HttpResponse<String> response = browser.get(uri);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("Location")).isEmpty();
  }

  @Test
  void authorize_withoutPkce_redirectsWithInvalidRequestStateAndIss() throws Exception {
    State state = new State();
    URI uri = authorizationRequest(new AuthenticationRequest.Builder(
            ResponseType.CODE, new Scope("openid"), new ClientID(CLIENT_ID), REDIRECT)
        .state(state)
        .nonce(new Nonce()));

    HttpResponse<String> response = browser.get(uri);

    assertThat(response.statusCode()).isEqualTo(302);
    URI location = URI.create(response.headers().firstValue("Location").orElseThrow());
    assertThat(location.toString()).startsWith(REDIRECT + "?");
    assertThat(query(location))
        .containsEntry("error", List.of("invalid_request"))
        .containsEntry("state", List.of(state.getValue()))
        .containsEntry("iss", List.of(provider.issuer()));
  }

  @Test
  void authorize_promptNone_redirectsWithLoginRequired() throws Exception {
    URI uri = authorizationRequest(new AuthenticationRequest.Builder(
            ResponseType.CODE, new Scope("openid"), new ClientID(CLIENT_ID), REDIRECT)
        .state(new State())
        .prompt(new com.nimbusds.openid.connect.sdk.Prompt(com.nimbusds.openid.connect.sdk.Prompt.Type.NONE))
        .codeChallenge(new CodeVerifier(), com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod.S256));

    HttpResponse<String> response = browser.get(uri);

    assertThat(response.statusCode()).isEqualTo(302);
    assertThat(query(URI.create(response.headers().firstValue("Location").orElseThrow())))
        .containsEntry("error", List.of("login_required"));
  }

  @Test
  void loginForm_escapesEveryEchoedValue() throws Exception {
    State state = new State("\"><script>alert(1)</script>&'");
    URI uri = authorizationRequest(new AuthenticationRequest.Builder(
            ResponseType.CODE, new Scope("openid"), new ClientID(CLIENT_ID), REDIRECT)
        .state(state)
        .codeChallenge(new CodeVerifier(), com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod.S256));

    HttpResponse<String> form = browser.get(uri);

    assertThat(form.statusCode()).isEqualTo(200);
    assertThat(form.body()).doesNotContain("<script>").contains("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;&#39;");
    assertThat(LoginBrowser.hiddenFields(form.body()))
        .anySatisfy(f -> assertThat(f).containsExactly("state", state.getValue()));
    assertThat(form.headers().firstValue("Cache-Control")).contains("no-store");
  }

  @Test
  void loginForm_blankUsername_showsTheFormAgain() throws Exception {
    LoginRedirect start = client.startLogin("/");
    HttpResponse<String> form = browser.get(start.authorizationUri());
    List<String[]> fields = LoginBrowser.hiddenFields(form.body());
    fields.add(new String[] {"username", "   "});

    HttpResponse<String> again = browser.postForm(URI.create(provider.issuer() + "/authorize"), fields);

    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.body()).contains("Enter a username");
  }

  private URI authorizationRequest(AuthenticationRequest.Builder request) {
    return request.endpointURI(URI.create(provider.issuer() + "/authorize")).build().toURI();
  }

  // ---------------------------------------------------------------- revocation

  @Test
  void revoke_refreshToken_endsItsUse() throws Exception {
    TokenSet tokens = login(client, "mia");

    assertThat(client.revoke(tokens)).isTrue();

    assertThat(provider.revocations()).isEqualTo(1);
    assertThatThrownBy(() -> client.renew(tokens))
        .isInstanceOfSatisfying(TokenRenewalException.class,
            e -> assertThat(e.kind()).isEqualTo(TokenRenewalException.Kind.TERMINAL));
    // RFC 7009 §2.2: an already invalid token is answered 200 as well.
    assertThat(client.revoke(tokens)).isTrue();
  }

  @ExpectsWarnings("a wrong client secret is refused")
  @Test
  void revoke_wrongClientSecret_isInvalidClient() throws Exception {
    TokenSet tokens = login(client, "ned");
    try (OidcClient wrong = client("not-the-secret", REDIRECT, POST_LOGOUT)) {
      assertThatThrownBy(() -> wrong.revoke(tokens))
          .isInstanceOfSatisfying(OidcException.class,
              e -> assertThat(e.errorCode()).contains("invalid_client"));
    }
    assertThat(provider.revocations()).isZero();
    assertThat(client.renew(tokens).refreshToken()).isPresent();
  }

  // ---------------------------------------------------------------- logout

  @Test
  void logout_endsTheSessionSendsBackChannelLogoutAndRedirectsWithState() throws Exception {
    TokenSet tokens = login(client, "olga");
    LogoutRedirect logout = client.logoutRedirect(tokens.idToken()).orElseThrow();

    HttpResponse<String> response = browser.get(logout.endSessionUri());

    assertThat(response.statusCode()).isEqualTo(302);
    URI location = URI.create(response.headers().firstValue("Location").orElseThrow());
    assertThat(location.toString()).startsWith(POST_LOGOUT.toString());
    assertThat(query(location).get("state")).containsExactly(logout.state().orElseThrow().value());

    String logoutToken = receiver.next();
    assertThat(receiver.nextContentType()).startsWith("application/x-www-form-urlencoded");
    SignedJWT jwt = SignedJWT.parse(logoutToken);
    assertThat(jwt.getHeader().getType()).isEqualTo(new JOSEObjectType("logout+jwt"));
    assertThat(jwt.getJWTClaimsSet().getClaims())
        .containsKeys("iss", "aud", "iat", "exp", "jti", "events", "sid", "sub")
        .doesNotContainKey("nonce");
    LogoutNotice notice = client.validateLogoutToken(logoutToken);
    assertThat(notice.issuer()).isEqualTo(provider.issuer());
    assertThat(notice.sid()).isEqualTo(tokens.idToken().sid());
    assertThat(notice.subject()).contains("olga");
    assertThat(provider.backChannelDeliveries()).isEqualTo(1);
    assertThatThrownBy(() -> client.renew(tokens))
        .isInstanceOfSatisfying(TokenRenewalException.class,
            e -> assertThat(e.kind()).isEqualTo(TokenRenewalException.Kind.TERMINAL));
  }

  @Test
  void logout_unregisteredPostLogoutRedirect_isRefusedAndTheSessionLives() throws Exception {
    TokenSet tokens = login(client, "pia");
    try (OidcClient elsewhere = client(CLIENT_SECRET, REDIRECT, URI.create("http://localhost:9999/bye"))) {
      LogoutRedirect logout = elsewhere.logoutRedirect(tokens.idToken()).orElseThrow();

      HttpResponse<String> response = browser.get(logout.endSessionUri());

      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(response.headers().firstValue("Location")).isEmpty();
    }
    assertThat(receiver.isEmpty()).isTrue();
    assertThat(client.renew(tokens).refreshToken()).isPresent();
  }

  @Test
  void logout_forgedIdTokenHint_isRefused() throws Exception {
    TokenSet tokens = login(client, "quinn");
    String[] parts = tokens.idToken().raw().value().split("\\.");
    String forged = parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse();

    HttpResponse<String> response = browser.get(URI.create(provider.issuer() + "/logout?id_token_hint=" + forged));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(receiver.isEmpty()).isTrue();
  }

  @Test
  void logOut_subject_endsEverySessionOfTheUserAndNotifiesEach() throws Exception {
    TokenSet first = login(client, "rita");
    TokenSet second = login(client, "rita");
    TokenSet other = login(client, "sam");

    assertThat(provider.logOut("rita")).isEqualTo(2);

    List<String> sids = List.of(
        client.validateLogoutToken(receiver.next()).sid().orElseThrow(),
        client.validateLogoutToken(receiver.next()).sid().orElseThrow());
    assertThat(sids).containsExactlyInAnyOrder(
        first.idToken().sid().orElseThrow(), second.idToken().sid().orElseThrow());
    assertThat(receiver.isEmpty()).isTrue();
    assertThatThrownBy(() -> client.renew(first)).isInstanceOf(TokenRenewalException.class);
    assertThat(client.renew(other).refreshToken()).isPresent();
    assertThat(provider.logOut("rita")).isZero();
  }
}
