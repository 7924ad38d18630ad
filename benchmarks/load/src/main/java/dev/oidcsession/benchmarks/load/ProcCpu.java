package dev.oidcsession.benchmarks.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time read from Linux's {@code /proc}: the whole machine's ({@code /proc/stat}), this JVM's
 * with the children it has waited for (wrk), and that of given processes. It tells how much of the
 * machine went to work that is not the benchmark's while a variant was measured, which a load
 * average cannot: the benchmark's own threads make the load average high on their own.
 */
final class ProcCpu {

  /** Linux reports CPU time in USER_HZ ticks, 100 per second on every architecture it runs on. */
  static final int TICKS_PER_SECOND = 100;

  private ProcCpu() {}

  /**
   * One reading. Ticks: {@code busy} the machine's time not idle and not waiting for I/O (guest
   * time is inside user time), {@code steal} time the hypervisor gave to other machines, {@code
   * driver} this JVM's own time and that of its waited-for children, {@code processes} each given
   * process's own time (-1 when it could not be read).
   */
  record Snapshot(long nanos, long busy, long steal, long driver, Map<Long, Long> processes) {

    /** Whether this machine has {@code /proc} to read (Linux). */
    boolean available() {
      return busy >= 0;
    }
  }

  /**
   * Shares of the machine's capacity (cores times wall time) between two readings.
   *
   * @param others processes that are not the benchmark's (the machine's busy time minus the
   *     driver, wrk and every given process)
   * @param idle the given processes other than {@code measured} (variants waiting for their turn)
   * @param steal time the hypervisor gave to other machines
   */
  record Shares(double others, double idle, double steal) {
    static final Shares UNKNOWN = new Shares(Double.NaN, Double.NaN, Double.NaN);
  }

  /** A reading of the machine, this JVM and each of {@code pids}. */
  static Snapshot take(Collection<Long> pids) {
    long nanos = System.nanoTime();
    long[] machine = machine();
    Map<Long, Long> processes = new LinkedHashMap<>();
    for (long pid : pids) {
      processes.put(pid, ticks(Path.of("/proc/" + pid + "/stat"), false));
    }
    long driver = ticks(Path.of("/proc/self/stat"), true);
    return new Snapshot(nanos, machine[0], machine[1], driver, processes);
  }

  /**
   * The shares between {@code before} and {@code after}; {@code measured} are the pids of the
   * variant measured (its JVM and its Redis), which count neither as others nor as idle.
   */
  static Shares between(Snapshot before, Snapshot after, Collection<Long> measured, int cores) {
    if (!before.available() || !after.available() || before.driver < 0 || after.driver < 0) {
      return Shares.UNKNOWN;
    }
    double capacity = (after.nanos - before.nanos) / 1e9 * cores * TICKS_PER_SECOND;
    long ours = after.driver - before.driver;
    long idle = 0;
    for (Map.Entry<Long, Long> e : after.processes.entrySet()) {
      long was = before.processes.getOrDefault(e.getKey(), -1L);
      if (was < 0 || e.getValue() < 0) {
        return Shares.UNKNOWN; // a process of ours unread: its time would count as others'
      }
      long used = e.getValue() - was;
      ours += used;
      if (!measured.contains(e.getKey())) {
        idle += used;
      }
    }
    long others = Math.max(0, after.busy - before.busy - ours);
    return new Shares(others / capacity, idle / capacity, (after.steal - before.steal) / capacity);
  }

  /** {busy, steal} ticks of the whole machine, or {-1, -1} without {@code /proc/stat}. */
  private static long[] machine() {
    try {
      String line = Files.readAllLines(Path.of("/proc/stat")).get(0); // cpu user nice system ...
      String[] f = line.trim().split("\\s+");
      long user = Long.parseLong(f[1]);
      long nice = Long.parseLong(f[2]);
      long system = Long.parseLong(f[3]);
      long irq = f.length > 6 ? Long.parseLong(f[6]) : 0;
      long softirq = f.length > 7 ? Long.parseLong(f[7]) : 0;
      long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
      return new long[] {user + nice + system + irq + softirq, steal};
    } catch (IOException | RuntimeException e) {
      return new long[] {-1, -1};
    }
  }

  /**
   * A process's user and system ticks from its {@code stat} file (fields 14 and 15), plus those of
   * its waited-for children (16 and 17) when {@code withChildren}; -1 when unreadable.
   */
  private static long ticks(Path stat, boolean withChildren) {
    try {
      String s = Files.readString(stat);
      // The command name (field 2) is in parentheses and may hold spaces: count after its end.
      String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split("\\s+");
      // f[0] is field 3 (state), so field n is f[n - 3].
      long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      if (withChildren) {
        t += Long.parseLong(f[13]) + Long.parseLong(f[14]);
      }
      return t;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
