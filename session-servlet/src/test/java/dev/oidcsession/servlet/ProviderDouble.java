package dev.oidcsession.servlet;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The identity provider for servlet tests: WireMock over real HTTP on loopback, with discovery,
 * keys, a token endpoint, revocation and end-session. The test plays the browser at the authorize
 * endpoint (it reads {@code state} and {@code nonce} from the redirect) and scripts the token
 * endpoint per login.
 */
final class ProviderDouble {

  static final String CLIENT_ID = "servlet-client";
  static final String CLIENT_SECRET = "servlet-client-secret-9f8e7d6c5b4a";
  static final RSAKey KEY = generate();

  final WireMockServer server;
  private final AtomicInteger serial = new AtomicInteger();

  ProviderDouble() {
    server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    server.start();
  }

  String issuer() {
    return "http://127.0.0.1:" + server.port();
  }

  void reset() {
    server.resetAll();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("issuer", issuer());
    m.put("authorization_endpoint", issuer() + "/authorize");
    m.put("token_endpoint", issuer() + "/token");
    m.put("jwks_uri", issuer() + "/jwks");
    m.put("revocation_endpoint", issuer() + "/revoke");
    m.put("end_session_endpoint", issuer() + "/logout");
    m.put("response_types_supported", List.of("code"));
    m.put("subject_types_supported", List.of("public"));
    m.put("id_token_signing_alg_values_supported", List.of("RS256"));
    server.stubFor(get(urlPathEqualTo("/.well-known/openid-configuration"))
        .willReturn(okJson(JSONObjectUtils.toJSONString(m))));
    server.stubFor(get(urlPathEqualTo("/jwks")).willReturn(okJson(
        JSONObjectUtils.toJSONString(new JWKSet(KEY.toPublicJWK()).toJSONObject(true)))));
    server.stubFor(post(urlPathEqualTo("/revoke")).willReturn(aResponse().withStatus(200)));
  }

  void stop() {
    server.stop();
  }

  /**
   * Answers the next authorization-code exchange with tokens for {@code subject}: an access token
   * living {@code accessLife} on {@code clock}, an ID token (real time: nimbus checks it on the
   * wall clock) carrying {@code nonce} and {@code sid}.
   */
  void answerCode(String subject, String sid, String nonce, Clock clock, Duration accessLife) {
    answerCode(subject, sid, nonce, clock, accessLife, Map.of());
  }

  /** As above, with {@code extraClaims} in the ID token. */
  void answerCode(String subject, String sid, String nonce, Clock clock, Duration accessLife,
      Map<String, Object> extraClaims) {
    server.stubFor(post(urlPathEqualTo("/token"))
        .withRequestBody(containing("grant_type=authorization_code"))
        .willReturn(tokens(subject, sid, nonce, clock, accessLife, extraClaims)));
  }

  /** Answers refresh-token grants with fresh tokens for {@code subject}. */
  void answerRefresh(String subject, String sid, Clock clock, Duration accessLife) {
    server.stubFor(post(urlPathEqualTo("/token"))
        .withRequestBody(containing("grant_type=refresh_token"))
        .willReturn(tokens(subject, sid, null, clock, accessLife, Map.of())));
  }

  int refreshCalls() {
    return server.findAll(postRequestedFor(urlPathEqualTo("/token"))
        .withRequestBody(containing("grant_type=refresh_token"))).size();
  }

  /** Authorization-code exchanges the token endpoint received. */
  int codeCalls() {
    return server.findAll(postRequestedFor(urlPathEqualTo("/token"))
        .withRequestBody(containing("grant_type=authorization_code"))).size();
  }

  /** The JWK set endpoint answers 503 from now on (until {@link #reset()}). */
  void keysDown() {
    server.stubFor(get(urlPathEqualTo("/jwks")).willReturn(aResponse().withStatus(503)));
  }

  /** Refresh-token grants answer 503 from now on (until {@link #reset()}): a provider outage. */
  void refreshDown() {
    server.stubFor(post(urlPathEqualTo("/token"))
        .withRequestBody(containing("grant_type=refresh_token"))
        .willReturn(aResponse().withStatus(503)));
  }

  int revocations() {
    return server.findAll(postRequestedFor(urlPathEqualTo("/revoke"))).size();
  }

  private com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder tokens(
      String subject, String sid, String nonce, Clock clock, Duration accessLife,
      Map<String, Object> extraClaims) {
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
    body.put("access_token", sign(access, null));
    body.put("token_type", "Bearer");
    body.put("expires_in", accessLife.toSeconds());
    body.put("id_token", sign(id.build(), null));
    body.put("refresh_token", "rt-" + serial.incrementAndGet() + "-" + UUID.randomUUID());
    return okJson(JSONObjectUtils.toJSONString(body)).withHeader("Cache-Control", "no-store");
  }

  /** A back-channel logout token for {@code sid}; {@code withEvents} false makes it invalid. */
  String logoutToken(String sid, boolean withEvents) {
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .issuer(issuer()).audience(CLIENT_ID).issueTime(new Date())
        .expirationTime(Date.from(Instant.now().plusSeconds(120)))
        .jwtID(UUID.randomUUID().toString()).claim("sid", sid);
    if (withEvents) {
      claims.claim("events", Map.of("http://schemas.openid.net/event/backchannel-logout", Map.of()));
    }
    return sign(claims.build(), new JOSEObjectType("logout+jwt"));
  }

  static String sign(JWTClaimsSet claims, JOSEObjectType type) {
    try {
      JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(KEY.getKeyID());
      if (type != null) {
        header.type(type);
      }
      SignedJWT jwt = new SignedJWT(header.build(), claims);
      jwt.sign(new RSASSASigner(KEY));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static RSAKey generate() {
    try {
      return new RSAKeyGenerator(2048).keyID("servlet-test-key").generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }
}
