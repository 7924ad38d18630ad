package dev.oidcsession.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SessionHandleTest {

  private static final String ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

  @Test
  void aGeneratedValueParsesBackToTheSameHandle() {
    SessionHandle handle = SessionHandle.generate(new SecureRandom());
    assertThat(SessionHandle.parse(handle.cookieValue())).contains(handle);
  }

  @Test
  void onlyTheCanonicalOfTheFourSpellingsOfOneSecretParses() {
    // 32 bytes are 256 bits in 43 characters of 6 bits: the last character's 2 low bits are unused.
    String canonical = SessionHandle.generate(new SecureRandom()).cookieValue();
    int last = ALPHABET.indexOf(canonical.charAt(42));
    assertThat(last & 3).isZero();
    for (int unused = 1; unused < 4; unused++) {
      String spelling = canonical.substring(0, 42) + ALPHABET.charAt(last | unused);
      assertThat(Base64.getUrlDecoder().decode(spelling))
          .isEqualTo(Base64.getUrlDecoder().decode(canonical));
      assertThat(SessionHandle.parse(spelling)).as(spelling).isEmpty();
    }
    assertThat(SessionHandle.parse(canonical)).isPresent();
  }

  @Test
  void aValueOutsideTheAlphabetOrOfAnotherLengthDoesNotParse() {
    String canonical = SessionHandle.generate(new SecureRandom()).cookieValue();
    assertThat(SessionHandle.parse(canonical.substring(1))).isEmpty();
    assertThat(SessionHandle.parse(canonical + "A")).isEmpty();
    assertThat(SessionHandle.parse("+" + canonical.substring(1))).isEmpty();
    assertThat(SessionHandle.parse(canonical.substring(0, 42) + "=")).isEmpty();
    assertThat(SessionHandle.parse("\u00c0" + canonical.substring(1))).isEmpty();
    assertThat(SessionHandle.parse(null)).isEmpty();
  }
}
