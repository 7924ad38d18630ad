package dev.oidcsession.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcsession.core.RenewalHerd.Result;
import dev.oidcsession.core.RenewalHerd.Tab;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The bounds {@link RenewalHerdTest} and {@link RenewalHerdIT} hold a {@link RenewalHerd} to. */
final class HerdBounds {

  private static final Logger log = LoggerFactory.getLogger(HerdBounds.class);

  private HerdBounds() {}

  /**
   * Runs seeds 1 to {@code seeds} and asserts for each that every session renewed exactly twice
   * (due at 810..990 s, then 1620..1980 s) with one grant each time, none duplicated across nodes
   * and none lost, and that the busiest second carried at most {@code bound} times the mean.
   */
  static void checkEverySeed(
      RenewalHerd herd, int sessions, int nodes, int seeds, Tab tab, double bound) {
    for (long seed = 1; seed <= seeds; seed++) {
      long began = System.nanoTime();
      Result result = herd.run(sessions, nodes, seed, tab);
      log.info("{} node(s), seed {}, {}: peak {} per second, peak/mean {}, {} refresh calls, {} ms",
          nodes, seed, tab, result.peak(), String.format("%.3f", result.peakToMean()),
          result.refreshes(), (System.nanoTime() - began) / 1_000_000);
      assertThat(result.refreshes()).as("seed %d", seed).isEqualTo(2 * sessions);
      assertThat(result.peakToMean()).as("seed %d", seed).isLessThanOrEqualTo(bound);
    }
  }
}
