package dev.oidcsession.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * SipHash-2-4 (Aumasson and Bernstein, 2012), a keyed pseudorandom function of short inputs: the
 * index of {@link HandleCache}, so that where a cookie value lands in it tells nothing to whoever
 * does not hold the per-process key. The JDK has no keyed hash this cheap (HMAC-SHA-256 costs
 * about 20 times more), and the well-known implementation (Guava's, which the tests compare this
 * one with) would add a large dependency for one function.
 */
final class SipHash {

  private static final VarHandle WORDS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private long v0;
  private long v1;
  private long v2;
  private long v3;

  private SipHash(long k0, long k1) {
    v0 = 0x736f6d6570736575L ^ k0;
    v1 = 0x646f72616e646f6dL ^ k1;
    v2 = 0x6c7967656e657261L ^ k0;
    v3 = 0x7465646279746573L ^ k1;
  }

  /** SipHash-2-4 of {@code bytes} under the key {@code (k0, k1)}. */
  static long hash(long k0, long k1, byte[] bytes) {
    SipHash state = new SipHash(k0, k1); // does not escape: the JIT keeps it in registers
    int length = bytes.length;
    int full = length & ~7;
    for (int i = 0; i < full; i += 8) {
      state.compress((long) WORDS.get(bytes, i));
    }
    long last = 0;
    for (int i = full; i < length; i++) {
      last |= (bytes[i] & 0xffL) << (8 * (i - full));
    }
    state.compress(last | ((long) length << 56));
    state.v2 ^= 0xff;
    for (int round = 0; round < 4; round++) {
      state.round();
    }
    return state.v0 ^ state.v1 ^ state.v2 ^ state.v3;
  }

  /** Two rounds over one message word. */
  private void compress(long m) {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }

  private void round() {
    v0 += v1;
    v1 = Long.rotateLeft(v1, 13);
    v1 ^= v0;
    v0 = Long.rotateLeft(v0, 32);
    v2 += v3;
    v3 = Long.rotateLeft(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = Long.rotateLeft(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = Long.rotateLeft(v1, 17);
    v1 ^= v2;
    v2 = Long.rotateLeft(v2, 32);
  }
}
