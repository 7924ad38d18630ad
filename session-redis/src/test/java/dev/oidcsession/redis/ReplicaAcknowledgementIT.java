package dev.oidcsession.redis;

import static dev.oidcsession.core.TestKeys.randomKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.oidcsession.core.ExpectsWarnings;
import dev.oidcsession.core.ReplaceResult;
import dev.oidcsession.core.StoredEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisMonitor;
import redis.clients.jedis.args.ClientPauseMode;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A replace is confirmed by {@code WAIT 1} on the connection that wrote it (Redis's {@code WAIT}
 * waits only for the calling connection's own writes), under concurrency, while the only replica
 * stops acknowledging: every replace then logs its WARN. Watched with {@code MONITOR}, whose lines
 * name the client connection of each command.
 */
class ReplicaAcknowledgementIT {

  private static final Logger log = LoggerFactory.getLogger(ReplicaAcknowledgementIT.class);
  private static final int THREADS = 16;
  // Fewer connections than threads, as behind a busy web server: a returned connection goes to
  // whichever thread waits for one, so a second borrow for the WAIT gets another connection.
  private static final int POOL = 4;
  private static final int REPLACES_PER_THREAD = 3;
  private static final Duration REPLICA_WAIT = Duration.ofMillis(50);
  // 1700000000.123456 [0 127.0.0.1:54321] "EVAL" "local cur ..." "1" "oidcs:{K}:s" ...
  private static final Pattern MONITOR_LINE =
      Pattern.compile("^\\S+ \\[\\d+ ([^\\]]+)\\] \"([A-Za-z]+)\"(?: \"([^\"]*)\")?.*$");

  @RegisterExtension static final RedisTopology redis = RedisTopology.primaryWithReplica();

  @RegisterExtension static final RedisTopology alone = RedisTopology.standalone();

  @Test
  void replace_replicaAttachedAfterTheStoreStarted_isWaitedFor() {
    RedisSessionStore store = alone.closeAfterAll(RedisSessionStore.create(alone.config().build()));
    StoredEntry first = entry(randomKey(), 1);
    assertThat(store.insert(first)).isTrue();
    try (LogCapture logs = new LogCapture(RedisSessionStore.class);
        Jedis primary = alone.admin(alone.primary())) {
      primary.configResetStat();
      assertThat(store.replace(entry(first.key(), 2), 1)).isTrue();
      assertThat(commandCalls(primary, "eval")).isEqualTo(1);
      assertThat(commandCalls(primary, "wait")).isZero(); // no replica: no WAIT

      alone.addReplica();
      primary.configResetStat();
      assertThat(store.replace(entry(first.key(), 3), 2)).isTrue();
      assertThat(store.replace(entry(first.key(), 4), 3)).isTrue();
      assertThat(commandCalls(primary, "eval")).isEqualTo(2);
      assertThat(commandCalls(primary, "wait")).isEqualTo(2);
      assertThat(logs.messages(Level.WARN)).isEmpty(); // the replica acknowledged both
    }
  }

  @ExpectsWarnings("the replica is paused: writes go unacknowledged")
  @Test
  void replaceConfirmed_replicaPaused_isStoredUnconfirmed_acknowledged_isStored() {
    // Issue 14 item 1: the store says which writes a failover could lose.
    RedisSessionStore store =
        redis.closeAfterAll(
            RedisSessionStore.builder(redis.config().build()).replicaWait(REPLICA_WAIT).build());
    StoredEntry first = entry(randomKey(), 1);
    assertThat(store.insert(first)).isTrue();
    assertThat(store.replaceConfirmed(entry(first.key(), 2), 1)).isEqualTo(ReplaceResult.STORED);
    try (Jedis replica = redis.admin(redis.replica())) {
      replica.clientPause(60_000, ClientPauseMode.WRITE);
      try {
        assertThat(store.replaceConfirmed(entry(first.key(), 3), 2))
            .isEqualTo(ReplaceResult.STORED_UNCONFIRMED);
        assertThat(store.replaceConfirmed(entry(first.key(), 3), 2))
            .isEqualTo(ReplaceResult.CONFLICT);
      } finally {
        replica.clientUnpause();
      }
    }
    assertThat(store.find(first.key()).orElseThrow().version()).isEqualTo(3);
    assertThat(store.replaceConfirmed(entry(first.key(), 4), 3)).isEqualTo(ReplaceResult.STORED);
  }

  /** The calls of {@code command} in {@code INFO commandstats} since the last reset. */
  private static long commandCalls(Jedis node, String command) {
    Matcher m =
        Pattern.compile("cmdstat_" + command + ":calls=(\\d+),")
            .matcher(node.info("commandstats"));
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  @ExpectsWarnings("the replica is paused: writes go unacknowledged")
  @Test
  void replace_16ThreadsWhileTheReplicaIsPaused_eachWaitsOnItsOwnConnectionAndWarns()
      throws Exception {
    RedisSessionStore store =
        redis.closeAfterAll(
            RedisSessionStore.builder(redis.config().poolSize(POOL).build())
                .replicaWait(REPLICA_WAIT)
                .build());
    List<StoredEntry> entries = new ArrayList<>();
    for (int i = 0; i < THREADS; i++) {
      StoredEntry entry = entry(randomKey(), 1);
      assertThat(store.insert(entry)).isTrue();
      entries.add(entry);
    }

    ConcurrentLinkedQueue<String> monitored = new ConcurrentLinkedQueue<>();
    Jedis monitor = redis.closeAfterAll(redis.admin(redis.primary()));
    Thread monitorThread = startMonitor(monitor, monitored);
    try (LogCapture logs = new LogCapture(RedisSessionStore.class);
        Jedis replica = redis.admin(redis.replica())) {
      replica.clientPause(60_000, ClientPauseMode.WRITE); // ALL would pause the UNPAUSE too
      try {
        runConcurrently(
            THREADS,
            i -> {
              StoredEntry current = entries.get(i);
              for (int r = 0; r < REPLACES_PER_THREAD; r++) {
                StoredEntry next = entry(current.key(), current.version() + 1);
                assertThat(store.replace(next, current.version())).isTrue();
                current = next;
              }
            });
      } finally {
        replica.clientUnpause();
      }
      int replaces = THREADS * REPLACES_PER_THREAD;
      assertThat(logs.messages(Level.WARN))
          .hasSize(replaces)
          .allSatisfy(
              m ->
                  assertThat(m)
                      .matches(
                          "replace of StoreKey\\[[0-9a-f]+\\] was not acknowledged by a replica"
                              + " within PT0\\.05S; a failover now could lose it"));
    } finally {
      monitor.disconnect();
      monitorThread.join(10_000);
    }

    // Per connection (client address), the command after each replace's EVAL is its WAIT.
    Map<String, List<String[]>> byClient = new HashMap<>();
    for (String line : monitored) {
      Matcher m = MONITOR_LINE.matcher(line);
      if (m.matches() && !m.group(1).equals("lua")) {
        byClient.computeIfAbsent(m.group(1), c -> new ArrayList<>())
            .add(new String[] {m.group(2).toUpperCase(), m.group(3)});
      }
    }
    int evals = 0;
    int waitsAfterTheirEval = 0;
    int waits = 0;
    for (List<String[]> commands : byClient.values()) {
      for (int i = 0; i < commands.size(); i++) {
        if (commands.get(i)[0].equals("WAIT")) {
          waits++;
        }
        if (commands.get(i)[0].equals("EVAL") && commands.get(i)[1].startsWith("local cur")) {
          evals++;
          if (i + 1 < commands.size() && commands.get(i + 1)[0].equals("WAIT")) {
            waitsAfterTheirEval++;
          }
        }
      }
    }
    log.info(
        "{} replaces on {} connections: {} WAITs, {} of them on the connection that wrote",
        evals,
        byClient.size(),
        waits,
        waitsAfterTheirEval);
    assertThat(evals).isEqualTo(THREADS * REPLACES_PER_THREAD);
    assertThat(waits).isEqualTo(evals);
    assertThat(waitsAfterTheirEval).isEqualTo(evals);
  }

  private static Thread startMonitor(Jedis monitor, ConcurrentLinkedQueue<String> lines) {
    String marker = "monitor-ready-" + System.nanoTime();
    Thread thread =
        new Thread(
            () -> {
              try {
                monitor.monitor(
                    new JedisMonitor() {
                      @Override
                      public void onCommand(String command) {
                        lines.add(command);
                      }
                    });
              } catch (JedisException e) {
                // disconnected at the end of the test
              }
            },
            "monitor");
    thread.setDaemon(true);
    thread.start();
    try (Jedis other = redis.admin(redis.primary())) {
      await("MONITOR is running")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(10))
          .until(
              () -> {
                other.echo(marker);
                return lines.stream().anyMatch(l -> l.contains(marker));
              });
    }
    return thread;
  }

  private interface IndexedTask {
    void run(int index) throws Exception;
  }

  private static void runConcurrently(int threads, IndexedTask task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch ready = new CountDownLatch(threads);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        int index = i;
        results.add(
            pool.submit(
                () -> {
                  ready.countDown();
                  go.await();
                  task.run(index);
                  return null;
                }));
      }
      ready.await();
      go.countDown();
      for (Future<?> result : results) {
        result.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static StoredEntry entry(dev.oidcsession.core.StoreKey key, long version) {
    return new StoredEntry(
        key,
        ("value-" + version).getBytes(StandardCharsets.US_ASCII),
        version,
        Instant.now().plusSeconds(600),
        Set.of());
  }
}
