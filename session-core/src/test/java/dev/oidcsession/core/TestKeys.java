package dev.oidcsession.core;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Random store and index keys for tests: 256 random bits each, base64url like the keys the session
 * manager derives, so two calls never collide and a test never meets another test's entry.
 * Thread-safe.
 */
public final class TestKeys {

  private static final SecureRandom RANDOM = new SecureRandom();

  private TestKeys() {}

  /** A fresh random store key. */
  public static StoreKey randomKey() {
    return new StoreKey(random());
  }

  /** A fresh random index key. */
  public static IndexKey randomIndex() {
    return new IndexKey(random());
  }

  private static String random() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
