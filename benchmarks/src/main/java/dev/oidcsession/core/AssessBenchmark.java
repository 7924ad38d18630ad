package dev.oidcsession.core;

import dev.oidcsession.benchmarks.Sessions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The lifecycle decision of every request, {@link SessionPolicy#assess}, for a valid session with
 * the default policy and with an idle timeout; and the cookie decode ({@link
 * SessionHandle#parse}: base64url and one HMAC-SHA-256 for the store key).
 *
 * <p>Run: {@code ./mvnw -q -pl benchmarks -am -DskipTests test-compile exec:exec
 * "-Djmh.args=AssessBenchmark -f 1 -wi 3 -i 5"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AssessBenchmark {

  private SessionPolicy defaults;
  private SessionPolicy idle;
  private Session session;
  private Instant now;
  private String cookie;

  @Setup(Level.Trial)
  public void setUp() {
    SessionHandle handle = SessionHandle.generate(new SecureRandom());
    now = Instant.now();
    session = new Session(handle.storeKey(), Sessions.realistic(1, now), now, now, now,
        now.plusSeconds(86_400), now.plusSeconds(43_200), 1, java.util.Map.of());
    defaults = SessionPolicy.defaults();
    idle = SessionPolicy.builder().idleTimeout(java.time.Duration.ofMinutes(30)).build();
    cookie = handle.cookieValue();
  }

  @Benchmark
  public SessionState assessDefaults() {
    return defaults.assess(session, now);
  }

  @Benchmark
  public SessionState assessWithIdleTimeout() {
    return idle.assess(session, now);
  }

  @Benchmark
  public Object parseCookie() {
    return SessionHandle.parse(cookie);
  }

  @Benchmark
  public Object deriveEncryptionKey() {
    return SessionHandle.parse(cookie).orElseThrow().encryptionKey();
  }
}
