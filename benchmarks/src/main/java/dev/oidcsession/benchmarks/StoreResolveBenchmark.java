package dev.oidcsession.benchmarks;

import dev.oidcsession.core.InMemorySessionStore;
import dev.oidcsession.core.SessionManager;
import dev.oidcsession.core.SessionStore;
import dev.oidcsession.redis.RedisConfig;
import dev.oidcsession.redis.RedisProcesses;
import dev.oidcsession.redis.RedisSessionStore;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One authenticated request's work in oidc-session, {@code SessionManager.resolve} of a valid
 * session, with each store: in memory, Redis on loopback (a {@code redis-server} the benchmark
 * starts on a free port: the one on the {@code PATH}, {@code $REDIS_SERVER_BIN}, or
 * embedded-redis's), and Redis with the client-side cache ({@code redis-cached}, {@code
 * client_cache=10000}: every session cached once warm). With 1 session, and with 2,000 sessions
 * resolved in rotation: more than the decoded-session cache holds (1,024), so every request
 * decodes its session.
 *
 * <p>Run: {@code ./mvnw -q -pl benchmarks -am -DskipTests test-compile exec:exec
 * "-Djmh.args=StoreResolveBenchmark -f 1 -wi 3 -i 5"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StoreResolveBenchmark {

  @Param({"memory", "redis", "redis-cached"})
  public String store;

  @Param({"1", "2000"})
  public int sessions;

  private RedisProcesses redis;
  private SessionStore sessionStore;
  private SessionManager manager;
  private String[] cookies;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    Clock clock = Clock.systemUTC();
    if (store.startsWith("redis")) {
      redis = new RedisProcesses();
      int port = redis.server("--save", "", "--appendonly", "no").port;
      String url = "redis://127.0.0.1:" + port
          + (store.equals("redis-cached") ? "?client_cache=10000" : "");
      sessionStore = RedisSessionStore.create(RedisConfig.fromUrl(url));
    } else {
      sessionStore = new InMemorySessionStore(clock);
    }
    manager = SessionManager.builder()
        .store(sessionStore)
        .renewer(current -> {
          throw new AssertionError("no renewal is due within the benchmark");
        })
        .clock(clock)
        .build();
    Instant now = clock.instant();
    cookies = new String[sessions];
    for (int i = 0; i < sessions; i++) {
      cookies[i] = manager.create(Sessions.realistic(i, now)).handle().cookieValue();
    }
    for (String cookie : cookies) {
      manager.resolve(cookie).orElseThrow();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    manager.close();
    if (sessionStore instanceof AutoCloseable closeable) {
      closeable.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  /** Resolves the next session of the rotation. */
  @Benchmark
  public Optional<?> resolve() {
    String cookie = cookies[next];
    next = next + 1 == cookies.length ? 0 : next + 1;
    return manager.resolve(cookie);
  }
}
