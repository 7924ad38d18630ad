package dev.oidcsession.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.openjdk.jol.info.GraphLayout;
import org.slf4j.LoggerFactory;

class HandleCacheTest {

  private final SecureRandom random = new SecureRandom();

  private SessionHandle parsed(String value) {
    return SessionHandle.parse(value).orElseThrow();
  }

  @Test
  void aRememberedValueGivesTheSameHandle_withItsKeysDerivedOnce() {
    HandleCache cache = new HandleCache(16, random);
    String value = SessionHandle.generate(random).cookieValue();
    assertThat(cache.find(value)).as("not remembered yet").isNull();
    SessionHandle handle = parsed(value);
    cache.remember(value, handle);
    assertThat(cache.find(value)).isSameAs(handle);
    cache.remember(value, parsed(value));
    assertThat(cache.find(value)).as("one slot per value").isNotSameAs(handle).isEqualTo(handle);
    cache.forget(value);
    assertThat(cache.find(value)).as("none left after forget").isNull();
  }

  @Test
  void neverGivesAValueAnotherValuesHandle_andKeepsMostOfAHalfFullTable() {
    for (int seed = 0; seed < 20; seed++) {
      SplittableRandom pick = new SplittableRandom(seed);
      HandleCache cache = new HandleCache(1024, random);
      List<String> values = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        values.add(SessionHandle.generate(random).cookieValue());
      }
      int hits = 0;
      int lookups = 20_000;
      for (int i = 0; i < lookups; i++) {
        String value = values.get(pick.nextInt(values.size()));
        SessionHandle handle = cache.find(value);
        if (handle == null) {
          cache.remember(value, parsed(value));
        } else {
          assertThat(handle.cookieValue()).isEqualTo(value);
          hits++;
        }
      }
      // 2,000 values in 4,096 slots: all but the first sight of each (at most 2,000) and the
      // rare eviction hit.
      assertThat(hits).as("seed %d", seed).isGreaterThan(lookups - 2_000 - 200);
    }
  }

  @Test
  void anOverfullTableStillNeverMixesValuesUp() {
    for (int seed = 0; seed < 20; seed++) {
      SplittableRandom pick = new SplittableRandom(seed);
      HandleCache cache = new HandleCache(2, random); // 8 slots for 500 values
      assertThat(cache.slots()).isEqualTo(8);
      List<String> values = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        values.add(SessionHandle.generate(random).cookieValue());
      }
      for (int i = 0; i < 5_000; i++) {
        String value = values.get(pick.nextInt(values.size()));
        SessionHandle handle = cache.find(value);
        if (handle == null) {
          cache.remember(value, parsed(value));
        } else {
          assertThat(handle.cookieValue()).isEqualTo(value);
        }
      }
    }
  }

  @Test
  void threadsFindingRememberingAndForgettingAtOnce_neverGetAnotherValuesHandle()
      throws Exception {
    HandleCache cache = new HandleCache(2, random); // 8 slots for 40 values: constant churn
    List<String> values = new ArrayList<>();
    Map<String, SessionHandle> handles = new HashMap<>();
    for (int i = 0; i < 40; i++) {
      String value = SessionHandle.generate(random).cookieValue();
      values.add(value);
      handles.put(value, parsed(value));
    }
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Integer>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int seed = t;
        done.add(pool.submit(() -> {
          SplittableRandom pick = new SplittableRandom(seed);
          int wrong = 0;
          for (int i = 0; i < 200_000; i++) {
            String value = values.get(pick.nextInt(values.size()));
            switch (pick.nextInt(3)) {
              case 0 -> cache.remember(value, handles.get(value));
              case 1 -> cache.forget(value);
              default -> {
                SessionHandle found = cache.find(value);
                if (found != null && found != handles.get(value)) {
                  wrong++;
                }
              }
            }
          }
          return wrong;
        }));
      }
      for (Future<Integer> f : done) {
        assertThat(f.get()).as("another value's handle returned").isZero();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aValueOneCharacterAwayFromARememberedOneIsNotFound() {
    HandleCache cache = new HandleCache(1, random);
    String value = SessionHandle.generate(random).cookieValue();
    cache.remember(value, parsed(value));
    String neighbour = (value.charAt(0) == 'A' ? 'B' : 'A') + value.substring(1);
    assertThat(cache.find(neighbour)).isNull();
    assertThat(cache.find(value)).isNotNull();
  }

  @Test
  void sameBytes_seesADifferenceAtEveryPosition() {
    byte[] value = SessionHandle.generate(random).cookieValue().getBytes(StandardCharsets.US_ASCII);
    assertThat(HandleCache.sameBytes(value, value.clone())).isTrue();
    for (int i = 0; i < value.length; i++) {
      byte[] other = value.clone();
      other[i] ^= 1;
      assertThat(HandleCache.sameBytes(value, other)).as("differs at %d", i).isFalse();
    }
    assertThat(HandleCache.sameBytes(value, Arrays.copyOf(value, 42))).isFalse();
    assertThat(HandleCache.sameBytes(new byte[0], new byte[0])).isTrue();
  }

  @Test
  void malformedValuesAreNeverFoundNorRemembered() {
    for (HandleCache cache : List.of(new HandleCache(16, random), new HandleCache(0, random))) {
      for (String value : new String[] {null, "short", "+".repeat(43)}) {
        cache.remember(value, SessionHandle.generate(random));
        assertThat(cache.find(value)).isNull();
        cache.forget(value);
      }
    }
  }

  @Test
  void sizeZeroRemembersNothing() {
    HandleCache cache = new HandleCache(0, random);
    assertThat(cache.slots()).isZero();
    String value = SessionHandle.generate(random).cookieValue();
    cache.remember(value, parsed(value));
    assertThat(cache.find(value)).isNull();
  }

  @Test
  void isSizedAtFourSlotsPerDecodedEntry_roundedUpToAPowerOfTwo_andCapped() {
    assertThat(new HandleCache(1024, random).slots()).isEqualTo(4096);
    assertThat(new HandleCache(1000, random).slots()).isEqualTo(4096);
    assertThat(new HandleCache(1025, random).slots()).isEqualTo(8192);
    assertThat(new HandleCache(SessionManager.MAX_DECODED_CACHE_SIZE, random).slots())
        .isEqualTo(HandleCache.MAX_SLOTS);
  }

  @Test
  void aFullTable_takesAbout350BytesPerSlot_withEachSessionsKeysDerived() {
    HandleCache cache = new HandleCache(256, random); // 1,024 slots
    long empty = GraphLayout.parseInstance(cache).totalSize();
    for (int i = 0; i < 8 * cache.slots(); i++) { // every slot taken, most many times over
      SessionHandle handle = SessionHandle.generate(random);
      handle.encryptionKey();
      cache.remember(handle.cookieValue(), handle);
    }
    long perSlot = (GraphLayout.parseInstance(cache).totalSize() - empty) / cache.slots();
    LoggerFactory.getLogger(HandleCacheTest.class).info("HandleCache: {} bytes per filled slot", perSlot);
    assertThat(perSlot).isBetween(300L, 400L);
  }

  @Test
  void printsNoSecret() {
    HandleCache cache = new HandleCache(4, random);
    String value = SessionHandle.generate(random).cookieValue();
    cache.remember(value, parsed(value));
    assertThat(cache.toString()).doesNotContain(value);
  }
}
