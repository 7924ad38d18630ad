package dev.oidcsession.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.oidcsession.core.internal.Digests;
import dev.oidcsession.core.internal.Jwe;
import dev.oidcsession.core.internal.LocalPaths;
import dev.oidcsession.core.oidc.PendingLogin;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The pending-login cookie, fuzzed: any cookie value opens to nothing or to a pending login,
 * never to an exception. A value not sealed under the configured secret (raw input, the real
 * cookie with bytes changed, a real cookie under a forged JWE header) opens to nothing or to the
 * very login sealed in it; a document sealed under the right key opens only if it is a pending
 * login, with a local return path. Regression inputs: {@code PendingLoginCookieFuzzTestInputs/};
 * fuzzing: README.
 */
class PendingLoginCookieFuzzTest {

  private static final byte[] SECRET =
      "fuzz-session-secret-of-at-least-32-bytes".getBytes(StandardCharsets.UTF_8);
  /** The key {@link PendingLoginCookies} derives from {@link #SECRET}. */
  private static final SecretKey KEY = new SecretKeySpec(Digests.hmacSha256(SECRET,
      "oidc-session/v1/pending-login".getBytes(StandardCharsets.US_ASCII)), "AES");
  private static final PendingLoginCookies COOKIES =
      new PendingLoginCookies(SECRET, true, Duration.ofMinutes(10));
  private static final PendingLogin LOGIN = PendingLogin.decode("{\"v\":1,\"s\":\"state-1\","
      + "\"n\":\"nonce-1\",\"cv\":\"verifier-1\",\"r\":\"/app?x=1\",\"t\":1772359200000}");
  private static final String SEALED = COOKIES.seal(LOGIN);

  @FuzzTest
  void forgedCookiesNeverOpen(FuzzedDataProvider data) {
    switch (data.consumeInt(0, 3)) {
      case 0 -> assertThat(COOKIES.open(data.consumeRemainingAsString())).isEmpty();
      case 1 -> {
        Optional<PendingLogin> opened = COOKIES.open(edited(data));
        opened.ifPresent(p -> assertThat(p.encode()).isEqualTo(LOGIN.encode()));
      }
      case 2 -> {
        // Any protected header on the real ciphertext: the header is authenticated data.
        String header = Base64.getUrlEncoder().withoutPadding().encodeToString(
            data.consumeRemainingAsString().getBytes(StandardCharsets.UTF_8));
        String forged = header + SEALED.substring(SEALED.indexOf('.'));
        assertThat(COOKIES.open(forged)).isEmpty();
      }
      default -> {
        String document = data.consumeRemainingAsString();
        Optional<PendingLogin> opened = COOKIES.open(Jwe.seal(KEY, document));
        opened.ifPresent(p -> {
          assertThat(LocalPaths.isLocal(p.returnPath())).isTrue();
          assertThat(PendingLogin.decode(document).encode()).isEqualTo(p.encode());
        });
      }
    }
  }

  /** {@link #SEALED} with up to eight characters overwritten, or cut short. */
  private static String edited(FuzzedDataProvider data) {
    char[] chars = SEALED.toCharArray();
    int edits = data.consumeInt(0, 8);
    for (int i = 0; i < edits; i++) {
      chars[data.consumeInt(0, chars.length - 1)] = data.consumeChar();
    }
    String value = new String(chars);
    return data.consumeBoolean() ? value.substring(0, data.consumeInt(0, value.length())) : value;
  }
}
