package dev.oidcsession.redis;

import static dev.oidcsession.core.TestKeys.randomKey;
import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcsession.core.CreatedSession;
import dev.oidcsession.core.IndexKey;
import dev.oidcsession.core.Lease;
import dev.oidcsession.core.SessionManager;
import dev.oidcsession.core.StoreKey;
import dev.oidcsession.core.StoredEntry;
import dev.oidcsession.core.TestTokens;
import dev.oidcsession.core.TokenSet;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.resps.Tuple;

/**
 * What goes over the wire and into Redis: the command cost of resolving a session (through {@code
 * INFO commandstats}), the bytes a realistic session takes, and the layout documented in {@link
 * RedisSessionStore}'s Javadoc.
 */
class RedisWireIT {

  private static final Logger log = LoggerFactory.getLogger(RedisWireIT.class);
  private static final Instant YEAR_2100 = Instant.parse("2100-01-01T00:00:00Z");

  @RegisterExtension static final RedisTopology redis = RedisTopology.standalone();

  private static RedisSessionStore store;
  private static Jedis admin;

  @BeforeAll
  static void connect() {
    store = redis.store();
    admin = redis.closeAfterAll(redis.admin(redis.primary()));
  }

  @Test
  void resolve_steadyState_costsExactlyOneGetAndNothingElse() {
    try (SessionManager manager = manager()) {
      String cookie = manager.create(realisticTokens()).handle().cookieValue();
      assertThat(manager.resolve(cookie)).isPresent(); // warm: the pooled connection exists

      admin.configResetStat();
      int resolves = 100;
      for (int i = 0; i < resolves; i++) {
        assertThat(manager.resolve(cookie)).isPresent();
      }
      Map<String, Long> calls = commandCalls();
      log.info("commands for {} resolves: {}", resolves, calls);
      assertThat(calls).containsExactly(Map.entry("get", (long) resolves));
    }
  }

  @Test
  void storedSession_accessAndIdTokensOf1KB_bytesAreMeasured() {
    try (SessionManager manager = manager()) {
      CreatedSession created = manager.create(realisticTokens());
      StoredEntry entry = store.find(created.session().key()).orElseThrow();
      String entryKey = store.entryKey(entry.key());
      long recordBytes = admin.strlen(entryKey);
      long entryMemory = admin.memoryUsage(entryKey);
      long indexMemory = 0;
      for (IndexKey index : entry.indexKeys()) {
        indexMemory += admin.memoryUsage(store.indexKey(index.value()));
      }
      log.info(
          "a session with 1 KB access and ID tokens: value {} bytes, record {} bytes, MEMORY USAGE"
              + " of the entry key {} bytes, of its {} index keys {} bytes",
          entry.size(),
          recordBytes,
          entryMemory,
          entry.indexKeys().size(),
          indexMemory);
      assertThat(recordBytes).isBetween((long) entry.size(), entry.size() + 200L);
      assertThat(entryMemory).isLessThan(8 * 1024L);
    }
  }

