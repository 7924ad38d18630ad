package dev.oidcsession.core.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * The validation helpers of every builder in oidc-session, so that each setting is checked where
 * it is set and every message has one shape: {@code <setting> must be <rule>, but was <value>}
 * ({@link IllegalArgumentException}), and a setting given twice is {@code <setting> was already
 * set to <value>} ({@link IllegalStateException}).
 *
 * <p><b>Not API.</b> Packages ending in {@code .internal} are public only so that other
 * oidc-session modules can call them; they may change in any release. Stateless and thread-safe.
 */
public final class Settings {

  private Settings() {}

  /**
   * Checks that {@code name} was not set before.
   *
   * @param current the value set before, or null
   * @throws IllegalStateException {@code "<name> was already set to <current>"}
   */
  public static void once(Object current, String name) {
    if (current != null) {
      throw new IllegalStateException(name + " was already set to " + current);
    }
  }

  /**
   * Checks that {@code name} was not set before and returns the non-null {@code value}: the
   * one-line setter for a setting without a rule.
   *
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalStateException if {@code current} is not null
   */
  public static <T> T once(T current, T value, String name) {
    Objects.requireNonNull(value, name);
    once(current, name);
    return value;
  }

  /** @throws IllegalArgumentException {@code "<name> must be positive, but was <value>"} */
  public static Duration positive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, but was " + value);
    }
    return value;
  }

  /** @throws IllegalArgumentException {@code "<name> must be positive, but was <value>"} */
  public static int positive(int value, String name) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, but was " + value);
    }
    return value;
  }

  /**
   * @throws IllegalArgumentException {@code "<name> must be zero or positive, but was <value>"}
   */
  public static Duration notNegative(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must be zero or positive, but was " + value);
    }
    return value;
  }

  /** @throws IllegalArgumentException {@code "<name> must be at least <min>, but was <value>"} */
  public static Duration atLeast(Duration value, Duration min, String name) {
    Objects.requireNonNull(value, name);
    if (value.compareTo(min) < 0) {
      throw new IllegalArgumentException(name + " must be at least " + min + ", but was " + value);
    }
    return value;
  }

  /** @throws IllegalArgumentException {@code "<name> must be at most <max>, but was <value>"} */
  public static Duration atMost(Duration value, Duration max, String name) {
    Objects.requireNonNull(value, name);
    if (value.compareTo(max) > 0) {
      throw new IllegalArgumentException(name + " must be at most " + max + ", but was " + value);
    }
    return value;
  }

  /** @throws IllegalArgumentException {@code "<name> must be at least <min>, but was <value>"} */
  public static int atLeast(int value, int min, String name) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be at least " + min + ", but was " + value);
    }
    return value;
  }

  /**
   * Both bounds inclusive.
   *
   * @throws IllegalArgumentException {@code "<name> must be between <min> and <max>, but was
   *     <value>"}
   */
  public static Duration between(Duration value, Duration min, Duration max, String name) {
    Objects.requireNonNull(value, name);
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          name + " must be between " + min + " and " + max + ", but was " + value);
    }
    return value;
  }

  /**
   * Both bounds inclusive.
   *
   * @throws IllegalArgumentException {@code "<name> must be between <min> and <max>, but was
   *     <value>"}
   */
  public static int between(int value, int min, int max, String name) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " must be between " + min + " and " + max + ", but was " + value);
    }
    return value;
  }
}
