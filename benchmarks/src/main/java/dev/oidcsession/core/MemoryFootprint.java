package dev.oidcsession.core;

import dev.oidcsession.benchmarks.Sessions;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Bytes per session in the in-memory store, stored format 2 against the retired format 1: the heap
 * in use after a full GC, before and after storing 10,000 sessions with realistic tokens (1 KB JWT
 * access and ID tokens), divided by 10,000. Without JOL: what a heap dump would show.
 *
 * <p>Run (one JVM per format, so neither sees the other's garbage): {@code java -cp <benchmarks
 * classpath> dev.oidcsession.core.MemoryFootprint 2} (or {@code 1}).
 */
public final class MemoryFootprint {

  private static final int SESSIONS = 10_000;

  private MemoryFootprint() {}

  public static void main(String[] args) throws InterruptedException {
    int format = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    Clock clock = Clock.systemUTC();
    InMemorySessionStore store = new InMemorySessionStore(clock);
    SessionManager manager = SessionManager.builder().store(store).clock(clock)
        .decodedCacheSize(0).renewer(current -> current).build();
    // Warm up classes and caches, so the measured delta is the sessions only.
    manager.create(Sessions.realistic(-1, clock.instant()));
    long before = usedAfterGc();
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    long valueBytes = 0;
    for (int i = 0; i < SESSIONS; i++) {
      CreatedSession created = manager.create(Sessions.realistic(i, now));
      StoredEntry entry = store.find(created.session().key()).orElseThrow();
      if (format == 1) {
        StoredEntry v1 = StoredFormatV1.entry(created, entry);
        StoredEntry next = new StoredEntry(v1.key(), v1.value(), 2, v1.expiresAt(), v1.indexKeys());
        if (!store.replace(next, 1)) {
          throw new IllegalStateException("replace failed");
        }
        entry = next;
      }
      valueBytes += entry.size();
    }
    long after = usedAfterGc();
    System.out.printf("stored format %d: %d sessions, %d bytes per session in the heap,"
        + " of which %d bytes stored value%n", format, store.size(), (after - before) / SESSIONS,
        valueBytes / SESSIONS);
    manager.close();
  }

  private static long usedAfterGc() throws InterruptedException {
    Runtime runtime = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
    }
    return used;
  }
}
