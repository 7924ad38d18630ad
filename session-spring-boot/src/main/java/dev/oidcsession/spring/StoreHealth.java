package dev.oidcsession.spring;

import dev.oidcsession.core.InMemorySessionStore;
import dev.oidcsession.core.SessionStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The session store's health, independent of Spring Boot's health API (which moved packages in
 * Boot 4); {@code Boot3StoreHealthIndicator} and {@code Boot4StoreHealthIndicator} adapt it.
 * Details never hold an address, a password or a session.
 */
final class StoreHealth {

  /** Eviction policies that only evict keys with a TTL, which every session key has. */
  static final Set<String> GOOD_EVICTION_POLICIES =
      Set.of("volatile-ttl", "volatile-lru", "volatile-lfu", "volatile-random");

  /** The outcome of one check. */
  record Result(boolean up, Map<String, Object> details) {}

  /** Pings the store and reads its eviction policy; implemented per store kind. */
  interface Probe extends AutoCloseable {
    Result check();

    /** Releases what the probe holds; nothing by default. */
    @Override
    default void close() {}
  }

  private StoreHealth() {}

  static Probe inMemory(SessionStore store) {
    return () -> {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("store", "in-memory");
      if (store instanceof InMemorySessionStore memory) {
        d.put("sessions", memory.size());
      }
      return new Result(true, d);
    };
  }
}
