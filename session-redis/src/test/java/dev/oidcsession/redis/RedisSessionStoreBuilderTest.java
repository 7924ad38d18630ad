package dev.oidcsession.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The store builder's setters: each rejects a bad value at once with the house message, both sides
 * of each bound, and a setting given twice is an IllegalStateException. No Redis is reached: these
 * builders are never built.
 */
class RedisSessionStoreBuilderTest {

  private static final RedisConfig CONFIG = RedisConfig.fromUrl("redis://127.0.0.1:6379");

  @Test
  void keyPrefix_withBraceOrSpace_isRejected() {
    assertThat(RedisSessionStore.builder(CONFIG).keyPrefix("")).isNotNull();
    assertThatThrownBy(() -> RedisSessionStore.builder(CONFIG).keyPrefix("app{1}:"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "keyPrefix must be at most 64 printable ASCII characters without braces or spaces,"
                + " but was \"app{1}:\"");
    assertThatThrownBy(() -> RedisSessionStore.builder(CONFIG).keyPrefix("a b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "keyPrefix must be at most 64 printable ASCII characters without braces or spaces,"
                + " but was \"a b\"");
    assertThatThrownBy(() -> RedisSessionStore.builder(CONFIG).keyPrefix("x".repeat(65)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(RedisSessionStore.builder(CONFIG).keyPrefix("x".repeat(64))).isNotNull();
  }

  @Test
  void keyPrefix_onABuilderFromAConfig_isSetOnceLikeEverySetting() {
    RedisSessionStore.Builder builder = RedisSessionStore.builder(CONFIG).keyPrefix("app:");
    assertThatThrownBy(() -> builder.keyPrefix("other:"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("keyPrefix was already set");
  }

  @Test
  void replicaWait_bounds_bothSides() {
    assertThat(RedisSessionStore.builder(CONFIG).replicaWait(Duration.ZERO)).isNotNull();
    assertThat(RedisSessionStore.builder(CONFIG).replicaWait(Duration.ofSeconds(10))).isNotNull();
    assertThatThrownBy(() -> RedisSessionStore.builder(CONFIG).replicaWait(Duration.ofNanos(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("replicaWait must be between PT0S and PT10S, but was PT-0.000000001S");
    assertThatThrownBy(
            () -> RedisSessionStore.builder(CONFIG).replicaWait(Duration.ofSeconds(10).plusNanos(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("replicaWait must be between PT0S and PT10S, but was PT10.000000001S");
  }

  @Test
  void settingTwice_isIllegalState() {
    assertThatThrownBy(
            () -> RedisSessionStore.builder(CONFIG).replicaWait(Duration.ZERO).replicaWait(Duration.ZERO))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("replicaWait was already set");
    assertThatThrownBy(
            () ->
                RedisSessionStore.builder(CONFIG)
                    .clock(Clock.systemUTC())
                    .clock(Clock.systemUTC()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("clock was already set");
  }
}
