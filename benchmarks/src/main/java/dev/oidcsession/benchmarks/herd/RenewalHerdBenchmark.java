package dev.oidcsession.benchmarks.herd;

import dev.oidcsession.core.RenewalHerd;
import dev.oidcsession.core.RenewalHerd.Result;
import dev.oidcsession.core.RenewalHerd.Tab;
import dev.oidcsession.core.oidc.FakeProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The renewal herd over HTTP for many seeds: for each tab model and node count, {@code seeds} runs
 * of {@link RenewalHerd} (10,000 sessions born in one second, 35 simulated minutes) against a
 * {@link FakeProvider} on loopback, printing each run's busiest second over the mean and then the
 * worst and median per case. A run takes 15 to 25 s on a 2-core machine.
 *
 * <pre>
 * ./mvnw -q -pl benchmarks -am -DskipTests test-compile exec:java \
 *     -Dexec.mainClass=dev.oidcsession.benchmarks.herd.RenewalHerdBenchmark -Dexec.args="10"
 * </pre>
 *
 * <p>Arguments: the number of seeds (default 10), then tab models ({@link Tab} names, default
 * all).
 */
public final class RenewalHerdBenchmark {

  private static final int SESSIONS = 10_000;
  private static final int[] NODES = {1, 20};

  private RenewalHerdBenchmark() {}

  /** Runs the cases named by {@code args} and prints the figures. */
  public static void main(String[] args) {
    int seeds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    List<Tab> tabs = new ArrayList<>();
    for (int a = 1; a < args.length; a++) {
      tabs.add(Tab.valueOf(args[a]));
    }
    if (tabs.isEmpty()) {
      tabs.addAll(Arrays.asList(Tab.values()));
    }
    FakeProvider provider = FakeProvider.start();
    try {
      provider.reset();
      RenewalHerd herd = RenewalHerd.overHttp(provider);
      List<String> summary = new ArrayList<>();
      for (Tab tab : tabs) {
        for (int nodes : NODES) {
          double[] ratios = new double[seeds];
          long began = System.nanoTime();
          for (int s = 0; s < seeds; s++) {
            Result r = herd.run(SESSIONS, nodes, s + 1, tab);
            ratios[s] = r.peakToMean();
            System.out.printf("%s, %d node(s), seed %d: peak %d/s at second %d, peak/mean %.3f,"
                + " %d refresh grants%n", tab, nodes, s + 1, r.peak(), r.peakSecond(),
                r.peakToMean(), r.refreshes());
          }
          Arrays.sort(ratios);
          summary.add(String.format("%s, %d node(s), %d seeds: peak/mean worst %.3f, median %.3f,"
              + " %.1f s per run", tab, nodes, seeds, ratios[seeds - 1], ratios[seeds / 2],
              (System.nanoTime() - began) / 1e9 / seeds));
        }
      }
      summary.forEach(System.out::println);
    } finally {
      provider.stop();
    }
  }
}
