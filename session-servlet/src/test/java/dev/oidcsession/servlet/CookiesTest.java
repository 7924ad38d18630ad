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
  void everyCharacterIsReadABoundedNumberOfTimes_evenWithManyPairsWithoutAnEqualsSign() {
    // Before, the search for "=" ran from every pair to the next "=" of the whole header: 64 KB
    // of "a;" were read about 16,000 times over (quadratic), on every request.
    for (String header : List.of("a;".repeat(32 * 1024) + "oidc-session=v",
        "x=1; ".repeat(13_000) + "oidc-session=v", ";".repeat(65_000) + "oidc-session=v")) {
      CountingText counted = new CountingText(header);
      List<String> values = new ArrayList<>();
      Cookies.collect(counted, "oidc-session", values, 3);
      assertThat(values).containsExactly("v");
      assertThat(counted.reads).as("characters read for %d", header.length())
          .isLessThanOrEqualTo(4L * header.length());
    }
  }

  /** A header that counts how often its characters are read. */
  private static final class CountingText implements CharSequence {

    private final String text;
    long reads;

    CountingText(String text) {
      this.text = text;
    }

    @Override
    public int length() {
      return text.length();
    }

    @Override
    public char charAt(int index) {
      reads++;
      return text.charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      reads += end - start;
      return text.subSequence(start, end);
    }

    @Override
    public String toString() {
      return text;
    }
  }

  @Test
  void aValueIsTakenAsSent_quotesAndEqualsSignsIncluded() {
    assertThat(values("oidc-session=\"abc\"", 3)).containsExactly("\"abc\"");
    assertThat(values("oidc-session=a=b", 3)).containsExactly("a=b");
  }
}
