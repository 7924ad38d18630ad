package dev.oidcsession.core.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.openid.connect.sdk.SubjectType;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OidcClientConfigTest {

  private static OidcClientConfig.Builder minimal() {
    return OidcClientConfig.builder()
        .issuer("https://id.example")
        .clientId("app")
        .redirectUri(URI.create("https://app.example/cb"));
  }

  @Test
  void build_minimalConfidentialClient_hasSafeDefaults() {
    OidcClientConfig config = minimal().clientSecretBasic("s3cret-value").build();

    assertThat(config.clientAuthMethod()).isEqualTo(OidcClientConfig.ClientAuthMethod.CLIENT_SECRET_BASIC);
    assertThat(config.clientAuthMethod().registeredName()).isEqualTo("client_secret_basic");
    assertThat(config.scopes()).containsExactly("openid");
    assertThat(config.validationClockSkew()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.allowedSigningAlgorithms())
        .doesNotContain(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512)
        .contains(JWSAlgorithm.RS256, JWSAlgorithm.ES256);
    assertThat(config.toString()).doesNotContain("s3cret-value");
  }

  @Test
  void issuer_plainHttpOnPublicHost_isRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> OidcClientConfig.builder().issuer("http://id.example"))
        .withMessage("issuer must be an https URL (http only on a loopback host), but was http://id.example");
  }

  @Test
  void issuer_plainHttpOnLoopback_isAccepted() {
    assertThat(OidcClientConfig.builder().issuer("http://127.0.0.1:8080")).isNotNull();
    assertThat(OidcClientConfig.builder().issuer("http://localhost:8080/realms/x")).isNotNull();
    assertThat(OidcClientConfig.builder().issuer("http://127.0.0.2:8080")).isNotNull();
    assertThat(OidcClientConfig.builder().issuer("http://[::1]:8080")).isNotNull();
    assertThat(OidcClientConfig.builder().redirectUri(URI.create("http://127.1.2.3/cb"))).isNotNull();
  }

  @Test
  void issuer_plainHttpOnLookalikeOfLoopback_isRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> OidcClientConfig.builder().issuer("http://127.0.0.1.evil.example"))
        .withMessage(
            "issuer must be an https URL (http only on a loopback host), but was"
                + " http://127.0.0.1.evil.example");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> OidcClientConfig.builder().issuer("http://128.0.0.1"));
  }

  @Test
  void issuer_withQuery_isRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> OidcClientConfig.builder().issuer("https://id.example?x=1"))
        .withMessage("issuer must be a URL without query or fragment, but was https://id.example?x=1");
  }

  @Test
  void issuer_setTwice_isIllegalState() {
    OidcClientConfig.Builder b = OidcClientConfig.builder().issuer("https://id.example");

    assertThatIllegalStateException()
        .isThrownBy(() -> b.issuer("https://id.example"))
        .withMessage("issuer was already set");
  }

  @Test
  void clientId_blank_isRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> OidcClientConfig.builder().clientId(" "))
        .withMessage("clientId must be non-blank, but was ' '");
  }

  @Test
  void clientSecret_blank_isRejectedWithoutEcho() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> OidcClientConfig.builder().clientSecretBasic("  "))
        .withMessage("clientSecretBasic must be non-blank, but was blank");
  }

  @Test
  void clientAuthentication_twoMethods_isIllegalState() {
    OidcClientConfig.Builder b = OidcClientConfig.builder().clientSecretBasic("a");

    assertThatIllegalStateException()
        .isThrownBy(b::publicClient)
        .withMessage("client authentication was already set to client_secret_basic");
  }

  @Test
  void privateKeyJwt_publicKey_isRejected() throws Exception {
    RSAKey key = new RSAKeyGenerator(2048).keyID("k").generate();

    assertThatIllegalArgumentException()
        .isThrownBy(() -> OidcClientConfig.builder().privateKeyJwt(key.toPublicJWK()))
        .withMessage("privateKeyJwt must be a private RSA or EC key, but was a public RSA key");
  }

  @Test
  void privateKeyJwt_withoutKid_isRejected() throws Exception {
    RSAKey key = new RSAKeyGenerator(2048).generate();

    assertThatIllegalArgumentException()
        .isThrownBy(() -> OidcClientConfig.builder().privateKeyJwt(key))
        .withMessage("privateKeyJwt must carry a kid, but had none");
  }

  @Test
  void privateKeyJwt_toString_printsKidOnly() throws Exception {
    RSAKey key = new RSAKeyGenerator(2048).keyID("k-1").generate();

    String printed = minimal().privateKeyJwt(key).build().toString();

    assertThat(printed).contains("auth=private_key_jwt(kid=k-1)");
    assertThat(printed).doesNotContain(key.getPrivateExponent().toString());
  }

  @Test
  void scopes_withoutOpenid_isRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> OidcClientConfig.builder().scopes("profile", "email"))
        .withMessage("scopes must include openid, but was [profile, email]");
  }

  @Test
  void allowedSigningAlgorithms_hmac_isRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () -> OidcClientConfig.builder().allowedSigningAlgorithms(Set.of(JWSAlgorithm.HS256)))
        .withMessage(
            "allowedSigningAlgorithms must be asymmetric JWS algorithms (RSA, RSA-PSS, ECDSA, EdDSA),"
                + " but was [HS256]");
  }

  @Test
  void allowedSigningAlgorithms_none_isRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                OidcClientConfig.builder()
                    .allowedSigningAlgorithms(Set.of(new JWSAlgorithm("none"))))
        .withMessageEndingWith(", but was [none]");
  }

  @Test
  void maxClockSkew_bounds_areInclusive() {
    assertThat(OidcClientConfig.builder().validationClockSkew(Duration.ZERO)).isNotNull();
    assertThat(OidcClientConfig.builder().validationClockSkew(OidcClientConfig.MAX_VALIDATION_CLOCK_SKEW)).isNotNull();
    assertThatIllegalArgumentException()
        .isThrownBy(
            () -> OidcClientConfig.builder().validationClockSkew(OidcClientConfig.MAX_VALIDATION_CLOCK_SKEW.plusNanos(1)))
        .withMessage("validationClockSkew must be between PT0S and PT5M, but was PT5M0.000000001S");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> OidcClientConfig.builder().validationClockSkew(Duration.ofNanos(-1)))
        .withMessage("validationClockSkew must be between PT0S and PT5M, but was PT-0.000000001S");
  }

  @Test
  void pendingLoginMaxAge_zero_isRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> OidcClientConfig.builder().pendingLoginMaxAge(Duration.ZERO))
        .withMessage("pendingLoginMaxAge must be greater than PT0S and at most PT1H, but was PT0S");
    assertThat(OidcClientConfig.builder().pendingLoginMaxAge(Duration.ofHours(1))).isNotNull();
  }

  @Test
  void jwksRefetchMinInterval_belowOneSecond_isRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> OidcClientConfig.builder().jwksRefetchMinInterval(Duration.ofMillis(999)))
        .withMessage("jwksRefetchMinInterval must be at least PT1S, but was PT0.999S");
  }

  @Test
  void build_refetchIntervalNotBelowCacheTtl_isIllegalState() {
    OidcClientConfig.Builder b =
        minimal()
            .publicClient()
            .jwksCacheTtl(Duration.ofSeconds(30))
            .jwksRefetchMinInterval(Duration.ofSeconds(30));

    assertThatIllegalStateException()
        .isThrownBy(b::build)
        .withMessage("jwksRefetchMinInterval must be less than jwksCacheTtl PT30S, but was PT30S");
  }

  @Test
  void build_withoutClientAuthentication_isIllegalState() {
    assertThatIllegalStateException()
        .isThrownBy(() -> minimal().build())
        .withMessage("client authentication must be set, but was not");
  }

  @Test
  void build_explicitMetadataOfAnotherIssuer_isIllegalState() {
    OIDCProviderMetadata metadata =
        new OIDCProviderMetadata(
            new Issuer("https://other.example"),
            List.of(SubjectType.PUBLIC),
            URI.create("https://other.example/jwks"));
    OidcClientConfig.Builder b = minimal().publicClient().providerMetadata(metadata);

    assertThatIllegalStateException()
        .isThrownBy(b::build)
        .withMessage("providerMetadata issuer must equal issuer https://id.example, but was https://other.example");
  }

  @Test
  void build_calledTwice_givesEqualSettings() {
    OidcClientConfig.Builder b = minimal().publicClient();

    assertThat(b.build().toString()).isEqualTo(b.build().toString());
  }
}
