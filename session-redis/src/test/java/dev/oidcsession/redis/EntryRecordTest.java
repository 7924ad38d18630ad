package dev.oidcsession.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcsession.core.IndexKey;
import dev.oidcsession.core.StoreKey;
import dev.oidcsession.core.StoredEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EntryRecordTest {

  private static final StoreKey KEY = new StoreKey("KKKKKKKKKKKKKKKK");
  private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void encode_asciiValue_isStoredAsItIs() {
    StoredEntry entry = new StoredEntry(KEY, ascii("a.b.c"), 7, AT, Set.of(new IndexKey("IIIIIIIIIIIIIIII")));
    assertThat(EntryRecord.encode(entry)).isEqualTo("7 1767225600000 IIIIIIIIIIIIIIII a a.b.c");
    assertThat(EntryRecord.decode(KEY, EntryRecord.encode(entry))).contains(entry);
  }

  @Test
  void encode_bytesOutsidePrintableAscii_areBase64() {
    for (byte odd : new byte[] {0x20, 0x7f, (byte) 0x80, 0, '\n'}) {
      StoredEntry entry = new StoredEntry(KEY, new byte[] {'x', odd}, 1, AT, Set.of());
      assertThat(EntryRecord.encode(entry)).startsWith("1 1767225600000 - b ");
      assertThat(EntryRecord.decode(KEY, EntryRecord.encode(entry))).contains(entry);
    }
    StoredEntry edges = new StoredEntry(KEY, new byte[] {0x21, 0x7e}, 1, AT, Set.of());
    assertThat(EntryRecord.encode(edges)).isEqualTo("1 1767225600000 - a !~");
  }

  @Test
  void expiresAt_subMillisecond_roundTripsAndExpiresOnTheNextMillisecond() {
    Instant at = AT.plusNanos(1);
    StoredEntry entry = new StoredEntry(KEY, ascii(""), 1, at, Set.of());
    assertThat(EntryRecord.encode(entry)).isEqualTo("1 1767225600000.000001 - a ");
    assertThat(EntryRecord.decode(KEY, EntryRecord.encode(entry))).contains(entry);
    assertThat(EntryRecord.expireAtMillis(at)).isEqualTo(1767225600001L);
    assertThat(EntryRecord.expireAtMillis(AT)).isEqualTo(1767225600000L);
  }

  @Test
  void decode_foreignOrDamagedRecord_isEmpty() {
    assertThat(EntryRecord.decode(KEY, "hello")).isEmpty();
    assertThat(EntryRecord.decode(KEY, "0 1767225600000 - a x")).isEmpty(); // version 0
    assertThat(EntryRecord.decode(KEY, "1 1767225600000 short a x")).isEmpty(); // bad index key
    assertThat(EntryRecord.decode(KEY, "1 1767225600000 - b %%%")).isEmpty(); // bad base64
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
