package dev.oidcsession.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import dev.oidcsession.core.SessionListener;
import dev.oidcsession.core.SessionPolicy;
import dev.oidcsession.core.oidc.OidcClientConfig;
import dev.oidcsession.core.oidc.OidcClientConfig.ClientAuthMethod;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The settings real deployments need: client authentication, authorization parameters, roles,
 * and the app's own listener, HTTP client and executor; each rule from both sides, from code, the
 * environment and {@code init-param}s.
 */
class OidcSessionConfigDeploymentTest {

  private static final Map<String, String> MINIMAL = Map.of(
      "BASE_URL", "https://app.example.com/",
      "OIDC_ISSUER", "https://login.example.com/",
      "OIDC_CLIENT_ID", "my-app");

  @TempDir
  Path dir;

  private static OidcSessionConfig.Builder env(Map<String, String> extra) {
    Map<String, String> all = new HashMap<>(MINIMAL);
    all.putAll(extra);
    return OidcSessionConfig.fromSources(name -> null, all::get);
  }

  private static OidcSessionConfig.Builder initParams(Map<String, String> extra) {
    Map<String, String> all = new HashMap<>(MINIMAL);
    all.putAll(extra);
    return OidcSessionConfig.fromSources(all::get, name -> null);
  }

  private static OidcSessionConfig.Builder code() {
    return OidcSessionConfig.builder().baseUrl("https://app.example.com")
        .issuer("https://login.example.com/").clientId("my-app");
  }

  @Nested
  class ClientAuthentication {

    @Test
    void clientAuth_default_followsWhatIsGiven() {
      assertThat(env(Map.of()).build().clientAuthMethod()).isEqualTo(ClientAuthMethod.NONE);
      assertThat(env(Map.of("OIDC_CLIENT_SECRET", "s3cr3t")).build().clientAuthMethod())
          .isEqualTo(ClientAuthMethod.CLIENT_SECRET_BASIC);
      Path key = TestKeys.write(dir, "key.pem", TestKeys.pem(TestKeys.rsa()));
      assertThat(env(Map.of("OIDC_CLIENT_KEY_FILE", key.toString())).build().clientAuthMethod())
          .isEqualTo(ClientAuthMethod.PRIVATE_KEY_JWT);
    }

    @Test
    void clientAuth_eachName_mapsToTheProtocolClient() {
      OidcClientConfig post = env(Map.of("OIDC_CLIENT_AUTH", "client_secret_post",
          "OIDC_CLIENT_SECRET", "s3cr3t")).build().oidcClientConfig();
      assertThat(post.clientAuthMethod()).isEqualTo(ClientAuthMethod.CLIENT_SECRET_POST);
      assertThat(env(Map.of("OIDC_CLIENT_AUTH", "client_secret_basic", "OIDC_CLIENT_SECRET", "s"))
          .build().oidcClientConfig().clientAuthMethod())
          .isEqualTo(ClientAuthMethod.CLIENT_SECRET_BASIC);
      assertThat(env(Map.of("OIDC_CLIENT_AUTH", "none")).build().oidcClientConfig()
          .clientAuthMethod()).isEqualTo(ClientAuthMethod.NONE);
      assertThat(post.issuer()).hasToString("https://login.example.com/");
      assertThat(post.clientId()).isEqualTo("my-app");
      assertThat(post.redirectUri()).hasToString("https://app.example.com/oidc/callback");
      assertThat(post.postLogoutRedirectUri()).contains(URI.create("https://app.example.com/"));
      assertThat(post.scopes()).containsExactly("openid", "profile", "email");
    }

