package dev.oidcsession.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcsession.core.CreatedSession;
import dev.oidcsession.core.EndReason;
import dev.oidcsession.core.EndedSession;
import dev.oidcsession.core.SessionListener;
import dev.oidcsession.core.SessionManager;
import dev.oidcsession.core.StoredEntry;
import dev.oidcsession.core.StoredFormatV1;
import dev.oidcsession.core.TestTokens;
import dev.oidcsession.core.TokenSet;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;

/**
 * Stored format 2 in a real Redis (issue 15): values are raw bytes, bound to their key; an entry
 * an earlier version wrote (format 1, as a text record) is a clean logout heard by listeners.
 */
class StoredFormatIT {

  private static final Logger log = LoggerFactory.getLogger(StoredFormatIT.class);

  @RegisterExtension static final RedisTopology redis = RedisTopology.standalone();

  private static RedisSessionStore store;
  private static Jedis admin;

  private final List<EndedSession> ended = new CopyOnWriteArrayList<>();
  private final List<String> created = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void connect() {
    store = redis.store();
    admin = redis.closeAfterAll(redis.admin(redis.primary()));
  }

  private SessionManager manager() {
    return SessionManager.builder().store(store).renewer(current -> current)
        .listener(new SessionListener() {
          @Override
          public void created(dev.oidcsession.core.Session session) {
            created.add(session.subject());
          }

          @Override
          public void ended(EndedSession end) {
            ended.add(end);
          }
        }).build();
  }

  @Test
  void entryOfFormat1_asAnEarlierVersionWroteIt_isACleanLogoutWithStoredFormatRetired() {
    try (SessionManager manager = manager()) {
      CreatedSession session = manager.create(tokens("alice"));
      String entryKey = store.entryKey(session.session().key());
      StoredEntry v2 = store.find(session.session().key()).orElseThrow();
      // The record as the previous version wrote it: encoding "a", the compact JWE as it is.
      byte[] jwe = StoredFormatV1.entry(session, v2).value();
      String v1Record = "1 " + EntryRecord.expiresAt(v2.expiresAt()) + " "
          + EntryRecord.indexes(v2.indexKeys()) + " a " + new String(jwe, StandardCharsets.US_ASCII);
      admin.set(entryKey, v1Record);

      assertThat(manager.resolve(session.handle().cookieValue())).isEmpty();
      assertThat(admin.exists(entryKey)).isFalse();
      assertThat(ended).singleElement().satisfies(e -> {
        assertThat(e.reason()).isEqualTo(EndReason.STORED_FORMAT_RETIRED);
        assertThat(e.key()).isEqualTo(session.session().key());
      });
      // Logged out once: the next request has no session and no second event.
      assertThat(manager.resolve(session.handle().cookieValue())).isEmpty();
      assertThat(ended).hasSize(1);
    }
  }

  @Test
  void valueCopiedUnderAnotherSessionsKey_yieldsNoSessionAndACleanEnd() {
    try (SessionManager manager = manager()) {
      CreatedSession alice = manager.create(tokens("alice"));
      CreatedSession mallory = manager.create(tokens("mallory"));
      byte[] aliceRecord = admin.get(store.entryKey(alice.session().key())
          .getBytes(StandardCharsets.US_ASCII));
      byte[] malloryKey = store.entryKey(mallory.session().key()).getBytes(StandardCharsets.US_ASCII);
      admin.set(malloryKey, aliceRecord);

      // Mallory's cookie meets Alice's ciphertext: not Alice's session, not an exception.
      assertThat(manager.resolve(mallory.handle().cookieValue())).isEmpty();
      assertThat(admin.exists(malloryKey)).isFalse();
      assertThat(ended).isEmpty(); // unreadable, not retired: deleted without an event
      assertThat(manager.resolve(alice.handle().cookieValue()).orElseThrow().subject())
          .isEqualTo("alice");
    }
  }

  @Test
  void memoryUsage_format2AgainstFormat1_forRealisticTokens() {
    try (SessionManager manager = manager()) {
      CreatedSession session = manager.create(tokens("auth0|5f7c8ec7c33c6c004bbafe82"));
      String entryKey = store.entryKey(session.session().key());
      StoredEntry v2 = store.find(session.session().key()).orElseThrow();
      long v2Bytes = admin.strlen(entryKey);
      long v2Memory = admin.memoryUsage(entryKey);
      byte[] jwe = StoredFormatV1.entry(session, v2).value();
      admin.set(entryKey + "-v1", "1 " + EntryRecord.expiresAt(v2.expiresAt()) + " "
          + EntryRecord.indexes(v2.indexKeys()) + " a " + new String(jwe, StandardCharsets.US_ASCII));
      long v1Bytes = admin.strlen(entryKey + "-v1");
      long v1Memory = admin.memoryUsage(entryKey + "-v1");
      admin.del(entryKey + "-v1");
      log.info("Redis, 1 KB access and ID tokens: format 2 record {} bytes, MEMORY USAGE {} bytes;"
          + " format 1 record {} bytes, MEMORY USAGE {} bytes", v2Bytes, v2Memory, v1Bytes, v1Memory);
      assertThat(v2Bytes).isLessThan(v1Bytes * 80 / 100);
      assertThat(v2Memory).isLessThan(v1Memory);
    }
  }

  private static TokenSet tokens(String subject) {
    Instant now = Instant.now();
    return TokenSet.fromTokenResponse(
        TestTokens.jwtAccessToken(now.plus(Duration.ofDays(1)), 1024), Duration.ofDays(1),
        TestTokens.idToken(subject, "sid-" + subject.length(), List.of(TestTokens.CLIENT), now,
            now.plus(Duration.ofDays(7)), 1024),
        TestTokens.refreshToken(), "openid profile email offline_access", now);
  }
}
