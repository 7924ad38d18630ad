package dev.oidcsession.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.oidcsession.core.internal.Jwe;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.SecretKey;

/**
 * Stored-entry decoding, fuzzed: any bytes at any compare-and-set version decode without an
 * exception; bytes not sealed under the session's key never decode to a session; a real
 * ciphertext with bytes changed decodes to nothing or to exactly the original session; and a
 * document sealed under the right key but not of format 1 decodes to nothing. Regression inputs:
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
    switch (data.consumeInt(0, 2)) {
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
      default -> {
        // Any document, authentically sealed: decoded only if it is format 1.
        String document = data.consumeRemainingAsString();
        byte[] bytes = Jwe.seal(KEY, document).getBytes(StandardCharsets.US_ASCII);
        Optional<Session> decoded = SessionCodec.decode(entry(bytes, version), KEY);
        if (decoded.isPresent()) {
          assertThat(formatVersion(document)).isEqualTo(SessionCodec.FORMAT_VERSION);
          assertThat(decoded.get().version()).isEqualTo(version);
        }
      }
    }
  }

  private static StoredEntry entry(byte[] value, long version) {
    return new StoredEntry(HANDLE.storeKey(), value, version, T0.plus(Duration.ofHours(1)), Set.of());
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

  private static Long formatVersion(String document) {
    try {
      return JSONObjectUtils.getLong(JSONObjectUtils.parse(document), "v");
    } catch (ParseException e) {
      throw new AssertionError("decoded a document that is not JSON", e);
    }
  }
}
