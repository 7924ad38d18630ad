package dev.oidcsession.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.hash.Hashing;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SipHashTest {

  @Test
  void givesThePapersTestVector() {
    // SipHash paper, appendix A: key 00..0f, message 00..0e.
    byte[] message = new byte[15];
    for (int i = 0; i < 15; i++) {
      message[i] = (byte) i;
    }
    assertThat(SipHash.hash(0x0706050403020100L, 0x0f0e0d0c0b0a0908L, message))
        .isEqualTo(0xa129ca6149be45e5L);
  }

  @Test
  void agreesWithGuavasSipHash24_forEveryLengthAndManyKeys() {
    SplittableRandom random = new SplittableRandom(20261201);
    for (int run = 0; run < 20_000; run++) {
      long k0 = random.nextLong();
      long k1 = random.nextLong();
      int length = run % 80;
      byte[] message = new byte[length];
      for (int i = 0; i < length; i++) {
        message[i] = (byte) random.nextInt(256);
      }
      assertThat(SipHash.hash(k0, k1, message))
          .as("length %d", length)
          .isEqualTo(Hashing.sipHash24(k0, k1).hashBytes(message).asLong());
    }
  }
}
