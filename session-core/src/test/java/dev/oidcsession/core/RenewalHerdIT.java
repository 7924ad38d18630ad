package dev.oidcsession.core;

import dev.oidcsession.core.RenewalHerd.Tab;
import dev.oidcsession.core.oidc.FakeProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The renewal herd counted where it hurts, at the provider's token endpoint over HTTP: 10,000
 * sessions born in one second, used by tabs that ask when their renewal is due, over more than two
 * renewal intervals (see {@link RenewalHerd}). Each run takes 15 to 25 s, so this checks one
 * seed per node count over HTTP; {@link RenewalHerdTest} checks the same manager path for many seeds in process,
 * and {@code dev.oidcsession.benchmarks.herd.RenewalHerdBenchmark} runs many seeds over HTTP.
 */
@ExpectsWarnings(value = "the fake provider's issuer is plain http on loopback", everyTest = true, matching = "uses plain http")
class RenewalHerdIT {

  private static final int SESSIONS = 10_000;
  private static final int SEEDS = 1;

  static FakeProvider provider;
  static RenewalHerd herd;

  @BeforeAll
  static void start() {
    provider = FakeProvider.start();
    provider.reset();
    herd = RenewalHerd.overHttp(provider);
  }

  @AfterAll
  static void stop() {
    provider.stop();
  }

  private static void check(int nodes, double bound) {
    HerdBounds.checkEverySeed(herd, SESSIONS, nodes, SEEDS, Tab.ASKS_AT_RENEW_AT, bound);
  }

  @Test
  void refreshGrants_10000SessionsBornInOneSecond_oneNode_peakAtMost1_10TimesMean_forEverySeed() {
    check(1, 1.10);
  }

  @Test
  void refreshGrants_10000SessionsOver20Nodes_peakAtMost1_25TimesMean_forEverySeed() {
    check(20, 1.25);
  }
}
