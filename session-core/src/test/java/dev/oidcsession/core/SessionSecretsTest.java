package dev.oidcsession.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.oidcsession.core.TestScheduler.Mode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Secrets stay secret: in toString, in messages, in the store; bad stored values are no session. */
class SessionSecretsTest {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private final ManualClock clock = new ManualClock(T0);
  private final InMemorySessionStore store = new InMemorySessionStore(clock);
  private final RecordingListener listener = new RecordingListener();
  private final SessionManager manager =
      SessionManager.builder()
          .store(store)
          .renewer(new ScriptedRenewer(clock))
          .clock(clock)
          .listener(listener)
          .executor(new TestScheduler(Mode.QUEUED, clock))
          .build();
  private final CreatedSession created =
      manager.create(
          TestTokens.tokens("alice", T0, Duration.ofHours(1), Duration.ofDays(1)),
          Map.of("tenant", "acme"));
  private final String cookie = created.handle().cookieValue();

  {
    NoSecretsInLogs.forbid(cookie);
  }

  @Test
  void toString_ofEveryPublicValue_holdsNoTokenAndNoCookieValue() {
    TokenSet tokens = created.session().tokens();
    StoredEntry entry = store.find(created.session().key()).orElseThrow();
    Set<String> secrets =
        Set.of(
            cookie,
            tokens.accessToken().value(),
            tokens.idToken().raw().value(),
            tokens.refreshToken().orElseThrow().value(),
            new String(entry.value(), StandardCharsets.US_ASCII));
    for (Object value :
        new Object[] {
          created, created.handle(), created.session(), tokens, tokens.accessToken(),
          tokens.idToken(), tokens.refreshToken(), entry, created.session().key(), manager
        }) {
      for (String secret : secrets) {
        assertThat(value.toString()).as(value.getClass().getSimpleName()).doesNotContain(secret);
      }
    }
  }

  @Test
  void store_holdsNeitherTokensNorTheCookieValue() {
    byte[] value = store.find(created.session().key()).orElseThrow().value();
    String stored = new String(value, StandardCharsets.ISO_8859_1);
    TokenSet tokens = created.session().tokens();
    assertThat(stored)
        .doesNotContain(cookie)
        .doesNotContain(tokens.accessToken().value())
        .doesNotContain(tokens.refreshToken().orElseThrow().value())
        .doesNotContain("alice");
    assertThat(value[0]).isEqualTo(SessionCodec.FORMAT_VERSION); // version, IV, AES-GCM
    assertThat(created.session().key().value()).isNotEqualTo(cookie);
  }

