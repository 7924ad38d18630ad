package dev.oidcsession.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcsession.core.IndexKey;
import dev.oidcsession.core.StoreKey;
import dev.oidcsession.core.StoredEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.openjdk.jol.info.GraphLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.CommandObjects;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.csc.CacheEntry;
import redis.clients.jedis.csc.CacheKey;
import redis.clients.jedis.csc.DefaultCache;
import redis.clients.jedis.csc.LRUEviction;

/**
 * Bytes per client-side cache entry, measured with JOL, for a session of stored format 2 with 1 KB
 * tokens (a 2,294-byte value, as {@code InMemoryFootprintTest} measures): the two structures an
 * {@link EntryCache} fills per entry, built as it builds them without a server. Jedis's reply
 * store (a {@link DefaultCache} on a {@link ConcurrentHashMap} with {@link LRUEviction}: the
 * serialized record, its key and bookkeeping) and the map of decoded entries that hits read.
 */
class EntryCacheFootprintTest {

  private static final Logger log = LoggerFactory.getLogger(EntryCacheFootprintTest.class);
  private static final int ENTRIES = 2_000;
  private static final int VALUE_BYTES = 2_294;

  @Test
  void bytesPerEntry_aboutTwiceTheRecordPlusABoundedOverhead() {
    Random random = new Random(1);
    CommandObjects commands = new CommandObjects(RedisProtocol.RESP3);
    DefaultCache replies =
        new DefaultCache(
            ENTRIES,
            new ConcurrentHashMap<>(),
            new EntryCache.EntryGets("oidcs:"),
            new LRUEviction(ENTRIES)) {};
    Map<String, StoredEntry> decoded = new ConcurrentHashMap<>();
    long emptyReplies = GraphLayout.parseInstance(replies).totalSize();
    long emptyDecoded = GraphLayout.parseInstance(decoded).totalSize();
    long recordBytes = 0;
    for (int i = 0; i < ENTRIES; i++) {
      StoreKey key = new StoreKey(randomBase64Url(random));
      byte[] value = new byte[VALUE_BYTES];
      random.nextBytes(value);
      StoredEntry written =
          new StoredEntry(
              key,
              value,
              3,
              Instant.now().plusSeconds(3_600).plusNanos(123_456),
              Set.of(new IndexKey(randomBase64Url(random))));
      byte[] record = EntryRecord.encode(written);
      recordBytes += record.length;
      CacheKey<byte[]> cacheKey =
          new CacheKey<>(
              commands.get(("oidcs:{" + key.value() + "}:s").getBytes(StandardCharsets.UTF_8)));
      replies.set(cacheKey, new CacheEntry<>(cacheKey, record, null));
      decoded.put(key.value(), EntryRecord.decode(key, record).orElseThrow());
    }
    assertThat(replies.getSize()).isEqualTo(ENTRIES);
    long perRecord = recordBytes / ENTRIES;
    long perReply = (GraphLayout.parseInstance(replies).totalSize() - emptyReplies) / ENTRIES;
    long perDecoded = (GraphLayout.parseInstance(decoded).totalSize() - emptyDecoded) / ENTRIES;
    log.info(
        "client-side cache, {}-byte records: {} bytes per reply kept by Jedis, {} bytes per decoded"
            + " entry, {} bytes per entry",
        perRecord,
        perReply,
        perDecoded,
        perReply + perDecoded);
    // Measured: 3,236 bytes per reply (record 2,363) and 2,648 per decoded entry.
    assertThat(perReply).isBetween(perRecord, perRecord + 1_024);
    assertThat(perDecoded).isBetween((long) VALUE_BYTES, VALUE_BYTES + 512L);
  }

  private static String randomBase64Url(Random random) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
