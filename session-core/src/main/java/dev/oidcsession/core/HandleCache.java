package dev.oidcsession.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Set;

/**
 * The handles of sessions recently found, so that a request for one skips deriving its store key
 * (and, on a decoded-cache miss, its encryption key): two HMAC-SHA-256 computations, the largest
 * part of resolving a cached session. A handle is a pure function of its cookie value, so a
 * remembered one is never stale. To keep secrets of dead sessions out of memory it is forgotten
 * when a request finds its session gone, expired or idle, on logout ({@code end}) and on a
 * back-channel logout; a session that ends otherwise (its renewal fails for good, its user never
 * returns) keeps its slot until another value takes it.
 *
 * <p>Where a cookie value may sit is given by SipHash-2-4 under a random per-instance key, and
 * the value is confirmed by a constant-time comparison ({@link #sameBytes}): a
 * lookup's timing reveals nothing about the values held (an index from an unkeyed hash, or a map
 * keyed by the value and compared with {@code equals}, would leak which hash buckets or prefixes
 * are in use). A value may sit in either of two buckets of two slots (the two halves of its
 * hash), so a table less than half full almost never evicts.
 *
 * <p>Lock-free: slots are immutable objects written without a lock; a racing reader sees a slot
 * either before or after, both of which are correct answers. Memory: {@link #slots()} slots of
 * 344 bytes once filled (measured with JOL in {@code HandleCacheTest}). Slots are freed only as
 * above, so count on a full table: 1.4 KB per decoded-cache entry, 1.4 MB for the default 1,024.
 */
final class HandleCache {

  /** Slots per decoded-cache entry (rounded up to a power of two). */
  static final int SLOTS_PER_ENTRY = 4;
  /** At most this many slots (16 MB of compressed references), whatever the decoded cache's size. */
  static final int MAX_SLOTS = 1 << 22;

  private static final VarHandle WORDS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final Slot[] slots;
  private final int bucketMask;
  private final long k0;
  private final long k1;

  /** A cache for about {@code entries} handles (0: none; every value is derived anew). */
  HandleCache(int entries, SecureRandom random) {
    int size = entries == 0
        ? 0
        : Math.min(MAX_SLOTS, Integer.highestOneBit(Math.max(2, entries) * SLOTS_PER_ENTRY - 1) << 1);
    this.slots = new Slot[size];
    this.bucketMask = (size - 1) & ~1;
    this.k0 = random.nextLong();
    this.k1 = random.nextLong();
  }

  /** How many slots the cache has. */
  int slots() {
    return slots.length;
  }

  /**
   * The remembered handle of {@code cookieValue}.
   *
   * @return the handle, or {@code null} when it is not remembered (or the value is no handle)
   */
  SessionHandle find(String cookieValue) {
    if (slots.length == 0 || !SessionHandle.wellFormed(cookieValue)) {
      return null;
    }
    byte[] cookie = cookieValue.getBytes(StandardCharsets.ISO_8859_1);
    long hash = SipHash.hash(k0, k1, cookie);
    // Each slot is read once: the slot compared is the slot whose handle is returned, whatever
    // other threads write meanwhile.
    for (int choice = 0; choice < 2; choice++) {
      int bucket = bucket(hash, choice);
      for (int i = bucket; i < bucket + 2; i++) {
        Slot slot = slots[i];
        // The hash is a keyed function: comparing it first reveals nothing about the values.
        if (slot != null && slot.hash == hash && slot.holds(cookie)) {
          return slot.handle;
        }
      }
    }
    return null;
  }

  /** Remembers {@code handle}, the handle of {@code cookieValue}, whose session was just found. */
  void remember(String cookieValue, SessionHandle handle) {
    if (slots.length == 0 || !SessionHandle.wellFormed(cookieValue)) {
      return;
    }
    byte[] cookie = cookieValue.getBytes(StandardCharsets.ISO_8859_1);
    long hash = SipHash.hash(k0, k1, cookie);
    Slot slot = new Slot(hash, cookie, handle);
    for (int choice = 0; choice < 2; choice++) {
      int bucket = bucket(hash, choice);
      for (int i = bucket; i < bucket + 2; i++) {
        Slot held = slots[i];
        if (held == null || held.hash == hash && held.holds(cookie)) {
          slots[i] = slot;
          return;
        }
      }
    }
    // All four taken: evict one, chosen by hash bits neither bucket index used.
    slots[bucket(hash, (int) (hash >>> 63)) + (int) ((hash >>> 62) & 1)] = slot;
  }

  /** Forgets {@code cookieValue}'s handle, if remembered. */
  void forget(String cookieValue) {
    if (slots.length == 0 || !SessionHandle.wellFormed(cookieValue)) {
      return;
    }
    byte[] cookie = cookieValue.getBytes(StandardCharsets.ISO_8859_1);
    long hash = SipHash.hash(k0, k1, cookie);
    for (int choice = 0; choice < 2; choice++) {
      int bucket = bucket(hash, choice);
      for (int i = bucket; i < bucket + 2; i++) {
        Slot slot = slots[i];
        if (slot != null && slot.hash == hash && slot.holds(cookie)) {
          slots[i] = null;
        }
      }
    }
  }

  /** Forgets the handles of the sessions stored under {@code keys}: one pass over the slots. */
  void forgetAll(Set<StoreKey> keys) {
    if (keys.isEmpty()) {
      return;
    }
    for (int i = 0; i < slots.length; i++) {
      Slot slot = slots[i];
      if (slot != null && keys.contains(slot.handle.storeKey())) {
        slots[i] = null;
      }
    }
  }

  /** The first slot of bucket {@code choice} (0 or 1) of a value of this hash. */
  private int bucket(long hash, int choice) {
    return (int) (choice == 0 ? hash : hash >>> 32) & bucketMask;
  }

  /**
   * Whether {@code a} and {@code b} hold the same bytes, in time independent of where they differ:
   * every byte is compared, 8 at a time (as {@link MessageDigest#isEqual}, which goes byte by byte).
   */
  static boolean sameBytes(byte[] a, byte[] b) {
    if (a.length != b.length) {
      return false;
    }
    long difference = 0;
    int i = 0;
    for (; i + Long.BYTES <= a.length; i += Long.BYTES) {
      difference |= (long) WORDS.get(a, i) ^ (long) WORDS.get(b, i);
    }
    for (; i < a.length; i++) {
      difference |= a[i] ^ b[i];
    }
    return difference == 0;
  }

  /** A cookie value (its ASCII bytes), their keyed hash, and its handle. */
  private static final class Slot {

    private final long hash;
    private final byte[] cookie;
    private final SessionHandle handle;

    Slot(long hash, byte[] cookie, SessionHandle handle) {
      this.hash = hash;
      this.cookie = cookie;
      this.handle = handle;
    }

    boolean holds(byte[] cookie) {
      return sameBytes(this.cookie, cookie);
    }

    @Override
    public String toString() {
      return "Slot[" + handle + "]"; // the handle prints only its store key's fingerprint
    }
  }
}
