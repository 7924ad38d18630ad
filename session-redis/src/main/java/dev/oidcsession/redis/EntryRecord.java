package dev.oidcsession.redis;

import dev.oidcsession.core.IndexKey;
import dev.oidcsession.core.StoreKey;
import dev.oidcsession.core.StoredEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The string a {@link RedisSessionStore} keeps under an entry key, so that one {@code GET} gives
 * everything {@link StoredEntry} holds:
 *
 * <pre>{@code <version> <expiresAt> <indexes> <encoding> <value>}</pre>
 *
 * <ul>
 *   <li>{@code version}: decimal, at least 1;
 *   <li>{@code expiresAt}: epoch milliseconds, followed by {@code .} and six digits of
 *       nanoseconds only when the instant has a sub-millisecond part (so it round-trips exactly);
 *   <li>{@code indexes}: the index keys, sorted, separated by {@code ,}; {@code -} when none;
 *   <li>{@code encoding}: {@code a} when the value is stored as it is (every byte printable ASCII,
 *       as in a compact JWE), {@code b} when it is standard base64 of the value;
 *   <li>{@code value}: the value.
 * </ul>
 *
 * <p>The Lua scripts of {@link RedisSessionStore} read the first three fields with the pattern
 * {@link #LUA_HEAD}.
 */
final class EntryRecord {

  /** The Lua pattern the scripts use to read version, expiresAt and indexes. */
  static final String LUA_HEAD = "^(%d+) ([%d%.]+) (%S+) ";

  private static final Pattern FORM =
      Pattern.compile("(\\d{1,19}) (\\d{1,19})(?:\\.(\\d{6}))? ([A-Za-z0-9_,-]+) ([ab]) (.*)",
          Pattern.DOTALL);
  private static final String NO_INDEXES = "-";

  private EntryRecord() {}

  /** The record of {@code entry}. */
  static String encode(StoredEntry entry) {
    StringBuilder out = new StringBuilder(entry.size() + 160);
    out.append(entry.version()).append(' ').append(expiresAt(entry.expiresAt())).append(' ');
    out.append(indexes(entry.indexKeys())).append(' ');
    byte[] value = entry.value();
    if (printable(value)) {
      out.append("a ").append(new String(value, StandardCharsets.US_ASCII));
    } else {
      out.append("b ").append(Base64.getEncoder().encodeToString(value));
    }
    return out.toString();
  }

  /**
   * The entry a record describes, or empty when {@code record} is not one (written by something
   * else under our prefix).
   */
  static Optional<StoredEntry> decode(StoreKey key, String record) {
    Matcher m = FORM.matcher(record);
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      long version = Long.parseLong(m.group(1));
      long millis = Long.parseLong(m.group(2));
      long subMilliNanos = m.group(3) == null ? 0 : Long.parseLong(m.group(3));
      Instant expiresAt = Instant.ofEpochMilli(millis).plusNanos(subMilliNanos);
      Set<IndexKey> indexes = new LinkedHashSet<>();
      for (String index : indexNames(m.group(4))) {
        indexes.add(new IndexKey(index));
      }
      byte[] value =
          m.group(5).equals("a")
              ? m.group(6).getBytes(StandardCharsets.US_ASCII)
              : Base64.getDecoder().decode(m.group(6));
      return Optional.of(new StoredEntry(key, value, version, expiresAt, indexes));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The {@code expiresAt} field of a record. */
  static String expiresAt(Instant instant) {
    long millis = instant.toEpochMilli();
    long subMilliNanos = instant.getNano() % 1_000_000;
    return subMilliNanos == 0 ? Long.toString(millis) : String.format("%d.%06d", millis, subMilliNanos);
  }

  /** The Redis {@code PXAT} of an entry: the first millisecond at which it is certainly over. */
  static long expireAtMillis(Instant instant) {
    long millis = instant.toEpochMilli();
    return instant.getNano() % 1_000_000 == 0 ? millis : millis + 1;
  }

  /** The {@code indexes} field of a record. */
  static String indexes(Set<IndexKey> indexKeys) {
    if (indexKeys.isEmpty()) {
      return NO_INDEXES;
    }
    Set<String> sorted = new TreeSet<>();
    indexKeys.forEach(index -> sorted.add(index.value()));
    return String.join(",", sorted);
  }

  /** The index key values of an {@code indexes} field. */
  static Set<String> indexNames(String field) {
    Set<String> names = new LinkedHashSet<>();
    if (!field.equals(NO_INDEXES)) {
      for (String name : field.split(",")) {
        if (!name.isEmpty()) {
          names.add(name);
        }
      }
    }
    return names;
  }

  private static boolean printable(byte[] value) {
    for (byte b : value) {
      if (b < 0x21 || b > 0x7e) {
        return false;
      }
    }
    return true;
  }
}
