package dev.oidcsession.core.oidc;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.oidcsession.core.ExpectsWarnings;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Security review 2026-11-30 #24: endpoints named by discovery must be https like the issuer; an
 * http endpoint is refused with an error naming it. Only a loopback http issuer may name http
 * endpoints, and only on loopback hosts. The https provider is a WireMock server with its own
 * self-signed certificate, trusted by this test's HTTP client only.
 */
@ExpectsWarnings(value = "discovery documents with http endpoints are rejected on purpose", everyTest = true)
class DiscoveredEndpointsIT extends FakeProviderTestBase {

  static WireMockServer https;

  @BeforeAll
  static void startHttpsProvider() {
    https = new WireMockServer(options().bindAddress("127.0.0.1").httpDisabled(true)
        .dynamicHttpsPort());
    https.start();
  }

  @AfterAll
  static void stopHttpsProvider() {
    https.stop();
  }

  static String httpsIssuer() {
    return "https://127.0.0.1:" + https.httpsPort();
  }

  /** A client of the https provider that trusts its self-signed certificate (test only). */
  static OidcClient httpsClient() throws Exception {
    X509TrustManager trustAll = new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, new X509TrustManager[] {trustAll}, new SecureRandom());
    OkHttpClient http = OidcClient.defaultHttpClient().newBuilder()
        .sslSocketFactory(tls.getSocketFactory(), trustAll)
        .hostnameVerifier((host, session) -> true)
        .build();
    return OidcClient.create(OidcClientConfig.builder().issuer(httpsIssuer())
        .clientId(FakeProvider.CLIENT_ID).redirectUri(FakeProvider.REDIRECT_URI)
        .clientSecretBasic(FakeProvider.CLIENT_SECRET).build(), http);
  }

  static void stubHttpsDiscovery(String httpEndpoint) {
    Map<String, Object> m = new LinkedHashMap<>();
    String issuer = httpsIssuer();
    m.put("issuer", issuer);
    m.put("authorization_endpoint", issuer + "/authorize");
    m.put("token_endpoint", issuer + "/token");
    m.put("jwks_uri", issuer + "/jwks");
    m.put("revocation_endpoint", issuer + "/revoke");
    m.put("end_session_endpoint", issuer + "/logout");
    m.put("response_types_supported", List.of("code"));
    m.put("subject_types_supported", List.of("public"));
    m.put("id_token_signing_alg_values_supported", List.of("RS256"));
    if (httpEndpoint != null) {
      m.put(httpEndpoint, "http://" + "127.0.0.1:" + https.httpsPort() + "/" + httpEndpoint);
    }
    https.stubFor(get(urlPathEqualTo("/.well-known/openid-configuration"))
        .willReturn(okJson(JSONObjectUtils.toJSONString(m))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"authorization_endpoint", "token_endpoint", "jwks_uri",
      "revocation_endpoint", "end_session_endpoint"})
  void httpsIssuer_httpEndpoint_isRefusedNamingIt(String endpoint) throws Exception {
    stubHttpsDiscovery(endpoint);
    try (OidcClient client = httpsClient()) {
      OidcException e = catchThrowableOfType(OidcException.class, () -> client.startLogin("/"));

      assertThat(e).isNotNull();
      assertThat(e.reason()).isEqualTo(OidcException.Reason.INVALID_RESPONSE);
      assertThat(e).hasMessage("provider discovery document rejected: " + endpoint
          + " must be an https URL like the issuer " + httpsIssuer() + ", but was http://127.0.0.1:"
          + https.httpsPort() + "/" + endpoint);
    }
  }

  @Test
  void httpsIssuer_httpsEndpoints_areAccepted() throws Exception {
    stubHttpsDiscovery(null);
    try (OidcClient client = httpsClient()) {
      assertThat(client.startLogin("/").authorizationUri().toString())
          .startsWith(httpsIssuer() + "/authorize");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"token_endpoint", "jwks_uri"})
  void loopbackHttpIssuer_httpEndpointOnAnotherHost_isRefused(String endpoint) {
    provider.stubDiscovery(m -> m.put(endpoint, "http://idp.example/" + endpoint));

    OidcException e = catchThrowableOfType(OidcException.class, () -> client.startLogin("/"));

    assertThat(e).isNotNull();
    assertThat(e).hasMessage("provider discovery document rejected: " + endpoint
        + " must be an https URL (http only on a loopback host, as the issuer), but was"
        + " http://idp.example/" + endpoint);
  }

  @Test
  void loopbackHttpIssuer_loopbackHttpEndpoints_areAccepted() throws Exception {
    assertThat(client.startLogin("/").authorizationUri().toString())
        .startsWith(provider.issuer() + "/authorize");
  }
}
