package dev.oidcsession.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CookiesTest {

  private static List<String> values(String header, int max) {
    List<String> values = new ArrayList<>();
    Cookies.collect(header, "oidc-session", values, max);
    return values;
  }

  @Test
  void findsTheCookieAmongOthers_withOrWithoutWhitespace() {
    assertThat(values("oidc-session=abc", 3)).containsExactly("abc");
    assertThat(values("a=1; oidc-session=abc; b=2", 3)).containsExactly("abc");
    assertThat(values("a=1;oidc-session=abc;b=2", 3)).containsExactly("abc");
    assertThat(values(" oidc-session =\tabc ;x=y", 3)).containsExactly("abc");
    assertThat(values("=abc; oidc-session=v", 3)).containsExactly("v");
  }

  @Test
  void keepsDistinctNonEmptyValuesInOrder_upToTheLimit() {
    assertThat(values("oidc-session=a; oidc-session=a; oidc-session=b", 3))
        .containsExactly("a", "b");
    assertThat(values("oidc-session=; oidc-session= ; oidc-session=c", 3)).containsExactly("c");
    assertThat(values("oidc-session=1; oidc-session=2; oidc-session=3; oidc-session=4", 3))
        .containsExactly("1", "2", "3");
    assertThat(values("oidc-session=1; oidc-session=2", 1)).containsExactly("1");
  }

  @Test
  void otherNamesAndMalformedPairsAreNotTheCookie() {
    assertThat(values("xoidc-session=a; oidc-sessionx=b; OIDC-SESSION=c", 3)).isEmpty();
    assertThat(values("oidc-session", 3)).isEmpty();
    assertThat(values("oidc-session; abc=d", 3)).isEmpty();
    assertThat(values("", 3)).isEmpty();
    assertThat(values(";;;", 3)).isEmpty();
  }

  @Test
  void aValueIsTakenAsSent_quotesAndEqualsSignsIncluded() {
    assertThat(values("oidc-session=\"abc\"", 3)).containsExactly("\"abc\"");
    assertThat(values("oidc-session=a=b", 3)).containsExactly("a=b");
  }
}
