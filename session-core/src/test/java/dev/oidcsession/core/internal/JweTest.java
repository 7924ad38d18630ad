package dev.oidcsession.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.DirectEncrypter;
import java.security.SecureRandom;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class JweTest {

  private static final SecureRandom RANDOM = new SecureRandom();

  private static SecretKey key() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return new SecretKeySpec(bytes, "AES");
  }

  @Test
  void seal_thenOpenWithTheSameKey_givesThePayloadBack() {
    SecretKey key = key();

    String sealed = Jwe.seal(key, "{\"v\":1}");

    assertThat(sealed).doesNotContain("\"v\"");
    assertThat(Jwe.open(key, sealed)).contains("{\"v\":1}");
  }

  @Test
  void seal_samePayloadTwice_givesDifferentCiphertexts() {
    SecretKey key = key();

    assertThat(Jwe.seal(key, "x")).isNotEqualTo(Jwe.seal(key, "x"));
  }

  @Test
  void open_anotherKey_isEmpty() {
    assertThat(Jwe.open(key(), Jwe.seal(key(), "x"))).isEmpty();
  }

  @Test
  void open_tamperedCiphertextOrTag_isEmpty() {
    SecretKey key = key();
    String sealed = Jwe.seal(key, "payload");
    String[] parts = sealed.split("\\.");
    String flipped = parts[3].charAt(0) == 'A' ? "B" + parts[3].substring(1) : "A" + parts[3].substring(1);
    String tag = parts[4].charAt(0) == 'A' ? "B" + parts[4].substring(1) : "A" + parts[4].substring(1);

    assertThat(Jwe.open(key, String.join(".", parts[0], parts[1], parts[2], flipped, parts[4])))
        .isEmpty();
    assertThat(Jwe.open(key, String.join(".", parts[0], parts[1], parts[2], parts[3], tag)))
        .isEmpty();
  }

  @Test
  void open_anotherContentEncryption_isEmptyEvenUnderTheRightKey() throws Exception {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    SecretKey key = new SecretKeySpec(bytes, "AES");
    JWEObject cbc =
        new JWEObject(new JWEHeader(JWEAlgorithm.DIR, EncryptionMethod.A128CBC_HS256), new Payload("x"));
    cbc.encrypt(new DirectEncrypter(key));

    assertThat(Jwe.open(key, cbc.serialize())).isEmpty();
  }

  @Test
  void open_garbageOrNull_isEmpty() {
    SecretKey key = key();

    assertThat(Jwe.open(key, null)).isEmpty();
    assertThat(Jwe.open(key, "")).isEmpty();
    assertThat(Jwe.open(key, "a.b.c.d.e")).isEmpty();
    assertThat(Jwe.open(key, "....")).isEmpty();
  }

  /** An earlier fuzzing run found a header without {@code enc} escaping as a NullPointerException. */
  @Test
  void open_forgedHeaderOnARealCiphertext_isEmpty() {
    SecretKey key = key();
    String sealed = Jwe.seal(key, "{\"v\":1}");
    String rest = sealed.substring(sealed.indexOf('.'));
    for (String header : new String[] {"{\"alg\":\"dir\"}", "{\"enc\":\"A256GCM\"}",
        "{\"alg\":\"dir\",\"enc\":null}", "{\"alg\":null,\"enc\":\"A256GCM\"}", "{}", "[]",
        "{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"zip\":\"DEF\"}"}) {
      String forged = java.util.Base64.getUrlEncoder().withoutPadding()
          .encodeToString(header.getBytes(java.nio.charset.StandardCharsets.UTF_8)) + rest;
      assertThat(Jwe.open(key, forged)).as(header).isEmpty();
    }
  }
}
