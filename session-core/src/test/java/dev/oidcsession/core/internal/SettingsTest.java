package dev.oidcsession.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SettingsTest {

  static final Duration SECOND = Duration.ofSeconds(1);

  @Test
  void once_notSetBefore_returnsTheValue() {
    assertThat(Settings.once(null, "x", "name")).isEqualTo("x");
    Settings.once(null, "name");
  }

  @Test
  void once_setBefore_isIllegalStateNamingTheEarlierValue() {
    assertThatThrownBy(() -> Settings.once("a", "b", "name"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("name was already set to a");
    assertThatThrownBy(() -> Settings.once(SECOND, "renewalLease"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("renewalLease was already set to PT1S");
  }

  @Test
  void once_nullValue_isNullPointerNamingTheSetting() {
    assertThatThrownBy(() -> Settings.once(null, null, "store"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("store");
  }

  @Test
  void positive_zeroAndNegative_areRejected_oneTickIsAccepted() {
    assertThat(Settings.positive(Duration.ofNanos(1), "d")).isEqualTo(Duration.ofNanos(1));
    assertThatThrownBy(() -> Settings.positive(Duration.ZERO, "d"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("d must be positive, but was PT0S");
    assertThatThrownBy(() -> Settings.positive(SECOND.negated(), "d"))
        .hasMessage("d must be positive, but was PT-1S");
    assertThat(Settings.positive(1, "n")).isEqualTo(1);
    assertThatThrownBy(() -> Settings.positive(0, "n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("n must be positive, but was 0");
  }

  @Test
  void notNegative_negativeIsRejected_zeroIsAccepted() {
    assertThat(Settings.notNegative(Duration.ZERO, "d")).isEqualTo(Duration.ZERO);
    assertThatThrownBy(() -> Settings.notNegative(Duration.ofNanos(-1), "d"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("d must be zero or positive, but was PT-0.000000001S");
  }

  @Test
  void atLeast_belowIsRejected_theBoundIsAccepted() {
    assertThat(Settings.atLeast(SECOND, SECOND, "d")).isEqualTo(SECOND);
    assertThatThrownBy(() -> Settings.atLeast(SECOND.minusNanos(1), SECOND, "d"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("d must be at least PT1S, but was PT0.999999999S");
    assertThat(Settings.atLeast(32, 32, "n")).isEqualTo(32);
    assertThatThrownBy(() -> Settings.atLeast(31, 32, "n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("n must be at least 32, but was 31");
  }

  @Test
  void atMost_aboveIsRejected_theBoundIsAccepted() {
    Duration max = Duration.ofMinutes(5);
    assertThat(Settings.atMost(max, max, "d")).isEqualTo(max);
    assertThatThrownBy(() -> Settings.atMost(max.plusSeconds(1), max, "d"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("d must be at most PT5M, but was PT5M1S");
  }

  @Test
  void between_bothBoundsAreAccepted_oneOutsideEitherIsRejected() {
    assertThat(Settings.between(0, 0, 10, "n")).isZero();
    assertThat(Settings.between(10, 0, 10, "n")).isEqualTo(10);
    assertThatThrownBy(() -> Settings.between(-1, 0, 10, "n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("n must be between 0 and 10, but was -1");
    assertThatThrownBy(() -> Settings.between(11, 0, 10, "n"))
        .hasMessage("n must be between 0 and 10, but was 11");
    Duration max = Duration.ofMinutes(5);
    assertThat(Settings.between(max, Duration.ZERO, max, "d")).isEqualTo(max);
    assertThatThrownBy(() -> Settings.between(max.plusNanos(1), Duration.ZERO, max, "d"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("d must be between PT0S and PT5M, but was PT5M0.000000001S");
  }
}
