package dev.oidcsession.redis;

import dev.oidcsession.core.IndexKey;
import dev.oidcsession.core.StoreKey;
import java.security.SecureRandom;
import java.util.Base64;

/** Random keys for tests outside the contract's subclasses. */
final class SessionStoreContractKeys {

  private static final SecureRandom RANDOM = new SecureRandom();

  private SessionStoreContractKeys() {}

  static StoreKey randomKey() {
    return new StoreKey(random());
  }

  static IndexKey randomIndex() {
    return new IndexKey(random());
  }

  private static String random() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
