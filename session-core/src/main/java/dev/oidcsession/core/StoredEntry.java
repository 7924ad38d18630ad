package dev.oidcsession.core;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;

/**
 * What a {@link SessionStore} keeps for one session: opaque encrypted bytes plus the few fields a
 * store needs to do its job without decrypting anything.
 *
 * @param key the store key
 * @param value the encrypted session (stored format 2: version byte, IV, AES-256-GCM ciphertext
 *     and tag); the record keeps
 *     its own copy, and {@link #value()} returns a copy
 * @param version the compare-and-set version, 1 for a new entry, incremented by every replace
 * @param expiresAt when the store must drop the entry (wall time)
 * @param indexKeys the back-channel-logout indexes that list this entry
 */
public record StoredEntry(
    StoreKey key, byte[] value, long version, Instant expiresAt, Set<IndexKey> indexKeys) {

  /** Validates and copies. */
  public StoredEntry {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(expiresAt, "expiresAt");
    if (version < 1) {
      throw new IllegalArgumentException("version must be at least 1, but was " + version);
    }
    value = value.clone();
    indexKeys = Set.copyOf(indexKeys);
  }

  @Override
  public byte[] value() {
    return value.clone();
  }

  /**
   * Checks that this entry is new (version 1), as {@link SessionStore#insert} requires; stores
   * call it first.
   *
   * @throws IllegalArgumentException if not
   */
  public void requireNew() {
    if (version != 1) {
      throw new IllegalArgumentException("a new entry's version must be 1, but was " + version);
    }
  }

  /**
   * Checks that this entry may replace one at {@code expectedVersion}: its version is the next, as
   * {@link SessionStore#replace} requires; stores call it first.
   *
   * @throws IllegalArgumentException if not
   */
  public void requireSuccessorOf(long expectedVersion) {
    if (version != expectedVersion + 1) {
      throw new IllegalArgumentException("a replacing entry's version must be expectedVersion + 1 = "
          + (expectedVersion + 1) + ", but was " + version);
    }
  }

  /** The value itself, not a copy: for the codec, which only reads it. */
  byte[] bytes() {
    return value;
  }

  /** Whether the value is exactly {@code bytes}, without copying it. */
  boolean hasValue(byte[] bytes) {
    return Arrays.equals(value, bytes);
  }

  /** The length of the encrypted value, in bytes. */
  public int size() {
    return value.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StoredEntry other
        && key.equals(other.key)
        && version == other.version
        && expiresAt.equals(other.expiresAt)
        && indexKeys.equals(other.indexKeys)
        && Arrays.equals(value, other.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, version, expiresAt, indexKeys, Arrays.hashCode(value));
  }

  /** Key, version, expiry and size; never the value. */
  @Override
  public String toString() {
    return "StoredEntry[key="
        + key
        + ", version="
        + version
        + ", expiresAt="
        + expiresAt
        + ", bytes="
        + value.length
        + ", indexKeys="
        + indexKeys.size()
        + "]";
  }
}
