package dev.oidcsession.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.oidcsession.core.internal.Jwe;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Stored-entry decoding, fuzzed: any bytes at any compare-and-set version decode without an
 * exception; bytes not sealed under the session's key never decode to a session; a real
 * ciphertext with bytes changed decodes to nothing or to exactly the original session; any body
 * authentically sealed in format 2 decodes to nothing or to a session of the entry's version; and
 * a document sealed as the retired format 1 never decodes. Regression inputs:
 * {@code StoredEntryFuzzTestInputs/}; fuzzing: README.
 */
class StoredEntryFuzzTest {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final SessionHandle HANDLE = SessionHandle.generate(new SecureRandom());
  private static final SecretKey KEY = HANDLE.encryptionKey();
  private static final Session SESSION = new Session(HANDLE.storeKey(),
      TestTokens.tokens("alice", T0, Duration.ofHours(1), Duration.ofDays(1)),
      T0, T0, T0, T0.plus(Duration.ofHours(1)), T0.plus(Duration.ofMinutes(15)), 1,
      Map.of("cart", "42"));
  private static final byte[] SEALED = SessionCodec.encode(SESSION, KEY);

  @FuzzTest
  void forgedBytesNeverDecodeToASession(FuzzedDataProvider data) {
    long version = data.consumeLong(1, Long.MAX_VALUE);
    switch (data.consumeInt(0, 3)) {
      case 0 -> {
        // Raw bytes: not sealed under the key, so never a session.
        byte[] bytes = data.consumeRemainingAsBytes();
        assertThat(SessionCodec.decode(entry(bytes, version), KEY)).isEmpty();
      }
      case 1 -> {
        // The real ciphertext, edited: nothing, or exactly the session sealed in it.
        byte[] bytes = edited(data);
        Optional<Session> decoded = SessionCodec.decode(entry(bytes, version), KEY);
        decoded.ifPresent(s -> {
          assertThat(s.tokens()).isEqualTo(SESSION.tokens());
          assertThat(s.attributes()).isEqualTo(SESSION.attributes());
          assertThat(s.expiresAt()).isEqualTo(SESSION.expiresAt());
          assertThat(s.version()).isEqualTo(version);
        });
      }
      case 2 -> {
        // Any body, authentically sealed in format 2 under the key and this entry's store key:
        // nothing, or a session that carries the entry's version; never an exception.
        byte[] bytes = sealFormat2(data.consumeRemainingAsBytes());
        SessionCodec.decode(entry(bytes, version), KEY)
            .ifPresent(s -> assertThat(s.version()).isEqualTo(version));
      }
      default -> {
        // Any document sealed as the retired format 1 (a compact JWE): never decoded any more.
        String document = data.consumeRemainingAsString();
        byte[] bytes = Jwe.seal(KEY, document).getBytes(StandardCharsets.US_ASCII);
        assertThat(SessionCodec.decode(entry(bytes, version), KEY)).isEmpty();
      }
    }
  }

  private static StoredEntry entry(byte[] value, long version) {
    return new StoredEntry(HANDLE.storeKey(), value, version, T0.plus(Duration.ofHours(1)), Set.of());
  }

  /** Format 2 framing around {@code body}: version, IV, AES-256-GCM bound to the store key. */
  private static byte[] sealFormat2(byte[] body) {
    try {
      byte[] iv = new byte[SessionCodec.IV_BYTES];
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, KEY, new GCMParameterSpec(SessionCodec.TAG_BYTES * 8, iv));
      cipher.updateAAD(("\u0002" + HANDLE.storeKey().value()).getBytes(StandardCharsets.US_ASCII));
      byte[] sealed = cipher.doFinal(body);
      byte[] out = new byte[1 + iv.length + sealed.length];
      out[0] = SessionCodec.FORMAT_VERSION;
      System.arraycopy(sealed, 0, out, 1 + iv.length, sealed.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  /** {@link #SEALED} with up to eight bytes overwritten, or cut short. */
  private static byte[] edited(FuzzedDataProvider data) {
    byte[] bytes = SEALED.clone();
    int edits = data.consumeInt(0, 8);
    for (int i = 0; i < edits; i++) {
      bytes[data.consumeInt(0, bytes.length - 1)] = data.consumeByte();
    }
    return data.consumeBoolean() ? Arrays.copyOf(bytes, data.consumeInt(0, bytes.length)) : bytes;
  }
}
