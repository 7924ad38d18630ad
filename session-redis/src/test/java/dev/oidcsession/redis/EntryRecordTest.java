package dev.oidcsession.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcsession.core.IndexKey;
import dev.oidcsession.core.StoreKey;
import dev.oidcsession.core.StoredEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EntryRecordTest {

  private static final StoreKey KEY = new StoreKey("KKKKKKKKKKKKKKKK");
  private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void encode_valueFollowsTheHeadAsRawBytes() {
    byte[] value = {2, 0, (byte) 0xff, ' ', '\n', 'x'};
    StoredEntry entry = new StoredEntry(KEY, value, 7, AT, Set.of(new IndexKey("IIIIIIIIIIIIIIII")));
    byte[] record = EntryRecord.encode(entry);
    String head = "7 1767225600000 IIIIIIIIIIIIIIII r ";
    assertThat(new String(record, 0, head.length(), StandardCharsets.US_ASCII)).isEqualTo(head);
    assertThat(Arrays.copyOfRange(record, head.length(), record.length)).isEqualTo(value);
    assertThat(EntryRecord.decode(KEY, record)).contains(entry);
  }

  @Test
  void decode_recordsOfEarlierVersions_asciiAndBase64() {
    StoredEntry ascii = new StoredEntry(KEY, bytes("a.b.c"), 7, AT,
        Set.of(new IndexKey("IIIIIIIIIIIIIIII"), new IndexKey("JJJJJJJJJJJJJJJJ")));
    assertThat(EntryRecord.decode(KEY,
        bytes("7 1767225600000 IIIIIIIIIIIIIIII,JJJJJJJJJJJJJJJJ a a.b.c"))).contains(ascii);
    StoredEntry binary = new StoredEntry(KEY, new byte[] {'x', 0}, 1, AT, Set.of());
    assertThat(EntryRecord.decode(KEY, bytes("1 1767225600000 - b eAA="))).contains(binary);
  }

  @Test
  void expiresAt_subMillisecond_roundTripsAndExpiresOnTheNextMillisecond() {
    Instant at = AT.plusNanos(1);
    StoredEntry entry = new StoredEntry(KEY, bytes(""), 1, at, Set.of());
    assertThat(new String(EntryRecord.encode(entry), StandardCharsets.US_ASCII))
        .isEqualTo("1 1767225600000.000001 - r ");
    assertThat(EntryRecord.decode(KEY, EntryRecord.encode(entry))).contains(entry);
    assertThat(EntryRecord.expireAtMillis(at)).isEqualTo(1767225600001L);
    assertThat(EntryRecord.expireAtMillis(AT)).isEqualTo(1767225600000L);
  }

  @Test
  void decode_foreignOrDamagedRecord_isEmpty() {
    for (String foreign : new String[] {
        "hello", "", "1", "1 ", "1 1767225600000", "1 1767225600000 - ",
        "0 1767225600000 - r x", // version 0
        "1 1767225600000 short r x", // bad index key
        "1 1767225600000 - b %%%", // bad base64
        "1 1767225600000 - z x", // unknown encoding
        "1 1767225600000.0001 - r x", // not six digits of nanoseconds
        "99999999999999999999 1767225600000 - r x", // too many digits
        "1 1767225600000 -  r x"}) {
      assertThat(EntryRecord.decode(KEY, bytes(foreign))).as(foreign).isEmpty();
    }
  }

  @Test
  void decode_arbitraryBytes_neverThrows() {
    SplittableRandom random = new SplittableRandom(15);
    byte[] valid = EntryRecord.encode(new StoredEntry(KEY, bytes("value"), 3, AT, Set.of()));
    for (int i = 0; i < 5_000; i++) {
      byte[] record = new byte[random.nextInt(0, 64)];
      random.nextBytes(record);
      if (i % 3 == 0) {
        record = Arrays.copyOf(valid, random.nextInt(0, valid.length));
        if (record.length > 0) {
          record[random.nextInt(record.length)] ^= (byte) random.nextInt(1, 256);
        }
      }
      EntryRecord.decode(KEY, record); // empty or an entry, never an exception
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
