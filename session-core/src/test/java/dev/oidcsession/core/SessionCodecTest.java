package dev.oidcsession.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.Test;

/** Stored format 2: round trip, binding to store key and version, and no exception for any bytes. */
class SessionCodecTest {

  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  final SecureRandom random = new SecureRandom();

  SessionHandle handle() {
    return SessionHandle.generate(random);
  }

  Session session(SessionHandle handle, boolean full) {
    TokenSet tokens = TokenSet.fromTokenResponse(
        TestTokens.jwtAccessToken(T0.plus(Duration.ofHours(1)), 1024), null,
        TestTokens.idToken("user-é", full ? "sid-1" : null, List.of(TestTokens.CLIENT), T0,
            T0.plus(Duration.ofDays(1)), 1024),
        full ? TestTokens.refreshToken() : null, "openid profile", T0);
    Map<String, String> attributes = full ? Map.of("tenant", "ü-42", "", "empty") : Map.of();
    return new Session(handle.storeKey(), tokens, T0, T0.plusSeconds(1), T0.plusSeconds(2),
        T0.plus(Duration.ofHours(1)), T0.plusSeconds(1800), 7, attributes);
  }

  StoredEntry entry(StoreKey key, byte[] value, long version) {
    return new StoredEntry(key, value, version, T0.plus(Duration.ofHours(1)), java.util.Set.of());
  }

  @Test
  void roundTrip_everyField() {
    for (boolean full : new boolean[] {true, false}) {
      SessionHandle handle = handle();
      Session session = session(handle, full);
      byte[] value = SessionCodec.encode(session, handle.encryptionKey());
      assertThat(value[0]).isEqualTo(SessionCodec.FORMAT_VERSION);

      Session decoded = SessionCodec.decode(entry(handle.storeKey(), value, 7), handle.encryptionKey())
          .orElseThrow();
      assertThat(decoded).isEqualTo(session);
      assertThat(decoded.attributes()).isEqualTo(session.attributes());
      assertThat(decoded.sid()).isEqualTo(session.sid());
      assertThat(decoded.tokens().refreshToken()).isEqualTo(session.tokens().refreshToken());
      assertThat(decoded.tokens().accessTokenExpiresAt())
          .isEqualTo(session.tokens().accessTokenExpiresAt());
      IdToken idToken = decoded.tokens().idToken();
      IdToken original = session.tokens().idToken();
      assertThat(List.of(idToken.issuer(), idToken.subject(), idToken.audience(),
          idToken.expiresAt(), idToken.sid())).isEqualTo(List.of(original.issuer(),
          original.subject(), original.audience(), original.expiresAt(), original.sid()));
      assertThat(idToken.claims()).isEqualTo(original.claims()); // read from the raw token
    }
  }

  @Test
  void encode_freshIvEachTime_andSmallerThanFormat1() {
    SessionHandle handle = handle();
    Session session = session(handle, true);
    byte[] a = SessionCodec.encode(session, handle.encryptionKey());
    byte[] b = SessionCodec.encode(session, handle.encryptionKey());
    assertThat(Arrays.copyOfRange(a, 1, 13)).isNotEqualTo(Arrays.copyOfRange(b, 1, 13));
    assertThat(a.length).isLessThan(StoredFormatV1.encode(session, handle.encryptionKey()).length);
  }

  @Test
  void decode_valueCopiedUnderAnotherStoreKey_isRefused() {
    SessionHandle handle = handle();
    byte[] value = SessionCodec.encode(session(handle, true), handle.encryptionKey());
    // Even with the right encryption key, the store key is authenticated.
    assertThat(SessionCodec.decode(entry(handle().storeKey(), value, 7), handle.encryptionKey()))
        .isEmpty();
  }

  @Test
  void decode_wrongKey_isRefused() {
    SessionHandle handle = handle();
    byte[] value = SessionCodec.encode(session(handle, true), handle.encryptionKey());
    assertThat(SessionCodec.decode(entry(handle.storeKey(), value, 7), handle().encryptionKey()))
        .isEmpty();
  }

  @Test
  void decode_otherVersionByte_isRefused() {
    SessionHandle handle = handle();
    byte[] value = SessionCodec.encode(session(handle, true), handle.encryptionKey());
    for (int version : new int[] {0, 1, 3, 0x7f, -1}) {
      byte[] relabelled = value.clone();
      relabelled[0] = (byte) version;
      assertThat(SessionCodec.decode(entry(handle.storeKey(), relabelled, 7),
          handle.encryptionKey())).isEmpty();
    }
  }

  @Test
  void decode_anyFlippedBit_isRefused() {
    SessionHandle handle = handle();
    byte[] value = SessionCodec.encode(session(handle, false), handle.encryptionKey());
    SecretKey key = handle.encryptionKey();
    for (int i = 0; i < value.length; i++) {
      for (int bit = 0; bit < 8; bit += 3) {
        byte[] tampered = value.clone();
        tampered[i] ^= (byte) (1 << bit);
        assertThat(SessionCodec.decode(entry(handle.storeKey(), tampered, 7), key))
            .as("byte %d bit %d", i, bit).isEmpty();
      }
    }
  }

  @Test
  void decode_truncatedOrExtended_isRefused() {
    SessionHandle handle = handle();
    byte[] value = SessionCodec.encode(session(handle, false), handle.encryptionKey());
    SecretKey key = handle.encryptionKey();
    for (int length = 0; length < value.length; length++) {
      assertThat(SessionCodec.decode(entry(handle.storeKey(), Arrays.copyOf(value, length), 7), key))
          .as("length %d", length).isEmpty();
    }
    assertThat(SessionCodec.decode(entry(handle.storeKey(), Arrays.copyOf(value, value.length + 1),
        7), key)).isEmpty();
  }

  @Test
  void decode_arbitraryBytes_neverThrows() {
    SessionHandle handle = handle();
    SecretKey key = handle.encryptionKey();
    byte[] valid = SessionCodec.encode(session(handle, true), key);
    SplittableRandom bytes = new SplittableRandom(15);
    for (int i = 0; i < 5_000; i++) {
      byte[] value = new byte[bytes.nextInt(0, 200)];
      bytes.nextBytes(value);
      if (i % 2 == 0 && value.length > 0) {
        value[0] = SessionCodec.FORMAT_VERSION;
      }
      if (i % 5 == 0) { // a valid prefix with random tail
        value = Arrays.copyOf(valid, bytes.nextInt(0, valid.length));
      }
      Optional<Session> decoded = SessionCodec.decode(entry(handle.storeKey(), value, 1), key);
      assertThat(decoded).isEmpty();
      assertThat(SessionCodec.isRetiredFormat(entry(handle.storeKey(), value, 1))).isFalse();
    }
  }

  @Test
  void isRetiredFormat_format1Only() {
    SessionHandle handle = handle();
    Session session = session(handle, true);
    byte[] v1 = StoredFormatV1.encode(session, handle.encryptionKey());
    assertThat(SessionCodec.isRetiredFormat(entry(handle.storeKey(), v1, 1))).isTrue();
    assertThat(SessionCodec.decode(entry(handle.storeKey(), v1, 1), handle.encryptionKey()))
        .isEmpty();
    assertThat(StoredFormatV1.decode(entry(handle.storeKey(), v1, 7), handle.encryptionKey()))
        .contains(session);
    byte[] v2 = SessionCodec.encode(session, handle.encryptionKey());
    assertThat(SessionCodec.isRetiredFormat(entry(handle.storeKey(), v2, 1))).isFalse();
  }
}
