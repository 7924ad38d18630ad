package dev.oidcsession.benchmarks.load;

/**
 * The variants of the load run, in the order of the table.
 *
 * @param id short name used in files and the raw table
 * @param label the row name in RESULTS.md
 * @param redis whether the variant gets its own redis-server
 * @param login whether requests need a session (a login through the development provider)
 */
record Variant(String id, String label, boolean redis, boolean login) {

  static final Variant BARE = new Variant("bare", "Jetty 12, bare servlet, no authentication", false, false);
  static final Variant MEMORY = new Variant("memory", "Jetty 12 + OidcSessionFilter, in-memory store", false, true);
  static final Variant REDIS = new Variant("redis", "Jetty 12 + OidcSessionFilter, Redis on loopback", true, true);
  static final Variant REDIS_CACHED = new Variant("redis-cached",
      "Jetty 12 + OidcSessionFilter, Redis with client-side caching", true, true);
  static final Variant BOOT_OURS = new Variant("boot-ours",
      "Spring Boot 4.0.7 + session-spring-boot, Redis", true, true);
  static final Variant BOOT_SPRING = new Variant("boot-spring",
      "Spring Boot 4.0.7 + Spring Security oauth2Login + Spring Session Data Redis", true, true);
}
