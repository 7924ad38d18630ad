package dev.oidcsession.redis;

import dev.oidcsession.core.IndexKey;
import dev.oidcsession.core.StoreKey;
import dev.oidcsession.core.StoredEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The bytes a {@link RedisSessionStore} keeps under an entry key, so that one {@code GET} gives
 * everything {@link StoredEntry} holds:
 *
 * <pre>{@code <version> <expiresAt> <indexes> <encoding> <value>}</pre>
 *
 * <ul>
 *   <li>{@code version}: decimal, at least 1;
 *   <li>{@code expiresAt}: epoch milliseconds, followed by {@code .} and six digits of
 *       nanoseconds only when the instant has a sub-millisecond part (so it round-trips exactly);
 *   <li>{@code indexes}: the index keys, sorted, separated by {@code ,}; {@code -} when none;
 *   <li>{@code encoding}: {@code r} when the value follows as raw bytes (what this version writes:
 *       Redis strings are binary-safe); read only, from records written by earlier versions:
 *       {@code a} when the value is stored as it is (printable ASCII, a compact JWE), {@code b}
 *       when it is standard base64 of the value;
 *   <li>{@code value}: the value, to the end of the record.
 * </ul>
 *
 * <p>The head (the first four fields) is ASCII. The Lua scripts of {@link RedisSessionStore} read
 * the first three fields with the pattern {@link #LUA_HEAD}; Lua strings are binary-safe.
 */
final class EntryRecord {

  /** The Lua pattern the scripts use to read version, expiresAt and indexes. */
  static final String LUA_HEAD = "^(%d+) ([%d%.]+) (%S+) ";

  private static final String NO_INDEXES = "-";
  private static final int MAX_DIGITS = 19;

  private EntryRecord() {}

  /** The record of {@code entry}: its head, then its value as raw bytes. */
  static byte[] encode(StoredEntry entry) {
    String head = entry.version() + " " + expiresAt(entry.expiresAt()) + " "
        + indexes(entry.indexKeys()) + " r ";
    byte[] value = entry.value();
    byte[] record = new byte[head.length() + value.length];
    for (int i = 0; i < head.length(); i++) {
      record[i] = (byte) head.charAt(i);
    }
    System.arraycopy(value, 0, record, head.length(), value.length);
    return record;
  }

  /**
   * The entry a record describes, or empty when {@code record} is not one (written by something
   * else under our prefix).
   */
  static Optional<StoredEntry> decode(StoreKey key, byte[] record) {
    try {
      Cursor in = new Cursor(record);
      long version = in.number();
      in.expect(' ');
      long millis = in.number();
      long subMilliNanos = 0;
      if (in.peek() == '.') {
        in.expect('.');
        int start = in.position;
        subMilliNanos = in.number();
        if (in.position - start != 6) {
          return Optional.empty();
        }
      }
      in.expect(' ');
      String indexField = in.token();
      in.expect(' ');
      int encoding = in.next();
      in.expect(' ');
      byte[] rest = Arrays.copyOfRange(record, in.position, record.length);
      byte[] value = switch (encoding) {
        case 'r', 'a' -> rest;
        case 'b' -> Base64.getDecoder().decode(rest);
        default -> null;
      };
      if (value == null) {
        return Optional.empty();
      }
      Set<IndexKey> indexes = new LinkedHashSet<>();
      for (String index : indexNames(indexField)) {
        indexes.add(new IndexKey(index));
      }
      Instant expiresAt = Instant.ofEpochMilli(millis).plusNanos(subMilliNanos);
      return Optional.of(new StoredEntry(key, value, version, expiresAt, indexes));
    } catch (RuntimeException e) {
      // Malformed head, bad base64, version 0, bad index key: not a record of this store.
      return Optional.empty();
    }
  }

  /** Reads the ASCII head of a record; any deviation throws {@link IllegalArgumentException}. */
  private static final class Cursor {

    private final byte[] bytes;
    private int position;

    Cursor(byte[] bytes) {
      this.bytes = bytes;
    }

    int peek() {
      return position < bytes.length ? bytes[position] : -1;
    }

    int next() {
      if (position >= bytes.length) {
        throw new IllegalArgumentException("truncated record");
      }
      return bytes[position++];
    }

    void expect(char c) {
      if (next() != c) {
        throw new IllegalArgumentException("malformed record");
      }
    }

    /** One to 19 decimal digits. */
    long number() {
      int start = position;
      long value = 0;
      while (peek() >= '0' && peek() <= '9') {
        value = Math.addExact(Math.multiplyExact(value, 10), next() - '0');
      }
      if (position == start || position - start > MAX_DIGITS) {
        throw new IllegalArgumentException("malformed number");
      }
      return value;
    }

    /** One or more characters of an index field: base64url and {@code ,}. */
    String token() {
      int start = position;
      for (int c = peek(); (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == ','; c = peek()) {
        position++;
      }
      if (position == start) {
        throw new IllegalArgumentException("malformed indexes");
      }
      return new String(bytes, start, position - start, StandardCharsets.US_ASCII);
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
}