  @Test
  void wireFormat_isAsTheJavadocSays() {
    StoreKey key = new StoreKey("KKKKKKKKKKKKKKKKKKKKKK");
    IndexKey sub = new IndexKey("SSSSSSSSSSSSSSSS");
    IndexKey sid = new IndexKey("DDDDDDDDDDDDDDDD");
    store.delete(key);
    byte[] jwe = "hdr..iv.ct.tag".getBytes(StandardCharsets.US_ASCII);
    assertThat(store.insert(new StoredEntry(key, jwe, 1, YEAR_2100, Set.of(sub, sid)))).isTrue();

    assertThat(admin.get("oidcs:{KKKKKKKKKKKKKKKKKKKKKK}:s"))
        .isEqualTo("1 4102444800000 DDDDDDDDDDDDDDDD,SSSSSSSSSSSSSSSS r hdr..iv.ct.tag");
    assertThat(admin.pttl("oidcs:{KKKKKKKKKKKKKKKKKKKKKK}:s"))
        .isCloseTo(YEAR_2100.toEpochMilli() - System.currentTimeMillis(), org.assertj.core.data.Offset.offset(60_000L));
    for (String index : List.of("SSSSSSSSSSSSSSSS", "DDDDDDDDDDDDDDDD")) {
      assertThat(admin.zrangeWithScores("oidcs:{" + index + "}:i", 0, -1))
          .containsExactly(new Tuple("KKKKKKKKKKKKKKKKKKKKKK", 4102444800000.0));
      assertThat(admin.pttl("oidcs:{" + index + "}:i")).isPositive();
    }

    // Replace: binary value (raw bytes), sub-millisecond expiry, one index left, one kept.
    Instant subMilli = YEAR_2100.plusNanos(1_500_123);
    byte[] binary = {0, 1, (byte) 0xff, ' '};
    assertThat(store.replace(new StoredEntry(key, binary, 2, subMilli, Set.of(sub)), 1)).isTrue();
    byte[] head = "2 4102444800001.500123 SSSSSSSSSSSSSSSS r ".getBytes(StandardCharsets.US_ASCII);
    byte[] record = java.util.Arrays.copyOf(head, head.length + binary.length);
    System.arraycopy(binary, 0, record, head.length, binary.length);
    assertThat(admin.get("oidcs:{KKKKKKKKKKKKKKKKKKKKKK}:s".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo(record);
    assertThat(store.find(key)).contains(new StoredEntry(key, binary, 2, subMilli, Set.of(sub)));
    assertThat(admin.zrangeWithScores("oidcs:{SSSSSSSSSSSSSSSS}:i", 0, -1))
        .containsExactly(new Tuple("KKKKKKKKKKKKKKKKKKKKKK", 4102444800002.0));
    assertThat(admin.exists("oidcs:{DDDDDDDDDDDDDDDD}:i")).isFalse();
    assertThat(admin.info("commandstats")).doesNotContain("cmdstat_wait"); // no replicas here

    Lease lease = store.tryLease(key, Duration.ofSeconds(30)).orElseThrow();
    assertThat(admin.get("oidcs:{KKKKKKKKKKKKKKKKKKKKKK}:l")).isEqualTo(lease.owner());
    assertThat(admin.pttl("oidcs:{KKKKKKKKKKKKKKKKKKKKKK}:l")).isBetween(1L, 30_000L);
    store.release(lease);
    assertThat(admin.exists("oidcs:{KKKKKKKKKKKKKKKKKKKKKK}:l")).isFalse();

    assertThat(store.delete(key)).isTrue();
    assertThat(admin.exists("oidcs:{KKKKKKKKKKKKKKKKKKKKKK}:s")).isFalse();
    assertThat(admin.exists("oidcs:{SSSSSSSSSSSSSSSS}:i")).isFalse();
  }

  @Test
  void keyPrefix_onTheBuilderOfAConfig_prefixesEntryLeaseAndIndexKeys() {
    StoreKey key = randomKey();
    IndexKey index = new IndexKey("PPPPPPPPPPPPPPPP");
    try (RedisSessionStore prefixed =
        RedisSessionStore.builder(redis.config().build()).keyPrefix("app7:").build()) {
      assertThat(prefixed.toString()).isEqualTo("RedisSessionStore[standalone, prefix=app7:]");
      assertThat(store.toString()).isEqualTo("RedisSessionStore[standalone, prefix=oidcs:]");
      byte[] value = "v".getBytes(StandardCharsets.US_ASCII);
      assertThat(prefixed.insert(new StoredEntry(key, value, 1, YEAR_2100, Set.of(index)))).isTrue();
      Lease lease = prefixed.tryLease(key, Duration.ofSeconds(30)).orElseThrow();

      assertThat(admin.exists("app7:{" + key.value() + "}:s")).isTrue();
      assertThat(admin.get("app7:{" + key.value() + "}:l")).isEqualTo(lease.owner());
      assertThat(admin.exists("app7:{PPPPPPPPPPPPPPPP}:i")).isTrue();
      assertThat(store.find(key)).isEmpty(); // another prefix: another application's keys
      prefixed.release(lease);
      assertThat(prefixed.delete(key)).isTrue();
    }
  }

  @Test
  void find_recordOfSomethingElseUnderThePrefix_isAbsent() {
    StoreKey key = randomKey();
    admin.set(store.entryKey(key), "not a record");
    assertThat(store.find(key)).isEmpty();
  }

  private static SessionManager manager() {
    return SessionManager.builder()
        .store(store)
        .renewer(current -> current)
        .build();
  }

  /** Tokens as a real provider gives: JWT access token and ID token of about 1 KB each. */
  private static TokenSet realisticTokens() {
    Instant now = Instant.now();
    String accessToken = TestTokens.jwtAccessToken(now.plus(Duration.ofDays(1)), 1024);
    String idToken =
        TestTokens.idToken(
            "auth0|5f7c8ec7c33c6c004bbafe82",
            "sid-8Kq2mZ0yPpQ",
            List.of(TestTokens.CLIENT),
            now,
            now.plus(Duration.ofDays(7)),
            1024);
    return TokenSet.fromTokenResponse(
        accessToken,
        Duration.ofDays(1),
        idToken,
        TestTokens.refreshToken() + "-v1.MRrtJj2Yg0oxW6uJp4aOv2vW8aF8x1wK5Qd3kS0e",
        "openid profile email offline_access",
        now);
  }

  /** {@code INFO commandstats} as command to calls, without the CONFIG RESETSTAT that reset it. */
  private static Map<String, Long> commandCalls() {
    Map<String, Long> calls = new LinkedHashMap<>();
    for (String line : admin.info("commandstats").split("\r?\n")) {
      if (!line.startsWith("cmdstat_")) {
        continue;
      }
      String command = line.substring("cmdstat_".length(), line.indexOf(':'));
      long count = Long.parseLong(line.replaceAll("^[^:]*:calls=(\\d+),.*$", "$1"));
      if (!command.equals("config")) {
        calls.put(command, count);
      }
    }
    return calls;
  }
}
