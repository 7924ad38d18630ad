package dev.oidcsession.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.oidcsession.core.TestScheduler.Mode;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The session cookie parse, fuzzed: any cookie value (raw, or the real cookie with a few
 * characters changed) resolves to nothing without an exception, and only the exact cookie of a
 * session resolves to it. Regression inputs: {@code SessionCookieFuzzTestInputs/}; fuzzing: README.
 */
class SessionCookieFuzzTest {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final ManualClock CLOCK = new ManualClock(T0);
  private static final SessionManager MANAGER = SessionManager.builder()
      .store(new InMemorySessionStore(CLOCK))
      .renewer(new ScriptedRenewer(CLOCK))
      .clock(CLOCK)
      .random(new SplittableRandom(7))
      .executor(new TestScheduler(Mode.QUEUED, CLOCK))
      .build();
  private static final CreatedSession SESSION = MANAGER.create(
      TestTokens.tokens("alice", T0, Duration.ofHours(1), Duration.ofDays(1)));
  private static final String COOKIE = SESSION.handle().cookieValue();

  @FuzzTest
  void onlyTheExactCookieResolves(FuzzedDataProvider data) {
    String cookie = data.consumeBoolean() ? mutated(data) : data.consumeRemainingAsString();

    Optional<SessionHandle> handle = SessionHandle.parse(cookie);
    handle.ifPresent(h -> assertThat(h.cookieValue()).isEqualTo(cookie));
    Optional<Session> resolved = MANAGER.resolve(cookie);
    if (resolved.isPresent()) {
      assertThat(cookie).isEqualTo(COOKIE);
      assertThat(resolved.get().key()).isEqualTo(SESSION.session().key());
    } else {
      assertThat(cookie).isNotEqualTo(COOKIE);
    }
  }

  /** The real cookie with up to four characters replaced, inserted or removed. */
  private static String mutated(FuzzedDataProvider data) {
    StringBuilder cookie = new StringBuilder(COOKIE);
    int edits = data.consumeInt(1, 4);
    for (int i = 0; i < edits && data.remainingBytes() > 0; i++) {
      int at = data.consumeInt(0, cookie.length());
      switch (data.consumeInt(0, 2)) {
        case 0 -> {
          if (at < cookie.length()) {
            cookie.setCharAt(at, data.consumeChar());
          }
        }
        case 1 -> cookie.insert(at, data.consumeChar());
        default -> {
          if (at < cookie.length()) {
            cookie.deleteCharAt(at);
          }
        }
      }
    }
    return cookie.toString();
  }
}
