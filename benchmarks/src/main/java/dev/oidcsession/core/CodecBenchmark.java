package dev.oidcsession.core;

import dev.oidcsession.benchmarks.Sessions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKey;
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
 * A decoded-cache miss and a write, by stored format: encoding and decoding one realistic session
 * (1 KB access and ID tokens) in format 2 (binary body, JDK AES-256-GCM) and in the retired
 * format 1 (JSON in a nimbus compact JWE). In package {@code dev.oidcsession.core} to reach the
 * package-private codec.
 *
 * <p>Run: {@code ./mvnw -q -pl benchmarks -am -DskipTests test-compile exec:exec
 * "-Djmh.args=CodecBenchmark -f 1 -wi 3 -i 5"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {

  private Session session;
  private SecretKey key;
  private StoredEntry v1;
  private StoredEntry v2;

  @Setup(Level.Trial)
  public void setUp() {
    SessionHandle handle = SessionHandle.generate(new SecureRandom());
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    session = new Session(handle.storeKey(), Sessions.realistic(1, now), now, now, now,
        now.plusSeconds(86_400), now.plusSeconds(43_200), 1, java.util.Map.of());
    key = handle.encryptionKey();
    v1 = new StoredEntry(session.key(), StoredFormatV1.encode(session, key), 1,
        session.expiresAt(), java.util.Set.of());
    v2 = new StoredEntry(session.key(), SessionCodec.encode(session, key), 1,
        session.expiresAt(), java.util.Set.of());
    if (!SessionCodec.decode(v2, key).orElseThrow().equals(session)
        || !StoredFormatV1.decode(v1, key).orElseThrow().equals(session)) {
      throw new IllegalStateException("codecs do not round-trip");
    }
  }

  @Benchmark
  public byte[] encodeV1() {
    return StoredFormatV1.encode(session, key);
  }

  @Benchmark
  public byte[] encodeV2() {
    return SessionCodec.encode(session, key);
  }

  @Benchmark
  public Optional<Session> decodeV1() {
    return StoredFormatV1.decode(v1, key);
  }

  @Benchmark
  public Optional<Session> decodeV2() {
    return SessionCodec.decode(v2, key);
  }

  /** The share of a decode that is reading the ID token's claims (nimbus), in either format. */
  @Benchmark
  public IdToken parseIdToken() {
    return IdToken.parse(session.tokens().idToken().raw().value());
  }
}
