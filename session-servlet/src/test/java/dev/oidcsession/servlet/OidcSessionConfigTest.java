package dev.oidcsession.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oidcsession.core.oidc.OidcClientConfig.ClientAuthMethod;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.time.Duration;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OidcSessionConfigTest {

  private static final Map<String, String> MINIMAL = Map.of(
      "BASE_URL", "https://app.example.com/",
      "OIDC_ISSUER", "https://login.example.com/",
      "OIDC_CLIENT_ID", "my-app");

  private static OidcSessionConfig.Builder from(Map<String, String> initParams, Map<String, String> env) {
    return OidcSessionConfig.fromSources(initParams::get, env::get);
  }

  @Test
  void fromSources_minimal_usesTheDefaults() {
    OidcSessionConfig config = from(MINIMAL, Map.of()).build();
    assertThat(config.baseUrl()).hasToString("https://app.example.com");
    assertThat(config.redirectUri()).hasToString("https://app.example.com/oidc/callback");
    assertThat(config.secureCookies()).isTrue();
    assertThat(config.scopes()).containsExactly("openid", "profile", "email");
    assertThat(config.clientAuthMethod()).isEqualTo(ClientAuthMethod.NONE);
    assertThat(config.authorizationParameters()).isEmpty();
    assertThat(config.rolesClaim()).isEmpty();
    assertThat(config.policy().renewalInterval()).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void baseUrl_isNormalizedAsBrowsersSendOrigin() {
    assertThat(OidcSessionConfig.builder().baseUrl("HTTPS://App.Example.COM:443/").issuer(
        "https://login.example.com/").clientId("x").build().baseUrl())
        .hasToString("https://app.example.com");
    assertThat(OidcSessionConfig.builder().baseUrl("http://localhost:8080/shop/").issuer(
        "https://login.example.com/").clientId("x").build().redirectUri())
        .hasToString("http://localhost:8080/shop/oidc/callback");
  }

  @Test
  void fromSources_initParamWinsOverTheEnvironment() {
    OidcSessionConfig config = from(
        Map.of("BASE_URL", "https://a.example.com", "OIDC_ISSUER", "https://login.example.com/",
            "OIDC_CLIENT_ID", "x"),
        Map.of("BASE_URL", "https://b.example.com", "OIDC_SCOPES", "email, offline_access")).build();
    assertThat(config.baseUrl()).hasToString("https://a.example.com");
    assertThat(config.scopes()).containsExactly("openid", "email", "offline_access");
  }

  @Test
  void fromSources_durationsAsIsoOrSeconds() {
    OidcSessionConfig config = from(MINIMAL, Map.of("SESSION_RENEWAL_INTERVAL", "PT5M",
        "SESSION_IDLE_TIMEOUT", "1800", "SESSION_RENEWAL_JITTER", "0.2")).build();
    assertThat(config.policy().renewalInterval()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.policy().idleTimeout()).contains(Duration.ofMinutes(30));
    assertThat(config.policy().renewalJitter()).isEqualTo(0.2);
  }

  @Test
  void fromSources_badValue_namesTheSettingAndItsSource() {
    assertThatThrownBy(() -> from(MINIMAL, Map.of("SESSION_RENEWAL_JITTER", "1.5")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("SESSION_RENEWAL_JITTER (environment variable): renewalJitter must be at least"
            + " 0.0 and less than 1.0, but was 1.5");
    assertThatThrownBy(() -> from(Map.of("SESSION_MAX_LIFETIME", "soon"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("SESSION_MAX_LIFETIME (init-param): must be an ISO-8601 duration such as PT15M"
            + " or a number of seconds, but was soon");
    assertThatThrownBy(() -> from(Map.of("SESSION_SECRET", "too-short"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("SESSION_SECRET (init-param): sessionSecret must be at least 32 bytes, but was 9 bytes");
    assertThatThrownBy(() -> from(Map.of("BASE_URL", "ftp://x"), Map.of()))
        .hasMessage("BASE_URL (init-param): baseUrl must be an http or https URL, but was ftp://x");
    assertThatThrownBy(() -> from(Map.of("OIDC_ISSUER", "http://login.example.com"), Map.of()))
        .hasMessage("OIDC_ISSUER (init-param): issuer must be an https URL (http only on a loopback"
            + " host), but was http://login.example.com");
  }

  @Test
  void issuer_plainHttpOnEveryLoopbackForm_isAcceptedAndOnALookalikeRejected() {
    for (String loopback : new String[] {"http://localhost:8080", "http://127.0.0.1:9000",
        "http://127.0.0.2", "http://[::1]:8443"}) {
      assertThat(OidcSessionConfig.builder().issuer(loopback)).isNotNull();
    }
    assertThatThrownBy(() -> OidcSessionConfig.builder().issuer("http://127.0.0.1.example.com"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("issuer must be an https URL (http only on a loopback host), but was"
            + " http://127.0.0.1.example.com");
  }

  @Test
  void build_missingRequiredSetting_namesIt() {
    assertThatThrownBy(() -> from(Map.of("OIDC_ISSUER", "https://login.example.com/",
        "OIDC_CLIENT_ID", "x"), Map.of()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("baseUrl (BASE_URL) must be set, but was not");
  }

  /** Found by ConfigSourcesFuzzTest: the derived redirect URI's rule named no setting. */
  @Test
  void baseUrl_plainHttpOffLoopback_isRejectedAtBuildNamingIt() {
    Map<String, String> env = new java.util.HashMap<>(MINIMAL);
    env.put("BASE_URL", "http://app.example");
    assertThatThrownBy(() -> from(Map.of(), env).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("BASE_URL (environment variable): redirectUri must be an https URL");
  }

  /** Found by ConfigSourcesFuzzTest: build() failed with "Illegal character in path", unnamed. */
  @Test
  void loggedOutPath_notAUriReference_isRejectedNamingTheSetting() {
    assertThatThrownBy(() -> from(Map.of("OIDC_LOGGED_OUT_PATH", "/`"), MINIMAL).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("OIDC_LOGGED_OUT_PATH (init-param): loggedOutPath must be a local path, but was /`");
  }

  @Test
  void build_crossPolicyRule_namesTheSettings() {
    assertThatThrownBy(() -> from(MINIMAL, Map.of("SESSION_IDLE_TIMEOUT", "PT2H",
        "SESSION_MAX_LIFETIME", "PT1H")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("SESSION_MAX_LIFETIME (environment variable) and SESSION_IDLE_TIMEOUT"
            + " (environment variable): idleTimeout must be shorter than maxLifetime (PT1H),"
            + " but was PT2H");
  }

  @Test
  void toString_neverPrintsTheSecrets() {
    OidcSessionConfig config = from(MINIMAL, Map.of("OIDC_CLIENT_SECRET", "s3cr3t-client-value",
        "SESSION_SECRET", "0123456789abcdef0123456789abcdef-secret")).build();
    assertThat(config.toString()).doesNotContain("s3cr3t-client-value")
        .doesNotContain("0123456789abcdef0123456789abcdef").contains("clientSecret=(set)");
  }

  @Test
  void webXmlInit_misconfigured_failsWithOneMessageNamingTheSetting() {
    OidcSessionFilter filter = new OidcSessionFilter();
    FilterConfig webXml = filterConfig(Map.of("BASE_URL", "https://app.example.com",
        "OIDC_CLIENT_ID", "x"));
    assertThatThrownBy(() -> filter.init(webXml, name -> null))
        .isInstanceOf(ServletException.class)
        .hasMessage("oidc-session is misconfigured: issuer (OIDC_ISSUER) must be set, but was not");
  }

  @Test
  void webXmlInit_complete_starts() throws ServletException {
    OidcSessionFilter filter = new OidcSessionFilter();
    filter.init(filterConfig(MINIMAL), Map.of("OIDC_CLIENT_SECRET", "from-the-environment")::get);
    assertThat(filter.sessions()).isNotNull();
    filter.destroy();
  }

  private static FilterConfig filterConfig(Map<String, String> params) {
    return new FilterConfig() {
      @Override
      public String getFilterName() {
        return "oidc";
      }

      @Override
      public ServletContext getServletContext() {
        throw new UnsupportedOperationException();
      }

      @Override
      public String getInitParameter(String name) {
        return params.get(name);
      }

      @Override
      public Enumeration<String> getInitParameterNames() {
        return Collections.enumeration(params.keySet());
      }
    };
  }
}
