package dev.oidcsession.core.oidc;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.oidcsession.core.TokenSet;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An OpenID provider on WireMock over real HTTP on loopback: discovery, JWKS, token, revocation
 * and end-session endpoints, keys generated per JVM, and token minting. Tests build ID tokens
 * relative to real time: nimbus's ID-token checks read the wall clock.
 *
 * <p>Shared through session-core's test-jar: other modules' tests play the browser at the
 * authorize endpoint (reading {@code state} and {@code nonce} from the redirect), script the
 * token endpoint per login with {@link #answerCode}, and its refresh grants with {@link
 * #answerRefresh}, {@link #refreshDown()}; they count what reached the provider with {@link
 * #codeCalls()}, {@link #refreshCalls()} and {@link #revocations()}. Not thread-safe to script;
 * serving is WireMock's and concurrent.
 */
public final class FakeProvider {

  /** The registered client's id: the audience of every ID token minted here. */
  public static final String CLIENT_ID = "client-7f3a";
  /** The registered client's secret, seeded so that tests can forbid it in logs. */
  public static final String CLIENT_SECRET = "seeded-client-secret-5d1c9e";
  static final String REFRESH_TOKEN = "seeded-refresh-token-0a9b8c";
  static final String ACCESS_TOKEN = "seeded-access-token-3e4f5a";
  static final String CODE = "seeded-auth-code-77aa11";
  /** The registered client's redirect URI. */
  public static final URI REDIRECT_URI = URI.create("https://app.example/oidc/callback");

  static final RSAKey RSA_1 = rsa("rsa-1");
  static final RSAKey RSA_2 = rsa("rsa-2");
  static final ECKey EC_1 = ec("ec-1");

  /** The WireMock server, for stubs and request checks a test needs beyond the methods here. */
  public final WireMockServer server;

  private final AtomicInteger serial = new AtomicInteger();

  private FakeProvider(WireMockServer server) {
    this.server = server;
  }

  /** A started server on a dynamic loopback port; call {@link #reset()} before use. */
  public static FakeProvider start() {
    WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    server.start();
    return new FakeProvider(server);
  }

  /** Stops the server. */
  public void stop() {
    server.stop();
  }

  /**
   * Forgets every stub and request, then serves discovery, the default keys and a revocation
   * endpoint that accepts every request (RFC 7009 §2.2).
   */
  public void reset() {
    server.resetAll();
    stubDiscovery(m -> {});
    stubJwks(new JWKSet(List.of(RSA_1.toPublicJWK(), EC_1.toPublicJWK())));
    server.stubFor(post(urlPathEqualTo("/revoke")).willReturn(aResponse().withStatus(200)));
  }

  /** The issuer, {@code http://127.0.0.1:<port>}. */
  public String issuer() {
    return "http://127.0.0.1:" + server.port();
  }

  Map<String, Object> metadata() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("issuer", issuer());
    m.put("authorization_endpoint", issuer() + "/authorize");
    m.put("token_endpoint", issuer() + "/token");
    m.put("jwks_uri", issuer() + "/jwks");
    m.put("revocation_endpoint", issuer() + "/revoke");
    m.put("end_session_endpoint", issuer() + "/logout");
    m.put("response_types_supported", List.of("code"));
    m.put("subject_types_supported", List.of("public"));
    m.put("id_token_signing_alg_values_supported", List.of("RS256", "ES256"));
    return m;
  }

  void stubDiscovery(Consumer<Map<String, Object>> edit) {
    Map<String, Object> m = metadata();
    edit.accept(m);
    server.stubFor(
        get(urlPathEqualTo("/.well-known/openid-configuration"))
            .willReturn(okJson(JSONObjectUtils.toJSONString(m))));
  }

  void stubJwks(JWKSet keys) {
    server.stubFor(
        get(urlPathEqualTo("/jwks")).willReturn(okJson(JSONObjectUtils.toJSONString(keys.toJSONObject(true)))));
  }

  void stubToken(ResponseDefinitionBuilder response) {
    server.stubFor(post(urlPathEqualTo("/token")).willReturn(response));
  }

  /** A token response with the given ID token (null: none) and refresh token (null: none). */
  static ResponseDefinitionBuilder tokens(String idToken, String accessToken, String refreshToken) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("access_token", accessToken);
    body.put("token_type", "Bearer");
    body.put("expires_in", 300);
    if (idToken != null) {
      body.put("id_token", idToken);
    }
    if (refreshToken != null) {
      body.put("refresh_token", refreshToken);
    }
    return okJson(JSONObjectUtils.toJSONString(body)).withHeader("Cache-Control", "no-store");
  }

  static ResponseDefinitionBuilder oauthError(int status, String error) {
    return aResponse()
        .withStatus(status)
        .withHeader("Content-Type", "application/json")
        .withBody("{\"error\":\"" + error + "\",\"error_description\":\"described\"}");
  }

  /**
   * Answers every authorization-code exchange from now on with tokens for {@code subject}: an
   * access token (a JWT) living {@code accessLife} on {@code clock}, an ID token living an hour of
   * real time carrying {@code nonce}, {@code sid} and the name {@code "Test User <subject>"}, and
   * a fresh refresh token.
   */
  public void answerCode(String subject, String sid, String nonce, Clock clock, Duration accessLife) {
    answerCode(subject, sid, nonce, clock, accessLife, Map.of());
  }

  /** As {@link #answerCode(String, String, String, Clock, Duration)}, with {@code extraClaims} in the ID token. */
  public void answerCode(String subject, String sid, String nonce, Clock clock, Duration accessLife,
      Map<String, Object> extraClaims) {
    server.stubFor(post(urlPathEqualTo("/token"))
        .withRequestBody(containing("grant_type=authorization_code"))
        .willReturn(minted(subject, sid, nonce, clock, accessLife, extraClaims)));
  }

  /**
   * Answers every refresh-token grant from now on with fresh tokens for {@code subject}, as
   * {@link #answerCode(String, String, String, Clock, Duration)} does but without a nonce (OIDC
   * Core 12.2). The response is minted once: every grant gets the same tokens.
   */
  public void answerRefresh(String subject, String sid, Clock clock, Duration accessLife) {
    server.stubFor(post(urlPathEqualTo("/token"))
        .withRequestBody(containing("grant_type=refresh_token"))
        .willReturn(minted(subject, sid, null, clock, accessLife, Map.of())));
  }

  /** Refresh-token grants answer 503 from now on (until {@link #reset()}): a provider outage. */
  public void refreshDown() {
    server.stubFor(post(urlPathEqualTo("/token"))
        .withRequestBody(containing("grant_type=refresh_token"))
        .willReturn(aResponse().withStatus(503)));
  }

  /** The JWK set endpoint answers 503 from now on (until {@link #reset()}). */
  public void keysDown() {
    server.stubFor(get(urlPathEqualTo("/jwks")).willReturn(aResponse().withStatus(503)));
  }

  /** Refresh-token grants the token endpoint received since the last {@link #reset()}. */
  public int refreshCalls() {
    return server.findAll(postRequestedFor(urlPathEqualTo("/token"))
        .withRequestBody(containing("grant_type=refresh_token"))).size();
  }

  /** Authorization-code exchanges the token endpoint received since the last {@link #reset()}. */
  public int codeCalls() {
    return server.findAll(postRequestedFor(urlPathEqualTo("/token"))
        .withRequestBody(containing("grant_type=authorization_code"))).size();
  }

  /** Requests the revocation endpoint received since the last {@link #reset()}. */
  public int revocations() {
    return server.findAll(postRequestedFor(urlPathEqualTo("/revoke"))).size();
  }

  /**
   * A back-channel logout token for {@code sid}, signed with {@link #RSA_1}; {@code withEvents}
   * false leaves out the {@code events} claim, which makes it invalid (OIDC Back-Channel Logout
   * 1.0 §2.4).
   */
  public String logoutToken(String sid, boolean withEvents) {
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .issuer(issuer()).audience(CLIENT_ID).issueTime(new Date())
        .expirationTime(Date.from(Instant.now().plusSeconds(120)))
        .jwtID(UUID.randomUUID().toString()).claim("sid", sid);
    if (withEvents) {
      claims.claim("events", Map.of("http://schemas.openid.net/event/backchannel-logout", Map.of()));
    }
    return sign(claims.build(), RSA_1, RSA_1.getKeyID(), new JOSEObjectType("logout+jwt"));
  }

  private ResponseDefinitionBuilder minted(String subject, String sid, String nonce, Clock clock,
      Duration accessLife, Map<String, Object> extraClaims) {
    Instant now = Instant.now();
    JWTClaimsSet.Builder id = new JWTClaimsSet.Builder()
        .issuer(issuer()).subject(subject).audience(CLIENT_ID)
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofHours(1))))
        .claim("sid", sid).claim("name", "Test User " + subject);
    if (nonce != null) {
      id.claim("nonce", nonce);
    }
    extraClaims.forEach(id::claim);
    JWTClaimsSet access = new JWTClaimsSet.Builder()
        .issuer(issuer()).subject(subject).audience("api")
        .expirationTime(Date.from(clock.instant().plus(accessLife)))
        .jwtID(UUID.randomUUID().toString()).build();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("access_token", sign(access, RSA_1));
    body.put("token_type", "Bearer");
    body.put("expires_in", accessLife.toSeconds());
    body.put("id_token", sign(id.build(), RSA_1));
    body.put("refresh_token", "rt-" + serial.incrementAndGet() + "-" + UUID.randomUUID());
    return okJson(JSONObjectUtils.toJSONString(body)).withHeader("Cache-Control", "no-store");
  }

  /** ID token claims valid now for {@link #CLIENT_ID}, with {@code nonce} unless null. */
  JWTClaimsSet.Builder idClaims(String nonce) {
    Instant now = Instant.now();
    JWTClaimsSet.Builder b =
        new JWTClaimsSet.Builder()
            .issuer(issuer())
            .subject("alice")
            .audience(CLIENT_ID)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(600)))
            .claim("sid", "sid-1");
    if (nonce != null) {
      b.claim("nonce", nonce);
    }
    return b;
  }

  /** Logout-token claims valid now (OIDC Back-Channel Logout 1.0 §2.4). */
  JWTClaimsSet.Builder logoutClaims() {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .issuer(issuer())
        .subject("alice")
        .audience(CLIENT_ID)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(120)))
        .jwtID(UUID.randomUUID().toString())
        .claim("sid", "sid-1")
        .claim("events", Map.of("http://schemas.openid.net/event/backchannel-logout", Map.of()));
  }

  static String sign(JWTClaimsSet claims, JWK key) {
    return sign(claims, key, key.getKeyID(), null);
  }

  static String sign(JWTClaimsSet claims, JWK key, String kid, JOSEObjectType type) {
    try {
      JWSAlgorithm alg = key instanceof ECKey ? JWSAlgorithm.ES256 : JWSAlgorithm.RS256;
      JWSSigner signer = key instanceof ECKey e ? new ECDSASigner(e) : new RSASSASigner((RSAKey) key);
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).type(type).build(), claims);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The HS256 key-confusion attack: the RSA public key's encoding used as HMAC secret. */
  static String signHs256WithPublicKey(JWTClaimsSet claims, RSAKey key) {
    try {
      byte[] secret = key.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
      byte[] padded = Arrays.copyOf(secret, Math.max(secret.length, 32));
      SignedJWT jwt =
          new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID()).build(), claims);
      jwt.sign(new MACSigner(padded));
      return jwt.serialize();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String unsigned(JWTClaimsSet claims) {
    return new PlainJWT(claims).serialize();
  }

  /** The signature of {@code token} replaced by another token's: a bad signature. */
  static String withBadSignature(String token, String other) {
    String[] parts = token.split("\\.");
    String[] otherParts = other.split("\\.");
    return parts[0] + "." + parts[1] + "." + otherParts[2];
  }

  OidcClientConfig.Builder config() {
    return OidcClientConfig.builder()
        .issuer(issuer())
        .clientId(CLIENT_ID)
        .redirectUri(REDIRECT_URI);
  }

  OidcClient client() {
    return OidcClient.create(config().clientSecretBasic(CLIENT_SECRET).build());
  }

  static URI callback(LoginRedirect login, String code) {
    return URI.create(
        REDIRECT_URI
            + "?code="
            + URLEncoder.encode(code, StandardCharsets.UTF_8)
            + "&state="
            + URLEncoder.encode(login.pending().state().value(), StandardCharsets.UTF_8));
  }

  /** Starts a login, lets the token endpoint answer with the ID token built from its nonce, completes it. */
  TokenSet login(OidcClient client, java.util.function.Function<String, String> idTokenForNonce)
      throws OidcException {
    LoginRedirect login = client.startLogin("/app");
    stubToken(tokens(idTokenForNonce.apply(login.pending().nonce().value()), ACCESS_TOKEN, REFRESH_TOKEN));
    return client.completeLogin(callback(login, CODE + "-" + UUID.randomUUID()), login.pending());
  }

  private static RSAKey rsa(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).generate();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static ECKey ec(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
