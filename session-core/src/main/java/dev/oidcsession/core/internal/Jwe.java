package dev.oidcsession.core.internal;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.DirectDecrypter;
import com.nimbusds.jose.crypto.DirectEncrypter;
import java.text.ParseException;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.SecretKey;

/**
 * The one way oidc-session seals a value: a compact JWE with direct AES-256-GCM ({@code dir},
 * {@code A256GCM}, RFC 7516 / RFC 7518 §4.5 and §5.3). Used for stored sessions and for the
 * pending-login cookie. Opening accepts nothing else: another algorithm, a wrong key, a tampered
 * or truncated value all open to empty, never to an exception. Thread-safe. Not API.
 */
public final class Jwe {

  private static final JWEHeader HEADER = new JWEHeader(JWEAlgorithm.DIR, EncryptionMethod.A256GCM);

  private Jwe() {}

  /**
   * Encrypts {@code payload} under {@code key} (256 bits) with a fresh random IV.
   *
   * @return the compact serialization (ASCII)
   */
  public static String seal(SecretKey key, String payload) {
    Objects.requireNonNull(key, "key");
    JWEObject jwe = new JWEObject(HEADER, new Payload(Objects.requireNonNull(payload, "payload")));
    try {
      jwe.encrypt(new DirectEncrypter(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("AES-256-GCM encryption failed", e);
    }
    return jwe.serialize();
  }

  /**
   * The payload sealed in {@code compact} under {@code key}, or empty if it is not a {@code
   * dir}/{@code A256GCM} JWE that decrypts and authenticates under that key. Never throws for bad
   * input.
   */
  public static Optional<String> open(SecretKey key, String compact) {
    Objects.requireNonNull(key, "key");
    if (compact == null) {
      return Optional.empty();
    }
    try {
      JWEObject jwe = JWEObject.parse(compact);
      if (!JWEAlgorithm.DIR.equals(jwe.getHeader().getAlgorithm())
          || !EncryptionMethod.A256GCM.equals(jwe.getHeader().getEncryptionMethod())) {
        return Optional.empty();
      }
      jwe.decrypt(new DirectDecrypter(key));
      return Optional.of(jwe.getPayload().toString());
    } catch (ParseException | JOSEException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
