package dev.oidcsession.benchmarks;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.oidcsession.core.InMemorySessionStore;
import dev.oidcsession.core.SessionManager;
import dev.oidcsession.core.TokenRenewer;
import dev.oidcsession.core.TokenSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
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
 * What one authenticated request costs oidc-session in the steady state: {@code
 * SessionManager.resolve} of a valid session in the in-memory store, with realistic tokens (a 1 KB
 * JWT access token, a 1 KB ID token). That is parsing the cookie value, two HMAC-SHA-256 key
 * derivations, one store read, AES-256-GCM decryption, and reading the JSON and the ID token.
 *
 * <p>Run: {@code ./mvnw -q -pl benchmarks -am -DskipTests test-compile exec:exec}.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ResolveBenchmark {

  private static final byte[] KEY = "benchmark-signing-key-0123456789abcdef".getBytes();

  /** How many live sessions the store holds; requests pick one at random. */
  @Param({"1000", "100000"})
  public int sessions;

  private SessionManager manager;
  private String[] cookies;

  @Setup(Level.Trial)
  public void setUp() {
    TokenRenewer neverCalled = current -> {
      throw new AssertionError("no renewal is due within the benchmark");
    };
    Clock clock = Clock.systemUTC();
    manager = SessionManager.builder()
        .store(new InMemorySessionStore(clock))
        .renewer(neverCalled)
        .clock(clock)
        .build();
    cookies = new String[sessions];
    Instant now = clock.instant();
    for (int i = 0; i < sessions; i++) {
      TokenSet tokens = TokenSet.fromTokenResponse(
          jwt(new JWTClaimsSet.Builder().issuer("https://issuer.example").subject("user-" + i)
              .audience("api").expirationTime(Date.from(now.plus(Duration.ofHours(8)))), 1024),
          null,
          jwt(new JWTClaimsSet.Builder().issuer("https://issuer.example").subject("user-" + i)
              .audience(List.of("client")).claim("sid", "sid-" + i)
              .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofHours(8)))),
              1024),
          "refresh-" + i,
          "openid profile email",
          now);
      cookies[i] = manager.create(tokens).handle().cookieValue();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    manager.close();
  }

  @Benchmark
  public Optional<?> resolveValidSession() {
    return manager.resolve(cookies[ThreadLocalRandom.current().nextInt(cookies.length)]);
  }

  @Benchmark
  public Optional<?> resolveUnknownCookie() {
    return manager.resolve("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  }

  private static String jwt(JWTClaimsSet.Builder claims, int size) {
    try {
      SignedJWT probe = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
      probe.sign(new MACSigner(KEY));
      int missing = size - probe.serialize().length();
      if (missing > 0) {
        claims.claim("pad", "x".repeat(missing * 3 / 4));
      }
      SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
      jwt.sign(new MACSigner(KEY));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }
}
