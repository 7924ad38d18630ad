package dev.oidcsession.examples.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The builder's and setters' rules, without starting a server. */
class DevProviderBuilderTest {

  private static final URI REDIRECT = URI.create("http://localhost:8080/oidc/callback");

  @Test
  void port_atBothBounds_isAccepted_oneBeyond_isRejected() {
    assertThat(DevProvider.builder().port(0)).isNotNull();
    assertThat(DevProvider.builder().port(DevProvider.MAX_PORT)).isNotNull();
    assertThatThrownBy(() -> DevProvider.builder().port(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port must be between 0 and 65535, but was -1");
    assertThatThrownBy(() -> DevProvider.builder().port(DevProvider.MAX_PORT + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port must be between 0 and 65535, but was 65536");
  }

  @Test
  void lifetime_zeroOrNegative_isRejected_oneNanosecond_isAccepted() {
    assertThat(DevProvider.builder().accessTokenLifetime(Duration.ofNanos(1))).isNotNull();
    assertThatThrownBy(() -> DevProvider.builder().accessTokenLifetime(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("accessTokenLifetime must be positive, but was PT0S");
    assertThatThrownBy(() -> DevProvider.builder().idTokenLifetime(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("idTokenLifetime must be positive, but was PT-1S");
  }

  @Test
  void singleValuedSetting_setTwice_isIllegalState() {
    assertThatThrownBy(() -> DevProvider.builder().port(0).port(1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("port must be set once, but was already set");
    assertThatThrownBy(() -> DevProvider.builder().client("a", "s", REDIRECT).client("b", "s", REDIRECT))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("client must be set once, but was already set");
  }

  @Test
  void uri_relativeOrWithFragment_isRejected() {
    assertThatThrownBy(() -> DevProvider.builder().postLogoutRedirectUri(URI.create("/relative")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("postLogoutRedirectUri must be an absolute URI without fragment, but was /relative");
    assertThatThrownBy(() -> DevProvider.builder().client("a", "s", URI.create("http://localhost/cb#x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("redirectUri must be an absolute URI without fragment, but was http://localhost/cb#x");
  }

  @Test
  void build_withoutClient_isIllegalState() {
    assertThatThrownBy(() -> DevProvider.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("client must be set, but was not");
  }

  @Test
  void issuer_beforeStart_isIllegalState() {
    DevProvider provider = DevProvider.builder().client("a", "s", REDIRECT).build();
    assertThatThrownBy(provider::issuer)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("provider must be started before its issuer is known, but was not");
    assertThatThrownBy(() -> provider.setAccessTokenLifetime(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    provider.close();
    assertThatThrownBy(provider::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void toString_neverShowsTheClientSecret() {
    DevProvider provider = DevProvider.builder().client("a", "the-client-secret", REDIRECT).build();
    assertThat(provider.toString()).doesNotContain("the-client-secret");
    provider.close();
  }

  @Test
  void escape_coversEveryHtmlSpecialCharacter() {
    assertThat(ProviderServlet.escape("<a href=\"x\" title='y'>&</a>"))
        .isEqualTo("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  }

  @Test
  void withQuery_appendsToAnExistingQueryAndKeepsTheFragment() {
    assertThat(ProviderServlet.withQuery(URI.create("http://h/p?a=1#f"),
            java.util.Map.of("state", java.util.List.of("s t"))))
        .hasToString("http://h/p?a=1&state=s+t#f");
  }
}
