package dev.oidcsession.benchmarks;

import dev.oidcsession.core.TestTokens;
import dev.oidcsession.core.TokenSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Realistic token sets for the benchmarks: JWT access and ID tokens of about 1 KB each. */
public final class Sessions {

  private Sessions() {}

  /** The tokens of user {@code i}, valid for a day from {@code now}. */
  public static TokenSet realistic(int i, Instant now) {
    return TokenSet.fromTokenResponse(
        TestTokens.jwtAccessToken(now.plus(Duration.ofDays(1)), 1024), Duration.ofDays(1),
        TestTokens.idToken("auth0|user-" + i, "sid-" + i, List.of(TestTokens.CLIENT), now,
            now.plus(Duration.ofDays(1)), 1024),
        TestTokens.refreshToken(), "openid profile email offline_access", now);
  }
}