    @Test
    void clientAuth_unknownName_namesTheSource() {
      assertThatThrownBy(() -> env(Map.of("OIDC_CLIENT_AUTH", "client_secret_jwt")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("OIDC_CLIENT_AUTH (environment variable): clientAuthMethod must be one of"
              + " client_secret_basic, client_secret_post, private_key_jwt, none, but was"
              + " client_secret_jwt");
      assertThatThrownBy(() -> initParams(Map.of("OIDC_CLIENT_AUTH", "CLIENT_SECRET_POST")))
          .hasMessageStartingWith("OIDC_CLIENT_AUTH (init-param): clientAuthMethod must be one of");
    }

    @Test
    void secretMethods_withoutSecret_failAtBuild() {
      assertThatThrownBy(() -> env(Map.of("OIDC_CLIENT_AUTH", "client_secret_post")).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("OIDC_CLIENT_AUTH (environment variable): clientSecret (OIDC_CLIENT_SECRET)"
              + " must be set for client_secret_post, but was not");
      assertThatThrownBy(() -> code().clientAuthMethod(ClientAuthMethod.CLIENT_SECRET_BASIC).build())
          .hasMessage("clientSecret (OIDC_CLIENT_SECRET) must be set for client_secret_basic,"
              + " but was not");
    }

    @Test
    void privateKeyJwt_withoutKey_failsAtBuild() {
      assertThatThrownBy(() -> env(Map.of("OIDC_CLIENT_AUTH", "private_key_jwt")).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("OIDC_CLIENT_AUTH (environment variable): clientKey (OIDC_CLIENT_KEY_FILE)"
              + " must be set for private_key_jwt, but was not");
    }

    @Test
    void credentials_thatTheMethodDoesNotUse_failAtBuild() {
      assertThatThrownBy(() -> env(Map.of("OIDC_CLIENT_AUTH", "none", "OIDC_CLIENT_SECRET", "s"))
          .build()).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("OIDC_CLIENT_AUTH (environment variable) and OIDC_CLIENT_SECRET (environment"
              + " variable): clientSecret must not be set for none, but was");
      Path key = TestKeys.write(dir, "key.pem", TestKeys.pem(TestKeys.rsa()));
      assertThatThrownBy(() -> env(Map.of("OIDC_CLIENT_AUTH", "client_secret_basic",
          "OIDC_CLIENT_KEY_FILE", key.toString())).build())
          .hasMessage("OIDC_CLIENT_AUTH (environment variable) and OIDC_CLIENT_KEY_FILE"
              + " (environment variable): clientKey must not be set for client_secret_basic, but was");
    }

    @Test
    void secretAndKey_excludeEachOther_inEitherOrder() throws Exception {
      RSAKey key = RSAKey.parse(rsaJwk());
      assertThatThrownBy(() -> code().clientSecret("s").clientKey(key))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("clientKey must not be set with clientSecret (they are two ways to"
              + " authenticate), but clientSecret was already set");
      assertThatThrownBy(() -> code().clientKey(key).clientSecret("s"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("clientSecret must not be set with clientKey (they are two ways to"
              + " authenticate), but clientKey was already set");
    }

    @Test
    void secrets_setTwice_areIllegalState_withoutShowingTheSecret() throws Exception {
      RSAKey key = RSAKey.parse(rsaJwk());
      assertThatThrownBy(() -> code().clientSecret("first-secret").clientSecret("second"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("clientSecret was already set to (a secret, not shown)");
      assertThatThrownBy(() -> code().clientKey(key).clientKey(key))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("clientKey was already set to (a secret, not shown)");
      byte[] secret = new byte[32];
      assertThatThrownBy(() -> code().sessionSecret(secret).sessionSecret(secret))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("sessionSecret was already set to (a secret, not shown)");
    }

    @Test
    void clientSecret_blank_isRejected_nonBlankIsAccepted() {
      assertThatThrownBy(() -> code().clientSecret(" "))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("clientSecret must be non-blank, but was blank");
      assertThat(code().clientSecret("x").build().clientAuthMethod())
          .isEqualTo(ClientAuthMethod.CLIENT_SECRET_BASIC);
    }

    @Test
    void keyFile_rsaPem_becomesTheSigningKeyWithItsThumbprintAsKid() throws Exception {
      KeyPair pair = TestKeys.rsa();
      Path file = TestKeys.write(dir, "rsa.pem", TestKeys.pem(pair));
      OidcSessionConfig config = env(Map.of("OIDC_CLIENT_KEY_FILE", file.toString())).build();
      RSAKey expected = new RSAKey.Builder((RSAPublicKey) pair.getPublic()).build();
      assertThat(config.oidcClientConfig().toString())
          .contains("auth=private_key_jwt(kid=" + expected.computeThumbprint() + ")");
    }

    @Test
    void keyFile_ecPemWithoutPublicKey_derivesThePublicPoint() throws Exception {
      for (String curve : new String[] {"secp256r1", "secp384r1", "secp521r1"}) {
        KeyPair pair = TestKeys.ec(curve);
        Path file = TestKeys.write(dir, curve + ".pem", TestKeys.pem(pair));
        ECPublicKey pub = (ECPublicKey) pair.getPublic();
        ECKey expected = new ECKey.Builder(Curve.forECParameterSpec(pub.getParams()), pub).build();
        OidcSessionConfig config = code().clientKeyFile(file).clientKeyId("ec-1").build();
        assertThat(config.oidcClientConfig().toString()).contains("auth=private_key_jwt(kid=ec-1)");
        assertThat(ClientKeys.read(file, "clientKeyFile").toPublicJWK().toJSONObject())
            .isEqualTo(expected.toJSONObject());
      }
    }

    @Test
    void keyFile_jwkWithKid_isUsedAsIs_aDifferentKeyIdFailsAtBuild() throws Exception {
      Path file = TestKeys.write(dir, "key.json", rsaJwk());
      assertThat(env(Map.of("OIDC_CLIENT_KEY_FILE", file.toString(), "OIDC_CLIENT_KEY_ID", "jwk-1"))
          .build().oidcClientConfig().toString()).contains("(kid=jwk-1)");
      assertThatThrownBy(() -> env(Map.of("OIDC_CLIENT_KEY_FILE", file.toString(),
          "OIDC_CLIENT_KEY_ID", "other")).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("OIDC_CLIENT_KEY_FILE (environment variable) and OIDC_CLIENT_KEY_ID"
              + " (environment variable): clientKeyId must equal the kid of the clientKey (jwk-1),"
              + " but was other");
    }

    @Test
    void keyFile_badContent_isRejectedNamingTheFileButNotTheKey() throws Exception {
      Path publicJwk = TestKeys.write(dir, "public.json",
          RSAKey.parse(rsaJwk()).toPublicJWK().toJSONString());
      assertThatThrownBy(() -> env(Map.of("OIDC_CLIENT_KEY_FILE", publicJwk.toString())))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("OIDC_CLIENT_KEY_FILE (environment variable): clientKeyFile must be a private"
              + " RSA key or a private EC key on P-256, P-384 or P-521, but was a public RSA key");
      String pkcs1Body = "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu";
      Path pkcs1 = TestKeys.write(dir, "pkcs1.pem",
          "-----BEGIN RSA PRIVATE KEY-----\n" + pkcs1Body + "\n-----END RSA PRIVATE KEY-----\n");
      assertThatThrownBy(() -> initParams(Map.of("OIDC_CLIENT_KEY_FILE", pkcs1.toString())))
          .hasMessage("OIDC_CLIENT_KEY_FILE (init-param): clientKeyFile " + pkcs1 + " must be a PEM"
              + " PRIVATE KEY (PKCS#8, unencrypted; convert with openssl pkcs8 -topk8 -nocrypt) or a"
              + " JWK, but was neither")
          .message().doesNotContain(pkcs1Body);
      Path missing = dir.resolve("missing.pem");
      assertThatThrownBy(() -> env(Map.of("OIDC_CLIENT_KEY_FILE", missing.toString())))
          .hasMessage("OIDC_CLIENT_KEY_FILE (environment variable): clientKeyFile must be a"
              + " readable file, but was " + missing + " (NoSuchFileException)");
    }

    @Test
    void keyId_withoutKey_failsAtBuild() {
      assertThatThrownBy(() -> env(Map.of("OIDC_CLIENT_KEY_ID", "k1")).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("OIDC_CLIENT_KEY_ID (environment variable): clientKeyId must come with a"
              + " clientKey (OIDC_CLIENT_KEY_FILE), but was set alone");
    }

    @Test
    void secretAndKeyFile_fromSources_nameBothWithTheirSources() {
      Path key = TestKeys.write(dir, "key.pem", TestKeys.pem(TestKeys.rsa()));
      Map<String, String> environment = new HashMap<>(MINIMAL);
      environment.put("OIDC_CLIENT_SECRET", "s3cr3t");
      assertThatThrownBy(() -> OidcSessionConfig.fromSources(
          Map.of("OIDC_CLIENT_KEY_FILE", key.toString())::get, environment::get))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("OIDC_CLIENT_KEY_FILE (init-param) and OIDC_CLIENT_SECRET (environment"
              + " variable): clientKey must not be set with clientSecret (they are two ways to"
              + " authenticate), but clientSecret was already set");
    }

    @Test
    void toString_printsNeitherSecretNorKeyMaterial() throws Exception {
      RSAKey key = RSAKey.parse(rsaJwk());
      String text = code().clientKey(key).build().toString();
      assertThat(text).contains("clientAuth=private_key_jwt, clientKey=(RSA key)")
          .doesNotContain(key.getPrivateExponent().toString())
          .doesNotContain(key.getModulus().toString());
    }
  }

  @Nested
  class AuthorizationParameters {

    @Test
    void fixedParameters_fromTheEnvironment_inTheirOrder() {
      OidcSessionConfig config = env(Map.of("OIDC_PROMPT", "login consent",
          "OIDC_ACR_VALUES", "urn:mace:incommon:iap:silver, phr", "OIDC_AUDIENCE", "https://api",
          "OIDC_RESOURCE", "https://api.example.com/v1")).build();
      assertThat(config.authorizationParameters()).containsExactly(
          Map.entry("prompt", "login consent"),
          Map.entry("acr_values", "urn:mace:incommon:iap:silver phr"),
          Map.entry("audience", "https://api"),
          Map.entry("resource", "https://api.example.com/v1"));
    }

    @Test
    void prompt_bothSidesOfTheRule() {
      assertThat(code().prompt("select_account").build().authorizationParameters())
          .containsEntry("prompt", "select_account");
      assertThat(code().prompt("none").build().authorizationParameters())
          .containsEntry("prompt", "none");
      assertThatThrownBy(() -> code().prompt("none login"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("prompt must be space-separated values of none, login, consent,"
              + " select_account, create (none alone), but was none login");
      assertThatThrownBy(() -> initParams(Map.of("OIDC_PROMPT", "always")))
          .hasMessage("OIDC_PROMPT (init-param): prompt must be space-separated values of none,"
              + " login, consent, select_account, create (none alone), but was always");
      assertThatThrownBy(() -> code().prompt("login login"))
          .hasMessageEndingWith("but was login login");
    }

    @Test
    void resource_mustBeAbsoluteWithoutFragment() {
      assertThat(code().resource("urn:example:api").build().authorizationParameters())
          .containsEntry("resource", "urn:example:api");
      assertThatThrownBy(() -> code().resource("/api"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("resource must be an absolute URI without fragment (RFC 8707 §2), but was /api");
      assertThatThrownBy(() -> env(Map.of("OIDC_RESOURCE", "https://api.example.com/#x")))
          .hasMessage("OIDC_RESOURCE (environment variable): resource must be an absolute URI"
              + " without fragment (RFC 8707 §2), but was https://api.example.com/#x");
    }

    @Test
    void audienceAndAcrValues_blankOrControlCharacters_areRejected() {
      assertThatThrownBy(() -> code().audience(" "))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("audience must be non-blank without control characters, but was ' '");
      assertThatThrownBy(() -> code().acrValues("gold\n"))
          .hasMessage("acrValues must be non-blank without control characters, but was 'gold\n'");
      assertThatThrownBy(() -> code().acrValues(" ", ""))
          .hasMessage("acrValues must be one or more single tokens, but was [ , ]");
      assertThat(code().audience("api").acrValues("gold").build().authorizationParameters())
          .containsEntry("audience", "api").containsEntry("acr_values", "gold");
    }
  }

  @Nested
  class Roles {

    @Test
    void rolesClaim_nameOrDottedPath_isAccepted() {
      assertThat(env(Map.of("OIDC_ROLES_CLAIM", "realm_access.roles")).build().rolesClaim())
          .contains("realm_access.roles");
      assertThat(code().rolesClaim("groups").build().rolesClaim()).contains("groups");
    }

    @Test
    void rolesClaim_emptySegment_isRejectedNamingTheSource() {
      assertThatThrownBy(() -> code().rolesClaim("realm_access..roles"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("rolesClaim must be a claim name or a dotted path such as realm_access.roles,"
              + " but was 'realm_access..roles'");
      assertThatThrownBy(() -> initParams(Map.of("OIDC_ROLES_CLAIM", ".roles")))
          .hasMessage("OIDC_ROLES_CLAIM (init-param): rolesClaim must be a claim name or a dotted"
              + " path such as realm_access.roles, but was '.roles'");
    }
  }

  @Nested
  class DecodedCache {

    @Test
    void decodedCacheSize_fromCodeOrSources_reachesTheConfig_andItsToString() {
      assertThat(code().build().decodedCacheSize()).isEmpty();
      assertThat(code().decodedCacheSize(0).build().decodedCacheSize()).hasValue(0);
      OidcSessionConfig config = env(Map.of("OIDC_DECODED_CACHE_SIZE", " 20000 ")).build();
      assertThat(config.decodedCacheSize()).hasValue(20_000);
      assertThat(config.toString()).contains("decodedCacheSize=20000");
      assertThat(initParams(Map.of("OIDC_DECODED_CACHE_SIZE", "1000000")).build().decodedCacheSize())
          .hasValue(OidcSessionConfig.MAX_DECODED_CACHE_SIZE);
    }

    @Test
    void decodedCacheSize_outOfRangeOrNotANumber_isRejectedNamingTheSource() {
      assertThatThrownBy(() -> code().decodedCacheSize(-1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("decodedCacheSize must be between 0 and 1000000, but was -1");
      assertThatThrownBy(() -> code().decodedCacheSize(1).decodedCacheSize(2))
          .isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> env(Map.of("OIDC_DECODED_CACHE_SIZE", "1000001")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("OIDC_DECODED_CACHE_SIZE (environment variable): decodedCacheSize must be"
              + " between 0 and 1000000, but was 1000001");
      assertThatThrownBy(() -> initParams(Map.of("OIDC_DECODED_CACHE_SIZE", "4k")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("OIDC_DECODED_CACHE_SIZE (init-param): decodedCacheSize must be a whole"
              + " number, but was 4k");
    }
  }

  @Nested
  class Collaborators {

    @Test
    void httpClient_callTimeoutJustUnderTheLease_isKept_atTheLeaseIsRejected() {
      OkHttpClient under = new OkHttpClient.Builder().callTimeout(59_999, TimeUnit.MILLISECONDS)
          .retryOnConnectionFailure(true).followRedirects(true).build();
      OkHttpClient wrapped = code().httpClient(under).build().httpClient();
      assertThat(wrapped.callTimeoutMillis()).isEqualTo(59_999);
      assertThat(wrapped.retryOnConnectionFailure()).isFalse();
      assertThat(wrapped.followRedirects()).isFalse();
      assertThat(wrapped.connectionPool()).isSameAs(under.connectionPool());
      OkHttpClient at = new OkHttpClient.Builder().callTimeout(60, TimeUnit.SECONDS).build();
      assertThatThrownBy(() -> code().httpClient(at).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("httpClient callTimeout must be shorter than the policy's renewalLease"
              + " (PT1M), but was PT1M");
    }

    @Test
    void httpClient_withoutCallTimeout_getsTheDefaultOrHalfTheLease() {
      assertThat(code().httpClient(new OkHttpClient()).build().httpClient().callTimeoutMillis())
          .isEqualTo(OidcSessionConfig.DEFAULT_CALL_TIMEOUT.toMillis());
      SessionPolicy shortLease = SessionPolicy.builder().renewalLease(Duration.ofSeconds(10))
          .renewalWaitTimeout(Duration.ofSeconds(5)).build();
      assertThat(code().policy(shortLease).build().httpClient().callTimeoutMillis())
          .isEqualTo(5_000);
      assertThat(code().build().httpClient().retryOnConnectionFailure()).isFalse();
    }

    @Test
    void collaborators_setTwice_areIllegalState() {
      ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
      try {
        assertThatThrownBy(() -> code().executor(executor).executor(executor))
            .isInstanceOf(IllegalStateException.class).hasMessage("executor was already set to " + executor);
      } finally {
        executor.shutdownNow();
      }
      assertThatThrownBy(() -> code().listener(SessionListener.NONE).listener(SessionListener.NONE))
          .isInstanceOf(IllegalStateException.class).hasMessage("listener was already set to " + SessionListener.NONE);
      OkHttpClient first = new OkHttpClient();
      assertThatThrownBy(() -> code().httpClient(first).httpClient(new OkHttpClient()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("httpClient was already set to " + first);
      assertThat(code().build().listener()).isSameAs(SessionListener.NONE);
      assertThat(code().build().executor()).isEmpty();
    }

    @Test
    void build_leavesTheBuilderUntouchedAndCanBeCalledTwice() {
      OidcSessionConfig.Builder builder = code().clientSecret("s").prompt("login");
      OidcSessionConfig first = builder.build();
      OidcSessionConfig second = builder.build();
      assertThat(first.toString()).isEqualTo(second.toString());
    }
  }

  static String rsaJwk() {
    KeyPair pair = TestKeys.rsa();
    return new RSAKey.Builder((RSAPublicKey) pair.getPublic())
        .privateKey((java.security.interfaces.RSAPrivateKey) pair.getPrivate())
        .keyID("jwk-1").build().toJSONString();
  }
}
