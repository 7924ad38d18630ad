package dev.oidcsession.core;

import dev.oidcsession.core.RenewalHerd.Tab;
import org.junit.jupiter.api.Test;

/**
 * The renewal herd counted at the renewer the managers call: 10,000 sessions born in one second,
 * used by tabs that ask when their renewal is due, over more than two renewal intervals (see
 * {@link RenewalHerd}); {@link RenewalHerdIT} counts the same at a provider over HTTP. Checked for
 * many random seeds, never for one.
 */
class RenewalHerdTest {

  private static final int SESSIONS = 10_000;
  private static final int SEEDS = 6;

  private final RenewalHerd herd = RenewalHerd.inProcess();

  private void check(int nodes, double bound) {
    HerdBounds.checkEverySeed(herd, SESSIONS, nodes, SEEDS, Tab.HELPER_ONLY, bound);
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