  @Test
  void idTokenParse_garbage_messageDoesNotRepeatIt() {
    assertThatThrownBy(() -> IdToken.parse("not-a-jwt-but-a-secret"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("idToken must be a compact JWT, but could not be parsed")
        .message().doesNotContain("not-a-jwt-but-a-secret");
  }

  @Test
  void tokenSecret_equalsByValue_printsOnlyAFingerprint() {
    assertThat(TokenSecret.of("abc")).isEqualTo(TokenSecret.of("abc")).isNotEqualTo(TokenSecret.of("abd"));
    assertThat(TokenSecret.of("abc").toString()).matches("TokenSecret\\[sha256:[0-9a-f]{12}]");
  }

  @Test
  void tamperedValue_isNoSessionAndIsDeleted() {
    byte[] value = storedValue();
    value[value.length / 2] ^= 1;
    assertUnreadable(value);
  }

  @Test
  void truncatedValue_isNoSession() {
    byte[] value = storedValue();
    byte[] cut = new byte[value.length - 10];
    System.arraycopy(value, 0, cut, 0, cut.length);
    assertUnreadable(cut);
  }

  @Test
  void valueEncryptedUnderAnotherHandle_isNoSession() {
    CreatedSession other = manager.create(
        TestTokens.tokens("bob", T0, Duration.ofHours(1), Duration.ofDays(1)));
    assertUnreadable(store.find(other.session().key()).orElseThrow().value());
  }

  @Test
  void unknownFormatVersion_isNoSession() throws Exception {
    com.nimbusds.jose.JWEObject jwe = new com.nimbusds.jose.JWEObject(
        new com.nimbusds.jose.JWEHeader(com.nimbusds.jose.JWEAlgorithm.DIR,
            com.nimbusds.jose.EncryptionMethod.A256GCM),
        new com.nimbusds.jose.Payload("{\"v\":2,\"anything\":\"new\"}"));
    jwe.encrypt(new com.nimbusds.jose.crypto.DirectEncrypter(created.handle().encryptionKey()));
    assertUnreadable(jwe.serialize().getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void emptyValue_isNoSession() {
    assertUnreadable(new byte[0]);
  }

  @Test
  void plainJsonValue_isNoSession() {
    assertUnreadable("{\"v\":1}".getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void decodedCache_storedBytesChangedButVersionKept_isDecodedAnewAndRejected() {
    // A store that hands back other bytes under the same version (someone wrote to Redis
    // directly): the cached plaintext must not be served for them.
    SessionStore forging = new SessionStore() {
      volatile boolean forge;

      @Override
      public Optional<StoredEntry> find(StoreKey key) {
        Optional<StoredEntry> real = store.find(key);
        if (!forge || real.isEmpty()) {
          forge = true;
          return real;
        }
        byte[] value = real.get().value();
        value[value.length / 3] ^= 1;
        return Optional.of(new StoredEntry(key, value, real.get().version(),
            real.get().expiresAt(), real.get().indexKeys()));
      }

      @Override
      public boolean insert(StoredEntry entry) {
        return store.insert(entry);
      }

      @Override
      public boolean replace(StoredEntry entry, long expectedVersion) {
        return store.replace(entry, expectedVersion);
      }

      @Override
      public boolean delete(StoreKey key) {
        return store.delete(key);
      }

      @Override
      public Set<StoreKey> findKeys(IndexKey index) {
        return store.findKeys(index);
      }

      @Override
      public Optional<Lease> tryLease(StoreKey key, Duration ttl) {
        return store.tryLease(key, ttl);
      }

      @Override
      public boolean extendLease(Lease lease, Duration ttl) {
        return store.extendLease(lease, ttl);
      }

      @Override
      public void release(Lease lease) {
        store.release(lease);
      }
    };
    SessionManager viaForger = SessionManager.builder().store(forging)
        .renewer(new ScriptedRenewer(clock)).clock(clock)
        .executor(new TestScheduler(Mode.QUEUED, clock)).build();
    assertThat(viaForger.resolve(cookie)).isPresent(); // decoded and cached
    assertThat(viaForger.resolve(cookie)).isEmpty();   // same version, other bytes
  }

  @Test
  void decodedCacheOff_resolvesTheSameSessions() {
    SessionManager uncached = SessionManager.builder().store(store)
        .renewer(new ScriptedRenewer(clock)).clock(clock).decodedCacheSize(0)
        .executor(new TestScheduler(Mode.QUEUED, clock)).build();
    assertThat(uncached.resolve(cookie)).contains(created.session());
    assertThat(uncached.resolve(cookie)).contains(created.session());
    assertThatThrownBy(() -> SessionManager.builder().decodedCacheSize(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("decodedCacheSize must be between 0 and 1000000, but was -1");
  }

  private byte[] storedValue() {
    return store.find(created.session().key()).orElseThrow().value();
  }

  private void assertUnreadable(byte[] value) {
    StoredEntry current = store.find(created.session().key()).orElseThrow();
    store.replace(new StoredEntry(current.key(), value, current.version() + 1, current.expiresAt(),
        current.indexKeys()), current.version());
    assertThat(manager.resolve(cookie)).isEqualTo(Optional.empty());
    assertThat(store.find(created.session().key())).isEmpty();
  }
}
