package dev.oidcsession.core.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The replay memory of codes and logout-token {@code jti}s never switches itself off: when it is
 * full of values still within their window, a new value is refused, never accepted unremembered.
 */
@ExpectsWarnings(value = "a replay memory full of live values warns on purpose", everyTest = true)
class ReplayCacheTest {

  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  final ManualClock clock = new ManualClock(T0);

  /** How often {@code value} was accepted as a first use in {@code tries} presentations. */
  static int accepted(ReplayCache cache, String value, Instant keepUntil, int tries) {
    int accepted = 0;
    for (int i = 0; i < tries; i++) {
      try {
        if (cache.firstUse(ReplayCache.CODE, value, keepUntil)) {
          accepted++;
        }
      } catch (OidcException refused) {
        // refused for now: not accepted
      }
    }
    return accepted;
  }

  @Test
  void fullOfLiveValues_productionCapacity_aNewValueIsNeverAcceptedTwice() throws Exception {
    ReplayCache cache = new ReplayCache(clock, OidcClient.MAX_REMEMBERED_VALUES);
    Instant window = T0.plus(Duration.ofMinutes(10));
    for (int i = 0; i < OidcClient.MAX_REMEMBERED_VALUES; i++) {
      assertThat(cache.firstUse(ReplayCache.CODE, "code-" + i, window)).isTrue();
    }
    // Before: past 100,000 live values the cache stopped remembering, so this code was accepted
    // on every presentation.
    assertThat(accepted(cache, "one-more", window, 2)).isLessThanOrEqualTo(1);
  }

  @Test
  void fullOfLiveValues_smallCapacity_newValueRefusedAsOverloaded_knownValuesStillReplays()
      throws Exception {
    ReplayCache cache = new ReplayCache(clock, 3);
    Instant window = T0.plus(Duration.ofMinutes(10));
    for (String code : new String[] {"a", "b", "c"}) {
      assertThat(cache.firstUse(ReplayCache.CODE, code, window)).isTrue();
    }

    OidcException refused = catchThrowableOfType(OidcException.class,
        () -> cache.firstUse(ReplayCache.CODE, "d", window));

    assertThat(refused).isNotNull();
    assertThat(refused.reason()).isEqualTo(OidcException.Reason.OVERLOADED);
    assertThat(cache.firstUse(ReplayCache.CODE, "a", window)).as("a replay stays a replay").isFalse();
    assertThat(cache.size()).isEqualTo(3);
  }

  @Test
  void full_thenValuesExpire_newValuesAcceptedOnceEach() throws Exception {
    ReplayCache cache = new ReplayCache(clock, 3);
    for (String code : new String[] {"a", "b", "c"}) {
      cache.firstUse(ReplayCache.CODE, code, T0.plusSeconds(60));
    }
    assertThat(accepted(cache, "d", T0.plusSeconds(600), 1)).isZero();

    clock.advance(Duration.ofSeconds(61));

    assertThat(cache.firstUse(ReplayCache.CODE, "d", clock.instant().plusSeconds(60))).isTrue();
    assertThat(cache.firstUse(ReplayCache.CODE, "d", clock.instant().plusSeconds(60))).isFalse();
    assertThat(cache.size()).isEqualTo(1);
  }
}
