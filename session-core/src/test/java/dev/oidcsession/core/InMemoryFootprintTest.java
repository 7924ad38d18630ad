package dev.oidcsession.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oidcsession.core.TestScheduler.Mode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jol.info.GraphLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Memory per session in the in-memory store, measured with JOL over the store's object graph, for
 * realistic tokens: a 1 KB JWT access token, a 1 KB ID token, an opaque refresh token.
 */
class InMemoryFootprintTest {

  private static final Logger log = LoggerFactory.getLogger(InMemoryFootprintTest.class);
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final int SESSIONS = 2_000;

  @Test
  void bytesPerSession_isTheEncryptedValuePlusABoundedOverhead() {
    ManualClock clock = new ManualClock(T0);
    InMemorySessionStore store = new InMemorySessionStore(clock);
    SessionManager manager = SessionManager.builder().store(store)
        .renewer(new ScriptedRenewer(clock)).clock(clock)
        .executor(new TestScheduler(Mode.QUEUED, clock)).build();
    long emptyStore = GraphLayout.parseInstance(store).totalSize()
        - GraphLayout.parseInstance(clock).totalSize();
    long valueBytes = 0;
    List<String> cookies = new java.util.ArrayList<>();
    for (int i = 0; i < SESSIONS; i++) {
      TokenSet tokens = TokenSet.fromTokenResponse(
          TestTokens.jwtAccessToken(T0.plus(Duration.ofHours(1)), 1024), null,
          TestTokens.idToken("user-" + i, "sid-" + i, List.of(TestTokens.CLIENT), T0,
              T0.plus(Duration.ofDays(1)), 1024),
          TestTokens.refreshToken(), "openid profile email", T0);
      CreatedSession created = manager.create(tokens);
      cookies.add(created.handle().cookieValue());
      valueBytes += store.find(created.session().key()).orElseThrow().size();
    }
    long total = GraphLayout.parseInstance(store).totalSize()
        - GraphLayout.parseInstance(clock).totalSize() - emptyStore;
    long perSession = total / SESSIONS;
    long perValue = valueBytes / SESSIONS;
    log.info("in-memory store: {} bytes per session, of which {} bytes encrypted value",
        perSession, perValue);
    // Stored format 2: 2,294 bytes for these tokens.
    assertThat(perValue).isBetween(2_000L, 2_600L);
    assertThat(cookies).hasSize(SESSIONS);

    // The decoded cache: the same sessions resolved through a manager that caches them all, and
    // through one that caches none; the difference is what the cache holds.
    SessionManager caching = SessionManager.builder().store(store).renewer(new ScriptedRenewer(clock))
        .clock(clock).decodedCacheSize(SESSIONS).executor(new TestScheduler(Mode.QUEUED, clock)).build();
    SessionManager plain = SessionManager.builder().store(store).renewer(new ScriptedRenewer(clock))
        .clock(clock).decodedCacheSize(0).executor(new TestScheduler(Mode.QUEUED, clock)).build();
    for (String cookie : cookies) {
      assertThat(caching.resolve(cookie)).isPresent();
      assertThat(plain.resolve(cookie)).isPresent();
    }
    long perCached = (GraphLayout.parseInstance(caching).totalSize()
        - GraphLayout.parseInstance(plain).totalSize()) / SESSIONS;
    log.info("decoded cache: {} bytes per cached session", perCached);
    assertThat(perCached).isBetween(perValue, 4L * perValue);
    // Measured: about 1,030 bytes of maps, keys, index entries and the expiry node.
    assertThat(perSession).isLessThanOrEqualTo(perValue + 1_536);
  }
}
